// The rows of softmax.h, compiled once per instruction set. Contiguous and strided rows run the same
// arithmetic (rows.h's sums and maxima, vmath.h's exp), so they give the same bits.
#include <cmath>

#include "rows.h"
#include "softmax.h"
#include "vmath.h"

namespace tg {
namespace {

// The vector of elements j .. j + count - 1 of a row whose elements are `stride` apart.
template <class T>
TG_INLINE rows::Vec<T> lanes(const T* x, int64_t stride, int64_t j, int count) {
  if (stride == 1) return rows::load<rows::Vec<T>>(x + j, count);
  rows::Vec<T> v = {};
  for (int k = 0; k < count; ++k) v[k] = x[(j + k) * stride];
  return v;
}

// One row of c elements, o[j * so] from x[j * sx] (o must not overlap x). Contig: both strides are
// 1, and the loops vectorise; a strided row does the same arithmetic, one element at a time.
template <class T, bool Log, bool Contig>
TG_INLINE void forward_row(T* o, int64_t so, const T* x, int64_t sx, int64_t c) {
  if (Contig) so = sx = 1;
  // A NaN the maximum passes over still makes every result NaN, through the sum.
  const T m = rows::max<T>(c, [&](int64_t j, int count) TG_LAMBDA { return lanes(x, sx, j, count); });
  for (int64_t j = 0; j < c; ++j) o[j * so] = vexp(T(x[j * sx] - m));
  const T sum = rows::sum<T>(c, [&](int64_t j, int count) TG_LAMBDA { return lanes<T>(o, so, j, count); });
  if (Log) {
    const T logsum = std::log(sum);
    for (int64_t j = 0; j < c; ++j) o[j * so] = (x[j * sx] - m) - logsum;
  } else {
    const T scale = T(1) / sum;
    for (int64_t j = 0; j < c; ++j) o[j * so] *= scale;
  }
}

template <class T, bool Log, bool Contig>
TG_INLINE void backward_row(T* gi, int64_t si, const T* gr, int64_t sg, const T* o, int64_t so, int64_t c) {
  if (Contig) si = sg = so = 1;
  const T d = rows::sum<T>(c, [&](int64_t j, int count) TG_LAMBDA {
    const rows::Vec<T> g = lanes(gr, sg, j, count);
    return Log ? g : g * lanes(o, so, j, count);
  });
  for (int64_t j = 0; j < c; ++j) {
    const T y = o[j * so];
    gi[j * si] = Log ? gr[j * sg] - vexp(y) * d : y * (gr[j * sg] - d);
  }
}

// Row r's offset in operand k, in elements (row r is outer r / inner, inner r % inner).
TG_INLINE int64_t row_at(const SoftmaxGeometry& g, int k, int64_t r) {
  return g.inner == 1 ? r * g.stride[k][0] : (r / g.inner) * g.stride[k][0] + (r % g.inner) * g.stride[k][2];
}

template <class T, bool Log>
TG_INLINE void forward_rows(const SoftmaxGeometry& g, T* out, const T* x, int64_t r0, int64_t r1) {
  const int64_t so = g.stride[0][1], sx = g.stride[1][1];
  for (int64_t r = r0; r < r1; ++r) {
    T* o = out + row_at(g, 0, r);
    const T* xr = x + row_at(g, 1, r);
    if (so == 1 && sx == 1) forward_row<T, Log, true>(o, 1, xr, 1, g.c);
    else forward_row<T, Log, false>(o, so, xr, sx, g.c);
  }
}

template <class T, bool Log>
TG_INLINE void backward_rows(const SoftmaxGeometry& g, T* gin, const T* grad, const T* out, int64_t r0, int64_t r1) {
  const int64_t si = g.stride[0][1], sg = g.stride[1][1], so = g.stride[2][1];
  for (int64_t r = r0; r < r1; ++r) {
    T* gi = gin + row_at(g, 0, r);
    const T* gr = grad + row_at(g, 1, r);
    const T* o = out + row_at(g, 2, r);
    if (si == 1 && sg == 1 && so == 1) backward_row<T, Log, true>(gi, 1, gr, 1, o, 1, g.c);
    else backward_row<T, Log, false>(gi, si, gr, sg, o, so, g.c);
  }
}

}  // namespace

#define TG_SOFTMAX_ROWS(T)                                                                                      \
  TG_CLONES void softmax_rows(const SoftmaxGeometry& g, bool log, T* out, const T* x, int64_t r0, int64_t r1) { \
    if (log) forward_rows<T, true>(g, out, x, r0, r1);                                                          \
    else forward_rows<T, false>(g, out, x, r0, r1);                                                             \
  }                                                                                                             \
  TG_CLONES void softmax_backward_rows(const SoftmaxGeometry& g, bool log, T* gin, const T* grad, const T* out, \
                                       int64_t r0, int64_t r1) {                                                \
    if (log) backward_rows<T, true>(g, gin, grad, out, r0, r1);                                                 \
    else backward_rows<T, false>(g, gin, grad, out, r0, r1);                                                    \
  }

TG_SOFTMAX_ROWS(float)
TG_SOFTMAX_ROWS(double)

}  // namespace tg
