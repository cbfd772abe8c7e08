// softmax and log_softmax along one dim, and their backward, in one pass per row.
//
// Operands are seen as [outer, c, inner] blocks (the softmax dim in the middle) with strides in
// elements. As in PyTorch, a row holding NaN or +inf gives NaN throughout (x - max is NaN there),
// and a row of -inf gives NaN.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "parallel.h"
#include "view.h"

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

// The [outer, c, inner] geometry of operands of one shape along `dim`: operands whose layout has
// no block strides are packed (into `packs`) first; the first operand, the output, must have them.
template <int N>
bool softmax_geometry(const View* (&v)[N], int dim, SoftmaxGeometry& g, std::vector<char> (&packs)[N], View (&copies)[N]) {
  if (v[0]->ndim == 0 ? dim != 0 : (dim < 0 || dim >= v[0]->ndim))
    raise(ErrorKind::Range, "softmax: dim " + std::to_string(dim) + " is out of range");
  block_shape(*v[0], dim, &g.outer, &g.c, &g.inner);
  for (int k = 0; k < N; ++k) {
    if (v[k]->ndim != v[0]->ndim) raise(ErrorKind::Shape, "softmax: operands " + shape_str(*v[0]) + " and " + shape_str(*v[k]) + " differ");
    for (int d = 0; d < v[0]->ndim; ++d)
      if (v[k]->shape[d] != v[0]->shape[d]) raise(ErrorKind::Shape, "softmax: operands " + shape_str(*v[0]) + " and " + shape_str(*v[k]) + " differ");
    if (block_strides(*v[k], dim, &g.stride[k][0], &g.stride[k][1], &g.stride[k][2])) continue;
    if (k == 0) raise(ErrorKind::Range, "softmax: the output's layout has no [outer, c, inner] strides");
    copies[k] = packed(*v[k], packs[k]);
    v[k] = &copies[k];
    block_strides(copies[k], dim, &g.stride[k][0], &g.stride[k][1], &g.stride[k][2]);
  }
  return g.outer * g.c * g.inner > 0;
}

// softmax (log: log_softmax) of x along dim into out, of x's shape.
template <class T, bool Log>
void softmax(const View& out, const View& x, int dim) {
  const View* v[2] = {&out, &x};
  std::vector<char> packs[2];
  View copies[2];
  SoftmaxGeometry g;
  if (softmax_geometry<2>(v, dim, g, packs, copies)) softmax_forward<T, Log>(g, v[0]->ptr<T>(), v[1]->ptr<const T>());
}

// The gradient of softmax (log: log_softmax) along dim from the gradient of its output and that output.
template <class T, bool Log>
void softmax_backward(const View& gin, const View& grad, const View& out, int dim) {
  const View* v[3] = {&gin, &grad, &out};
  std::vector<char> packs[3];
  View copies[3];
  SoftmaxGeometry g;
  if (softmax_geometry<3>(v, dim, g, packs, copies)) softmax_backward<T, Log>(g, v[0]->ptr<T>(), v[1]->ptr<const T>(), v[2]->ptr<const T>());
}

}  // namespace tg
