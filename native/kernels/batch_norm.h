// Batch normalisation over the channels (dim 1) of a contiguous [n, c, l...] input, forward and
// backward, one pass per channel with sums in double: the statistics are the mean and the biased
// variance over n and the trailing dims (training), or the running statistics (eval), as
// torch.nn.functional.batch_norm. Training also updates the running statistics, when given, with
// the unbiased variance: r = (1 - momentum) r + momentum stat.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "parallel.h"
#include "view.h"

namespace tg {

// n (dim 0), c (dim 1) and l (the product of the trailing dims) of x, checked against stats (c long).
struct BatchNormSizes {
  int64_t n = 0, c = 0, l = 0;
  int64_t count() const { return n * l; }
  void expect(const View& v, int64_t elements, const char* name) const {
    if (v.numel() != elements || !v.contiguous())
      raise(ErrorKind::Range, std::string("batch_norm: ") + name + " of shape " + shape_str(v) + " must be contiguous with " +
                                  std::to_string(elements) + " elements");
  }
};

inline BatchNormSizes batch_norm_sizes(const View& x, const View& stats) {
  if (x.ndim < 2) raise(ErrorKind::Shape, "batch_norm: the input must have at least 2 dims, got shape " + shape_str(x));
  BatchNormSizes s;
  s.n = x.shape[0];
  s.c = x.shape[1];
  s.l = 1;
  for (int d = 2; d < x.ndim; ++d) s.l *= x.shape[d];
  s.expect(x, s.n * s.c * s.l, "x");
  s.expect(stats, s.c, "a statistic");
  return s;
}

// Channels per task below which threads cost more than they save.
inline int64_t batch_norm_grain(const BatchNormSizes& s) { return std::max<int64_t>(1, 32768 / std::max<int64_t>(s.count(), 1)); }

// Visits x's elements of channel ch as f(index).
template <class F>
inline void for_channel(const BatchNormSizes& s, int64_t ch, F&& f) {
  for (int64_t i = 0; i < s.n; ++i) {
    const int64_t base = (i * s.c + ch) * s.l;
    for (int64_t j = 0; j < s.l; ++j) f(base + j);
  }
}

// y from x; mean and invstd (c long) receive the statistics used, which the backward reads.
// running_mean / running_var may be null (not tracked); in eval (training false) they must be given.
template <class T>
void batch_norm_forward(const BatchNormSizes& s, const T* x, const T* w, const T* b, T* running_mean, T* running_var,
                        bool training, double momentum, double eps, T* y, T* mean, T* invstd) {
  parallel_for(s.c, batch_norm_grain(s), [&](int64_t c0, int64_t c1) {
    for (int64_t ch = c0; ch < c1; ++ch) {
      double m, is;
      if (training) {
        const double count = double(s.count());
        double sum = 0;
        for_channel(s, ch, [&](int64_t k) { sum += double(x[k]); });
        m = sum / count;
        double sq = 0;
        for_channel(s, ch, [&](int64_t k) {
          const double d = double(x[k]) - m;
          sq += d * d;
        });
        is = 1.0 / std::sqrt(sq / count + eps);
        if (running_mean != nullptr) running_mean[ch] = T(momentum * m + (1 - momentum) * double(running_mean[ch]));
        if (running_var != nullptr) running_var[ch] = T(momentum * (sq / (count - 1)) + (1 - momentum) * double(running_var[ch]));
      } else {
        m = double(running_mean[ch]);
        is = 1.0 / std::sqrt(double(running_var[ch]) + eps);
      }
      mean[ch] = T(m);
      invstd[ch] = T(is);
      const double scale = w != nullptr ? is * double(w[ch]) : is, shift = b != nullptr ? double(b[ch]) : 0.0;
      for_channel(s, ch, [&](int64_t k) { y[k] = T((double(x[k]) - m) * scale + shift); });
    }
  });
}

// dx (training: through the batch statistics; eval: dy w invstd), dw = sum(dy xhat), db = sum(dy);
// any of dx, dw, db may be null (not needed).
template <class T>
void batch_norm_backward(const BatchNormSizes& s, const T* dy, const T* x, const T* mean, const T* invstd, const T* w,
                         bool training, T* dx, T* dw, T* db) {
  parallel_for(s.c, batch_norm_grain(s), [&](int64_t c0, int64_t c1) {
    for (int64_t ch = c0; ch < c1; ++ch) {
      const double m = double(mean[ch]), is = double(invstd[ch]), count = double(s.count());
      double sum_dy = 0, dot = 0;
      for_channel(s, ch, [&](int64_t k) {
        sum_dy += double(dy[k]);
        dot += double(dy[k]) * (double(x[k]) - m);
      });
      if (dw != nullptr) dw[ch] = T(dot * is);
      if (db != nullptr) db[ch] = T(sum_dy);
      if (dx == nullptr) continue;
      const double scale = w != nullptr ? is * double(w[ch]) : is;
      if (training) {
        const double k2 = dot * is * is / count, mean_dy = sum_dy / count;
        for_channel(s, ch, [&](int64_t k) { dx[k] = T((double(dy[k]) - mean_dy - (double(x[k]) - m) * k2) * scale); });
      } else {
        for_channel(s, ch, [&](int64_t k) { dx[k] = T(double(dy[k]) * scale); });
      }
    }
  });
}

}  // namespace tg
