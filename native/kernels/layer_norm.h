// LayerNorm over the last n elements of each of `rows` contiguous rows, forward and backward, one
// pass per row (sums in double): y = (x - mean) rstd w + b, rstd = 1 / sqrt(var + eps) with the
// biased variance, as torch.nn.functional.layer_norm; w and b may be null (no affine).
#pragma once
#include <cmath>
#include <cstdint>
#include <vector>

#include "parallel.h"

namespace tg {

// Rows per task below which threads cost more than they save.
inline int64_t layer_norm_grain(int64_t n) { return std::max<int64_t>(1, 32768 / std::max<int64_t>(n, 1)); }

// Also writes each row's mean and rstd, which the backward reads.
template <class T>
void layer_norm_forward(int64_t rows, int64_t n, const T* x, const T* w, const T* b, double eps, T* y, T* mean, T* rstd) {
  parallel_for(rows, layer_norm_grain(n), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* xr = x + r * n;
      double s = 0;
      for (int64_t j = 0; j < n; ++j) s += double(xr[j]);
      const double m = s / double(n);
      double v = 0;
      for (int64_t j = 0; j < n; ++j) v += (double(xr[j]) - m) * (double(xr[j]) - m);
      const double rs = 1.0 / std::sqrt(v / double(n) + eps);
      mean[r] = T(m);
      rstd[r] = T(rs);
      T* yr = y + r * n;
      for (int64_t j = 0; j < n; ++j) {
        const double h = (double(xr[j]) - m) * rs;
        yr[j] = T((w != nullptr ? h * double(w[j]) : h) + (b != nullptr ? double(b[j]) : 0.0));
      }
    }
  });
}

// dx = rstd (dy w - mean(dy w) - xhat mean(dy w xhat)), dw = sum over rows of dy xhat, db = sum of
// dy; any of dx, dw, db may be null (not needed). xhat = (x - mean) rstd from the saved mean, rstd.
template <class T>
void layer_norm_backward(int64_t rows, int64_t n, const T* dy, const T* x, const T* mean, const T* rstd, const T* w,
                         T* dx, T* dw, T* db) {
  if (dx != nullptr) {
    parallel_for(rows, layer_norm_grain(n), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const T* xr = x + r * n;
        const T* gr = dy + r * n;
        const double m = double(mean[r]), rs = double(rstd[r]);
        double a = 0, c = 0;
        for (int64_t j = 0; j < n; ++j) {
          const double g = w != nullptr ? double(gr[j]) * double(w[j]) : double(gr[j]);
          a += g * ((double(xr[j]) - m) * rs);
          c += g;
        }
        T* dr = dx + r * n;
        for (int64_t j = 0; j < n; ++j) {
          const double g = w != nullptr ? double(gr[j]) * double(w[j]) : double(gr[j]);
          const double h = (double(xr[j]) - m) * rs;
          dr[j] = T(rs * (g - (c + h * a) / double(n)));
        }
      }
    });
  }
  if (dw == nullptr && db == nullptr) return;
  std::vector<double> sw(size_t(n), 0.0), sb(size_t(n), 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x + r * n;
    const T* gr = dy + r * n;
    const double m = double(mean[r]), rs = double(rstd[r]);
    for (int64_t j = 0; j < n; ++j) {
      sw[size_t(j)] += double(gr[j]) * ((double(xr[j]) - m) * rs);
      sb[size_t(j)] += double(gr[j]);
    }
  }
  for (int64_t j = 0; j < n; ++j) {
    if (dw != nullptr) dw[j] = T(sw[size_t(j)]);
    if (db != nullptr) db[j] = T(sb[size_t(j)]);
  }
}

}  // namespace tg
