// Scans along one dim: every output element is the reduction of the input up to it. cumsum
// accumulates in double for floating-point inputs and in int64 for integers and bool (into an
// int64 output), rounding the running sum to the output's type at each step, as PyTorch's CPU
// kernel does.
#pragma once
#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "elementwise.h"
#include "parallel.h"
#include "view.h"

namespace tg {

// Calls line(out, in) for every line along `dim` (each position of the other dims), in parallel,
// with n the line's length and so, si its strides (elements). out and in must have one shape.
template <class Tout, class Tin, class Line>
void scan_lines(const View& out, const View& in, int dim, Line line) {
  if (out.ndim != in.ndim) raise(ErrorKind::Shape, "scan: output " + shape_str(out) + " and input " + shape_str(in) + " differ");
  for (int d = 0; d < in.ndim; ++d)
    if (out.shape[d] != in.shape[d]) raise(ErrorKind::Shape, "scan: output " + shape_str(out) + " and input " + shape_str(in) + " differ");
  if (in.ndim == 0 ? dim != 0 : (dim < 0 || dim >= in.ndim)) raise(ErrorKind::Range, "scan: dim " + std::to_string(dim) + " is out of range");
  Strided<2> lines;
  lines.ndim = 0;
  lines.data[0] = out.data;
  lines.data[1] = in.data;
  for (int d = 0; d < in.ndim; ++d) {
    if (d == dim) continue;
    lines.shape[lines.ndim] = in.shape[d];
    lines.strides[0][lines.ndim] = out.strides[d] * int64_t(sizeof(Tout));
    lines.strides[1][lines.ndim++] = in.strides[d] * int64_t(sizeof(Tin));
  }
  const int64_t n = in.ndim == 0 ? 1 : in.shape[dim];
  const int64_t so = in.ndim == 0 ? 0 : out.strides[dim], si = in.ndim == 0 ? 0 : in.strides[dim];
  if (n == 0 || lines.numel() == 0) return;
  coalesce(lines);
  parallel_for(lines.numel(), std::max<int64_t>(1, kElementwiseGrain / n), [&](int64_t b, int64_t e) {
    for_each_range(lines, b, e, [&](char** p, const int64_t* st, int64_t count) {
      for (int64_t i = 0; i < count; ++i)
        line(reinterpret_cast<Tout*>(p[0] + i * st[0]), reinterpret_cast<const Tin*>(p[1] + i * st[1]), n, so, si);
    });
  });
}

// out[..., j, ...] = sum of in[..., 0..j, ...] along dim.
template <class Tout, class Tin>
void cumsum(const View& out, const View& in, int dim) {
  using Acc = std::conditional_t<is_float_v<Tout>, double, int64_t>;
  scan_lines<Tout, Tin>(out, in, dim, [](Tout* o, const Tin* x, int64_t n, int64_t so, int64_t si) {
    Acc acc = 0;
    for (int64_t j = 0; j < n; ++j) {
      if constexpr (is_float_v<Tout>) acc += Acc(x[j * si]);
      else acc = wadd<int64_t>(acc, int64_t(x[j * si]));  // wraps, as int64 arithmetic does in PyTorch
      o[j * so] = Tout(acc);
    }
  });
}

}  // namespace tg
