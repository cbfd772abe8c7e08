// The row passes of attention.h, compiled once per instruction set (rows.h's fixed-order maxima and
// sums, vmath.h's exp: every version gives the same bits).
#include <cmath>
#include <limits>

#include "attention.h"
#include "rows.h"
#include "vmath.h"

namespace tg {
namespace {

template <class T>
TG_INLINE auto lanes(const T* x) {
  return [x](int64_t j, int count) TG_LAMBDA { return rows::load<rows::Vec<T>>(x + j, count); };
}

// Row i of the block: the mask applied to the scores r (masked keys -inf, or the float mask added),
// and the causal limit (keys after the query's own position -inf).
template <class T>
TG_INLINE void mask_row(T* r, int64_t i, int64_t cols, const AttentionMasks<T>& m) {
  constexpr T kNegInf = -std::numeric_limits<T>::infinity();
  if (m.bools != nullptr) {
    const uint8_t* b = m.bools + i * m.mrs;
    for (int64_t j = 0; j < cols; ++j)
      if (!b[j * m.mcs]) r[j] = kNegInf;
  } else if (m.adds != nullptr) {
    const T* a = m.adds + i * m.mrs;
    if (m.mcs == 1) {
      for (int64_t j = 0; j < cols; ++j) r[j] += a[j];
    } else {
      for (int64_t j = 0; j < cols; ++j) r[j] += a[j * m.mcs];
    }
  }
  if (m.causal) {
    for (int64_t j = std::max<int64_t>(0, m.row0 + i + 1); j < cols; ++j) r[j] = kNegInf;
  }
}

template <class T>
TG_INLINE void softmax_rows(T* s, int64_t rows, int64_t cols, const AttentionMasks<T>& m, T* lse) {
  constexpr T kNegInf = -std::numeric_limits<T>::infinity();
  for (int64_t i = 0; i < rows; ++i) {
    T* r = s + i * cols;
    mask_row(r, i, cols, m);
    const T mx = cols == 0 ? kNegInf : rows::max<T>(cols, lanes<T>(r));
    if (mx == kNegInf) {  // nothing to attend to: zeros, as PyTorch's safe softmax
      for (int64_t j = 0; j < cols; ++j) r[j] = T(0);
      lse[i] = kNegInf;
      continue;
    }
    for (int64_t j = 0; j < cols; ++j) r[j] = vexp(T(r[j] - mx));
    const T sum = rows::sum<T>(cols, lanes<T>(r));
    const T inv = T(1) / sum;
    if (m.drop != nullptr) {
      const T* d = m.drop + i * m.drs;
      for (int64_t j = 0; j < cols; ++j) r[j] = (r[j] * inv) * d[j * m.dcs];
    } else {
      for (int64_t j = 0; j < cols; ++j) r[j] *= inv;
    }
    lse[i] = mx + std::log(sum);
  }
}

template <class T>
TG_INLINE void grad_rows(T* s, T* dp, int64_t rows, int64_t cols, const AttentionMasks<T>& m, const T* lse) {
  constexpr T kNegInf = -std::numeric_limits<T>::infinity();
  for (int64_t i = 0; i < rows; ++i) {
    T* r = s + i * cols;
    T* g = dp + i * cols;
    const T l = lse[i];
    if (l == kNegInf) {
      for (int64_t j = 0; j < cols; ++j) r[j] = T(0), g[j] = T(0);
      continue;
    }
    mask_row(r, i, cols, m);
    for (int64_t j = 0; j < cols; ++j) r[j] = vexp(T(r[j] - l));
    if (m.drop != nullptr) {
      const T* d = m.drop + i * m.drs;
      T dsum = T(0);  // sum_j Pd_ij dPd_ij, in order (the factors are strided)
      for (int64_t j = 0; j < cols; ++j) dsum += (r[j] * d[j * m.dcs]) * g[j];
      for (int64_t j = 0; j < cols; ++j) {
        const T p = r[j], dj = d[j * m.dcs];
        g[j] = p * (dj * g[j] - dsum);
        r[j] = p * dj;
      }
    } else {
      const T dsum = rows::sum<T>(cols, [&](int64_t j, int count) TG_LAMBDA {
        return rows::load<rows::Vec<T>>(r + j, count) * rows::load<rows::Vec<T>>(g + j, count);
      });
      for (int64_t j = 0; j < cols; ++j) g[j] = r[j] * (g[j] - dsum);
    }
  }
}

}  // namespace

#define TG_ATTENTION_ROWS(T)                                                                                           \
  TG_CLONES void attention_softmax_rows(T* s, int64_t rows, int64_t cols, const AttentionMasks<T>& m, T* lse) {        \
    softmax_rows<T>(s, rows, cols, m, lse);                                                                            \
  }                                                                                                                    \
  TG_CLONES void attention_grad_rows(T* s, T* dp, int64_t rows, int64_t cols, const AttentionMasks<T>& m, const T* lse) { \
    grad_rows<T>(s, dp, rows, cols, m, lse);                                                                           \
  }

TG_ATTENTION_ROWS(float)
TG_ATTENTION_ROWS(double)

}  // namespace tg
