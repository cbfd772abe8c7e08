// softmax and log_softmax along one dim, and their backward, in one pass per row.
//
// Operands are seen as [outer, c, inner] blocks (the softmax dim in the middle) with strides in
// elements. As in PyTorch, a row holding NaN or +inf gives NaN throughout (x - max is NaN there),
// and a row of -inf gives NaN.
#pragma once
#include <algorithm>
#include <cstdint>

#include "parallel.h"

namespace tg {

struct SoftmaxGeometry {
  int64_t outer = 0, c = 0, inner = 0;
  int64_t stride[3][3] = {};  // per operand (up to 3): strides of outer, c, inner
};

// Rows (outer x inner of them) per task below which threads cost more than they save.
inline int64_t softmax_grain(int64_t c) { return std::max<int64_t>(1, 32768 / std::max<int64_t>(c, 1)); }

// Rows [r0, r1) (row r is outer r / inner, inner r % inner), in softmax.cc: out = x - max -
// log(sum(exp(x - max))) (log) or exp(x - max) / sum(exp(x - max)), each exponential computed once,
// into out (which must not overlap x).
void softmax_rows(const SoftmaxGeometry& g, bool log, float* out, const float* x, int64_t r0, int64_t r1);
void softmax_rows(const SoftmaxGeometry& g, bool log, double* out, const double* x, int64_t r0, int64_t r1);
// log: gin = g - exp(out) * sum(g); otherwise gin = out * (g - sum(g * out)).
void softmax_backward_rows(const SoftmaxGeometry& g, bool log, float* gin, const float* grad, const float* out,
                           int64_t r0, int64_t r1);
void softmax_backward_rows(const SoftmaxGeometry& g, bool log, double* gin, const double* grad, const double* out,
                           int64_t r0, int64_t r1);

template <class T, bool Log>
void softmax_forward(const SoftmaxGeometry& g, T* out, const T* x) {
  parallel_for(g.outer * g.inner, softmax_grain(g.c), [&](int64_t b, int64_t e) { softmax_rows(g, Log, out, x, b, e); });
}

template <class T, bool Log>
void softmax_backward(const SoftmaxGeometry& g, T* gin, const T* grad, const T* out) {
  parallel_for(g.outer * g.inner, softmax_grain(g.c),
               [&](int64_t b, int64_t e) { softmax_backward_rows(g, Log, gin, grad, out, b, e); });
}

}  // namespace tg
