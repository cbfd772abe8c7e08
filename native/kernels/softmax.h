// softmax and log_softmax along one dim, and their backward, in one pass per row.
//
// Operands are seen as [outer, c, inner] blocks (the softmax dim in the middle) with strides in
// elements. As in PyTorch, a row holding NaN or +inf gives NaN throughout (x - max is NaN there),
// and a row of -inf gives NaN.
#pragma once
#include <cmath>
#include <cstdint>

#include "dtype.h"
#include "parallel.h"
#include "vmath.h"

namespace tg {

struct SoftmaxGeometry {
  int64_t outer = 0, c = 0, inner = 0;
  int64_t stride[3][3] = {};  // per operand (up to 3): strides of outer, c, inner
};

// Rows (outer x inner of them) per task below which threads cost more than they save.
inline int64_t softmax_grain(int64_t c) { return std::max<int64_t>(1, 32768 / std::max<int64_t>(c, 1)); }

template <class F>
void for_each_softmax_row(const SoftmaxGeometry& g, F&& f) {
  parallel_for(g.outer * g.inner, softmax_grain(g.c), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) f(r / g.inner, r % g.inner);
  });
}

// out = x - max - log(sum(exp(x - max))) (Log) or exp(x - max) / sum(exp(x - max)). Each
// exponential is computed once, into out (which must not overlap x), by vmath.h's exp: a
// contiguous row vectorised for the CPU, a strided one element by element, with the same bits.
template <class T, bool Log>
void softmax_forward(const SoftmaxGeometry& g, T* out, const T* x) {
  const int64_t(&so)[3] = g.stride[0];
  const int64_t(&sx)[3] = g.stride[1];
  const bool rows = so[1] == 1 && sx[1] == 1;
  for_each_softmax_row(g, [&](int64_t o, int64_t i) {
    const T* xr = x + o * sx[0] + i * sx[2];
    T* orow = out + o * so[0] + i * so[2];
    T m = xr[0];
    for (int64_t j = 1; j < g.c; ++j) {
      const T v = xr[j * sx[1]];
      if (std::isnan(v) || v > m) m = v;
      if (std::isnan(m)) break;
    }
    if (rows) {
      for (int64_t j = 0; j < g.c; ++j) orow[j] = xr[j] - m;
      vexp_row(orow, orow, g.c);
    } else {
      for (int64_t j = 0; j < g.c; ++j) orow[j * so[1]] = vexp(T(xr[j * sx[1]] - m));
    }
    T sum = 0;
    for (int64_t j = 0; j < g.c; ++j) sum += orow[j * so[1]];
    if (Log) {
      const T logsum = std::log(sum);
      for (int64_t j = 0; j < g.c; ++j) orow[j * so[1]] = (xr[j * sx[1]] - m) - logsum;
    } else {
      const T scale = T(1) / sum;
      for (int64_t j = 0; j < g.c; ++j) orow[j * so[1]] *= scale;
    }
  });
}

// Log: gin = g - exp(out) * sum(g); otherwise gin = out * (g - sum(g * out)).
template <class T, bool Log>
void softmax_backward(const SoftmaxGeometry& g, T* gin, const T* grad, const T* out) {
  const int64_t(&si)[3] = g.stride[0];
  const int64_t(&sg)[3] = g.stride[1];
  const int64_t(&so)[3] = g.stride[2];
  for_each_softmax_row(g, [&](int64_t o, int64_t i) {
    const T* gr = grad + o * sg[0] + i * sg[2];
    const T* orow = out + o * so[0] + i * so[2];
    T* ir = gin + o * si[0] + i * si[2];
    T d = 0;
    for (int64_t j = 0; j < g.c; ++j) d += Log ? gr[j * sg[1]] : gr[j * sg[1]] * orow[j * so[1]];
    for (int64_t j = 0; j < g.c; ++j) {
      const T y = orow[j * so[1]];
      ir[j * si[1]] = Log ? gr[j * sg[1]] - vexp(y) * d : y * (gr[j * sg[1]] - d);
    }
  });
}

}  // namespace tg
