// LayerNorm over the last n elements of each of `rows` contiguous rows, forward and backward, one
// pass per row (sums in double): y = (x - mean) rstd w + b, rstd = 1 / sqrt(var + eps) with the
// biased variance, as torch.nn.functional.layer_norm; w and b may be null (no affine).
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "parallel.h"
#include "view.h"

namespace tg {

// Rows per task below which threads cost more than they save.
inline int64_t layer_norm_grain(int64_t n) { return std::max<int64_t>(1, 32768 / std::max<int64_t>(n, 1)); }

// Rows [r0, r1), in layer_norm.cc: the forward (writing each row's mean and rstd, which the
// backward reads), dx, and the sums over rows of dy xhat and of dy (added into sw and sb).
#define TG_LAYER_NORM_DECLARE(T)                                                                                  \
  void layer_norm_rows(int64_t n, const T* x, const T* w, const T* b, double eps, T* y, T* mean, T* rstd,        \
                       int64_t r0, int64_t r1);                                                                   \
  void layer_norm_backward_rows(int64_t n, const T* dy, const T* x, const T* mean, const T* rstd, const T* w,     \
                                T* dx, int64_t r0, int64_t r1);                                                   \
  void layer_norm_param_rows(int64_t n, const T* dy, const T* x, const T* mean, const T* rstd, double* sw,        \
                             double* sb, int64_t r0, int64_t r1);
TG_LAYER_NORM_DECLARE(float)
TG_LAYER_NORM_DECLARE(double)
#undef TG_LAYER_NORM_DECLARE

// rows (mean's elements) and n (x's elements per row) from the operands; every operand must be
// contiguous, with rows x n (x-like) or n (weight-like) or rows (statistics) elements.
struct LayerNormSizes {
  int64_t rows = 0, n = 0;
  void expect(const View& v, int64_t count, const char* name) const {
    if (v.numel() != count || !v.contiguous())
      raise(ErrorKind::Range, std::string("layer_norm: ") + name + " of shape " + shape_str(v) + " must be contiguous with " +
                                  std::to_string(count) + " elements");
  }
};

inline LayerNormSizes layer_norm_sizes(const View& x, const View& mean) {
  LayerNormSizes s;
  s.rows = mean.numel();
  s.n = s.rows == 0 ? 0 : x.numel() / s.rows;
  if (s.rows == 0 || s.n == 0) raise(ErrorKind::Range, "layer_norm: no rows to normalise");
  s.expect(x, s.rows * s.n, "x");
  s.expect(mean, s.rows, "mean");
  return s;
}

template <class T>
void layer_norm_forward(int64_t rows, int64_t n, const T* x, const T* w, const T* b, double eps, T* y, T* mean, T* rstd) {
  parallel_for(rows, layer_norm_grain(n), [&](int64_t r0, int64_t r1) { layer_norm_rows(n, x, w, b, eps, y, mean, rstd, r0, r1); });
}

// dx = rstd (dy w - mean(dy w) - xhat mean(dy w xhat)), dw = sum over rows of dy xhat, db = sum of
// dy; any of dx, dw, db may be null (not needed). xhat = (x - mean) rstd from the saved mean, rstd.
template <class T>
void layer_norm_backward(int64_t rows, int64_t n, const T* dy, const T* x, const T* mean, const T* rstd, const T* w,
                         T* dx, T* dw, T* db) {
  if (dx != nullptr) {
    parallel_for(rows, layer_norm_grain(n),
                 [&](int64_t r0, int64_t r1) { layer_norm_backward_rows(n, dy, x, mean, rstd, w, dx, r0, r1); });
  }
  if (dw == nullptr && db == nullptr) return;
  std::vector<double> sw(size_t(n), 0.0), sb(size_t(n), 0.0);
  layer_norm_param_rows(n, dy, x, mean, rstd, sw.data(), sb.data(), 0, rows);
  for (int64_t j = 0; j < n; ++j) {
    if (dw != nullptr) dw[j] = T(sw[size_t(j)]);
    if (db != nullptr) db[j] = T(sb[size_t(j)]);
  }
}

}  // namespace tg
