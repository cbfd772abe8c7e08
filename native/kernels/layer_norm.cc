// The rows of layer_norm.h, compiled once per instruction set: sums in float64 partials in rows.h's
// fixed order, so that every version gives the same bits.
#include <cmath>

#include "layer_norm.h"
#include "rows.h"

namespace tg {
namespace {

using rows::Vec;

// x[j .. j + count) as float64 lanes.
template <class T>
TG_INLINE auto wide(const T* x) {
  return [x](int64_t j, int count) TG_LAMBDA { return rows::load_wide(x + j, count); };
}

template <class T>
TG_INLINE void forward_rows(int64_t n, const T* x, const T* w, const T* b, double eps, T* y, T* mean, T* rstd,
                            int64_t r0, int64_t r1) {
  for (int64_t r = r0; r < r1; ++r) {
    const T* xr = x + r * n;
    const double m = rows::sum<double>(n, wide(xr)) / double(n);
    const double v = rows::sum<double>(n, [&](int64_t j, int count) TG_LAMBDA {
      const Vec<double> d = rows::load_wide(xr + j, count) - m;
      return d * d;
    });
    const double rs = 1.0 / std::sqrt(v / double(n) + eps);
    mean[r] = T(m);
    rstd[r] = T(rs);
    T* yr = y + r * n;
    for (int64_t j = 0; j < n; ++j) {
      const double h = (double(xr[j]) - m) * rs;
      yr[j] = T((w != nullptr ? h * double(w[j]) : h) + (b != nullptr ? double(b[j]) : 0.0));
    }
  }
}

// dx for rows [r0, r1): rstd (g - (sum(g) + xhat sum(g xhat)) / n) with g = dy w.
template <class T>
TG_INLINE void backward_rows(int64_t n, const T* dy, const T* x, const T* mean, const T* rstd, const T* w, T* dx,
                             int64_t r0, int64_t r1) {
  for (int64_t r = r0; r < r1; ++r) {
    const T* xr = x + r * n;
    const T* gr = dy + r * n;
    const double m = double(mean[r]), rs = double(rstd[r]);
    auto g_at = [&](int64_t j, int count) TG_LAMBDA {
      const Vec<double> g = rows::load_wide(gr + j, count);
      return w != nullptr ? g * rows::load_wide(w + j, count) : g;
    };
    const double a = rows::sum<double>(n, [&](int64_t j, int count) TG_LAMBDA {
      return g_at(j, count) * ((rows::load_wide(xr + j, count) - m) * rs);
    });
    const double c = rows::sum<double>(n, g_at);
    T* dr = dx + r * n;
    for (int64_t j = 0; j < n; ++j) {
      const double g = w != nullptr ? double(gr[j]) * double(w[j]) : double(gr[j]);
      const double h = (double(xr[j]) - m) * rs;
      dr[j] = T(rs * (g - (c + h * a) / double(n)));
    }
  }
}

// Adds rows [r0, r1)'s dy xhat into sw and dy into sb (n each).
template <class T>
TG_INLINE void param_rows(int64_t n, const T* dy, const T* x, const T* mean, const T* rstd, double* sw, double* sb,
                          int64_t r0, int64_t r1) {
  for (int64_t r = r0; r < r1; ++r) {
    const T* xr = x + r * n;
    const T* gr = dy + r * n;
    const double m = double(mean[r]), rs = double(rstd[r]);
    for (int64_t j = 0; j < n; ++j) {
      sw[j] += double(gr[j]) * ((double(xr[j]) - m) * rs);
      sb[j] += double(gr[j]);
    }
  }
}

}  // namespace

#define TG_LAYER_NORM_ROWS(T)                                                                                   \
  TG_CLONES void layer_norm_rows(int64_t n, const T* x, const T* w, const T* b, double eps, T* y, T* mean,     \
                                 T* rstd, int64_t r0, int64_t r1) {                                             \
    forward_rows(n, x, w, b, eps, y, mean, rstd, r0, r1);                                                       \
  }                                                                                                             \
  TG_CLONES void layer_norm_backward_rows(int64_t n, const T* dy, const T* x, const T* mean, const T* rstd,     \
                                          const T* w, T* dx, int64_t r0, int64_t r1) {                          \
    backward_rows(n, dy, x, mean, rstd, w, dx, r0, r1);                                                         \
  }                                                                                                             \
  TG_CLONES void layer_norm_param_rows(int64_t n, const T* dy, const T* x, const T* mean, const T* rstd,        \
                                       double* sw, double* sb, int64_t r0, int64_t r1) {                        \
    param_rows(n, dy, x, mean, rstd, sw, sb, r0, r1);                                                           \
  }

TG_LAYER_NORM_ROWS(float)
TG_LAYER_NORM_ROWS(double)

}  // namespace tg
