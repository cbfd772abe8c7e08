// Scans along one dim: every output element is the reduction of the input up to it. cumsum and
// cumprod accumulate in double for floating-point inputs and in int64 for integers and bool (into
// an int64 output), rounding the running result to the output's type at each step, as PyTorch's
// CPU kernel does; cummax and cummin also report where each running extreme was reached.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "elementwise.h"
#include "parallel.h"
#include "view.h"

namespace tg {

// Calls line(p, step, n) for every line along `dim` (each position of the other dims), in
// parallel: p[k] is operand k's first element of the line, step[k] its stride along dim in bytes,
// n the line's length. Every operand has the last one's (the input's) shape.
template <int N, class Line>
void scan_lines(const View* const (&v)[N], int dim, Line line) {
  const View& in = *v[N - 1];
  for (int k = 0; k < N - 1; ++k)
    if (!same_shape(*v[k], in)) raise(ErrorKind::Shape, "scan: output " + shape_str(*v[k]) + " and input " + shape_str(in) + " differ");
  if (in.ndim == 0 ? dim != 0 : (dim < 0 || dim >= in.ndim)) raise(ErrorKind::Range, "scan: dim " + std::to_string(dim) + " is out of range");
  Strided<N> lines;
  lines.ndim = 0;
  int64_t step[N];
  for (int k = 0; k < N; ++k) {
    lines.data[k] = v[k]->data;
    step[k] = in.ndim == 0 ? 0 : v[k]->strides[dim] * dtype_size(v[k]->dtype);
  }
  for (int d = 0; d < in.ndim; ++d) {
    if (d == dim) continue;
    lines.shape[lines.ndim] = in.shape[d];
    for (int k = 0; k < N; ++k) lines.strides[k][lines.ndim] = v[k]->strides[d] * dtype_size(v[k]->dtype);
    ++lines.ndim;
  }
  const int64_t n = in.ndim == 0 ? 1 : in.shape[dim];
  if (n == 0 || lines.numel() == 0) return;
  coalesce(lines);
  parallel_for(lines.numel(), std::max<int64_t>(1, kElementwiseGrain / n), [&](int64_t b, int64_t e) {
    for_each_range(lines, b, e, [&](char** p, const int64_t* st, int64_t count) {
      char* at[N];
      for (int64_t i = 0; i < count; ++i) {
        for (int k = 0; k < N; ++k) at[k] = p[k] + i * st[k];
        line(at, step, n);
      }
    });
  });
}

// cumsum and cumprod: out[..., j, ...] = the sum (or with IsProd the product) of in[..., 0..j, ...] along dim, kept in
// double for floats and in int64 for integers, which wraps as int64 arithmetic does in PyTorch.
template <class Tout, class Tin, bool IsProd>
void cumulative(const View& out, const View& in, int dim) {
  using Acc = std::conditional_t<is_float_v<Tout>, double, int64_t>;
  const View* v[2] = {&out, &in};
  scan_lines<2>(v, dim, [](char* const* p, const int64_t* step, int64_t n) {
    Acc acc = IsProd ? 1 : 0;
    for (int64_t j = 0; j < n; ++j) {
      const Acc x = Acc(*reinterpret_cast<const Tin*>(p[1] + j * step[1]));
      if constexpr (is_float_v<Tout>) acc = IsProd ? acc * x : acc + x;
      else acc = IsProd ? wmul<int64_t>(acc, x) : wadd<int64_t>(acc, x);
      *reinterpret_cast<Tout*>(p[0] + j * step[0]) = Tout(acc);
    }
  });
}

// The running maximum (IsMax) or minimum along dim and the index where it was reached: a later
// equal value takes over (its index is reported), and a NaN takes over and stays, as in PyTorch.
template <class T, bool IsMax>
void cumextreme(const View& values, const View& indices, const View& in, int dim) {
  const View* v[3] = {&values, &indices, &in};
  scan_lines<3>(v, dim, [](char* const* p, const int64_t* step, int64_t n) {
    T best{};
    int64_t at = 0;
    for (int64_t j = 0; j < n; ++j) {
      const T x = *reinterpret_cast<const T*>(p[2] + j * step[2]);
      bool take = j == 0 || (IsMax ? x >= best : x <= best);
      if constexpr (is_float_v<T>) take = take || std::isnan(x);
      if (take) best = x, at = j;
      *reinterpret_cast<T*>(p[0] + j * step[0]) = best;
      *reinterpret_cast<int64_t*>(p[1] + j * step[1]) = at;
    }
  });
}

// out[..., j, ...] = log(sum of exp(in[..., 0..j, ...])) along dim, without overflow: each step
// adds the next element as max + log1p(exp(min - max)) in double (two -inf or two +inf give that
// value; a NaN stays), as PyTorch's CPU kernel does.
template <class T>
void logcumsumexp(const View& out, const View& in, int dim) {
  const View* v[2] = {&out, &in};
  scan_lines<2>(v, dim, [](char* const* p, const int64_t* step, int64_t n) {
    double acc = -INFINITY;
    for (int64_t j = 0; j < n; ++j) {
      const double x = double(*reinterpret_cast<const T*>(p[1] + j * step[1]));
      const double lo = std::min(acc, x), hi = std::max(acc, x);
      if (std::isnan(x) || std::isnan(acc)) acc = NAN;
      else if (lo != hi || std::isfinite(lo)) acc = hi + std::log1p(std::exp(lo - hi));
      else acc = x;  // both -inf, or both +inf
      *reinterpret_cast<T*>(p[0] + j * step[0]) = T(acc);
    }
  });
}

}  // namespace tg
