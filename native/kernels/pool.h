// Pooling over planes: max (with the flat index of each maximum), average and adaptive average, and
// their gradients. Images are [n, c, h, w] and outputs [n, c, oh, ow], both contiguous; a plane is
// one (n, c) image, and each task owns whole planes, so that no two threads write the same place.
// The window arithmetic is PyTorch's (aten/src/ATen/native/cpu/MaxPoolKernel.cpp, AvgPoolKernel.cpp,
// AdaptiveAvgPoolKernel.cpp): the same clipping at the borders, divisors and tie-breaking.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "im2col.h"
#include "view.h"

namespace tg {

// Items per task when each touches a * b elements (either may be 0).
inline int64_t task_grain(int64_t a, int64_t b) { return items_per_task(std::max<int64_t>(a, 1), std::max<int64_t>(b, 1)); }

struct PoolGeometry {
  int64_t planes, h, w, oh, ow;
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1;
};

// The planes of `in` and `out` ([n, c, h, w] and [n, c, oh, ow], contiguous, the same n and c) with
// the window k = {kh, kw, sh, sw, ph, pw, dh, dw}; every window position must be representable.
inline PoolGeometry pool_geometry(const View& in, const View& out, const int64_t (&k)[8], const char* op) {
  if (in.ndim != 4 || out.ndim != 4 || !in.contiguous() || !out.contiguous() || in.shape[0] != out.shape[0] ||
      in.shape[1] != out.shape[1])
    raise(ErrorKind::Shape, std::string(op) + ": expected contiguous [n, c, h, w] input and output with the same n and c, got " +
                                shape_str(in) + " and " + shape_str(out));
  PoolGeometry g{in.shape[0] * in.shape[1], in.shape[2], in.shape[3], out.shape[2], out.shape[3]};
  g.kh = k[0], g.kw = k[1], g.sh = k[2], g.sw = k[3], g.ph = k[4], g.pw = k[5], g.dh = k[6], g.dw = k[7];
  // the furthest index any window reaches stays far from overflow
  const auto fits = [](int64_t o, int64_t s, int64_t kk, int64_t d) {
    int64_t a, b;
    return !__builtin_mul_overflow(o, s, &a) && !__builtin_mul_overflow(kk, d, &b) && a < (int64_t(1) << 61) && b < (int64_t(1) << 61);
  };
  if (!fits(g.oh, g.sh, g.kh, g.dh) || !fits(g.ow, g.sw, g.kw, g.dw)) raise(ErrorKind::Range, std::string(op) + ": sizes too large");
  return g;
}

// out = the largest element of each window (NaN wins), idx = its flat index in the plane (h * w + w);
// a window that lies wholly in the padding gives -inf and index -1.
template <class T>
void max_pool2d(const T* x, T* out, int64_t* idx, const PoolGeometry& g) {
  parallel_for(g.planes, task_grain(g.oh * g.ow, g.kh * g.kw), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const T* img = x + p * g.h * g.w;
      T* o = out + p * g.oh * g.ow;
      int64_t* id = idx + p * g.oh * g.ow;
      for (int64_t y = 0; y < g.oh; ++y) {
        int64_t y0 = y * g.sh - g.ph;
        const int64_t y1 = std::min(y0 + (g.kh - 1) * g.dh + 1, g.h);
        if (y0 < 0) y0 += (-y0 + g.dh - 1) / g.dh * g.dh;
        for (int64_t q = 0; q < g.ow; ++q) {
          int64_t x0 = q * g.sw - g.pw;
          const int64_t x1 = std::min(x0 + (g.kw - 1) * g.dw + 1, g.w);
          if (x0 < 0) x0 += (-x0 + g.dw - 1) / g.dw * g.dw;
          T best = -std::numeric_limits<T>::infinity();
          int64_t at = y0 < y1 && x0 < x1 ? y0 * g.w + x0 : -1;
          for (int64_t r = y0; r < y1; r += g.dh) {
            for (int64_t c = x0; c < x1; c += g.dw) {
              const T v = img[r * g.w + c];
              if (v > best || std::isnan(v)) best = v, at = r * g.w + c;
            }
          }
          o[y * g.ow + q] = best;
          id[y * g.ow + q] = at;
        }
      }
    }
  });
}

// dx = 0, then each g element added at its window's index (indices outside the plane are skipped).
template <class T>
void max_pool2d_backward(const T* gout, const int64_t* idx, T* dx, const PoolGeometry& g) {
  parallel_for(g.planes, task_grain(g.h * g.w + g.oh * g.ow, 1), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      T* d = dx + p * g.h * g.w;
      const T* s = gout + p * g.oh * g.ow;
      const int64_t* id = idx + p * g.oh * g.ow;
      std::fill(d, d + g.h * g.w, T(0));
      for (int64_t e = 0; e < g.oh * g.ow; ++e) {
        if (id[e] >= 0 && id[e] < g.h * g.w) d[id[e]] += s[e];
      }
    }
  });
}

// One average window: the clipped rows [y0, y1) and columns [x0, x1), and what the sum is divided by.
struct AvgWindow {
  int64_t y0, y1, x0, x1, divisor;
};

inline AvgWindow avg_window(const PoolGeometry& g, int64_t y, int64_t q, bool count_include_pad, int64_t divisor_override) {
  AvgWindow a;
  a.y0 = y * g.sh - g.ph, a.x0 = q * g.sw - g.pw;
  a.y1 = std::min(a.y0 + g.kh, g.h + g.ph), a.x1 = std::min(a.x0 + g.kw, g.w + g.pw);
  const int64_t pool_size = (a.y1 - a.y0) * (a.x1 - a.x0);
  a.y0 = std::max<int64_t>(a.y0, 0), a.x0 = std::max<int64_t>(a.x0, 0);
  a.y1 = std::min(a.y1, g.h), a.x1 = std::min(a.x1, g.w);
  a.divisor = divisor_override != 0 ? divisor_override : count_include_pad ? pool_size : (a.y1 - a.y0) * (a.x1 - a.x0);
  return a;
}

template <class T>
void avg_pool2d(const T* x, T* out, const PoolGeometry& g, bool count_include_pad, int64_t divisor_override) {
  parallel_for(g.planes, task_grain(g.oh * g.ow, g.kh * g.kw), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const T* img = x + p * g.h * g.w;
      T* o = out + p * g.oh * g.ow;
      for (int64_t y = 0; y < g.oh; ++y) {
        for (int64_t q = 0; q < g.ow; ++q) {
          const AvgWindow a = avg_window(g, y, q, count_include_pad, divisor_override);
          if (a.y0 >= a.y1 || a.x0 >= a.x1) {
            o[y * g.ow + q] = T(0);
            continue;
          }
          T sum = 0;
          for (int64_t r = a.y0; r < a.y1; ++r)
            for (int64_t c = a.x0; c < a.x1; ++c) sum += img[r * g.w + c];
          o[y * g.ow + q] = sum / T(a.divisor);
        }
      }
    }
  });
}

template <class T>
void avg_pool2d_backward(const T* gout, T* dx, const PoolGeometry& g, bool count_include_pad, int64_t divisor_override) {
  parallel_for(g.planes, task_grain(g.oh * g.ow, g.kh * g.kw), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      T* d = dx + p * g.h * g.w;
      const T* s = gout + p * g.oh * g.ow;
      std::fill(d, d + g.h * g.w, T(0));
      for (int64_t y = 0; y < g.oh; ++y) {
        for (int64_t q = 0; q < g.ow; ++q) {
          const AvgWindow a = avg_window(g, y, q, count_include_pad, divisor_override);
          const T delta = s[y * g.ow + q] / T(a.divisor);
          for (int64_t r = a.y0; r < a.y1; ++r)
            for (int64_t c = a.x0; c < a.x1; ++c) d[r * g.w + c] += delta;
        }
      }
    }
  });
}

// Adaptive windows: output o of `out` covers input [floor(o * in / out), ceil((o + 1) * in / out)).
inline int64_t adaptive_start(int64_t o, int64_t out, int64_t in) { return (o * in) / out; }
inline int64_t adaptive_end(int64_t o, int64_t out, int64_t in) { return ((o + 1) * in + out - 1) / out; }

inline PoolGeometry adaptive_geometry(const View& in, const View& out, const char* op) {
  const int64_t k[8] = {1, 1, 1, 1, 0, 0, 1, 1};
  PoolGeometry g = pool_geometry(in, out, k, op);
  int64_t a, b;
  if (__builtin_mul_overflow(g.oh + 1, g.h + 1, &a) || __builtin_mul_overflow(g.ow + 1, g.w + 1, &b))
    raise(ErrorKind::Range, std::string(op) + ": sizes too large");
  return g;
}

template <class T>
void adaptive_avg_pool2d(const T* x, T* out, const PoolGeometry& g) {
  parallel_for(g.planes, task_grain(g.h * g.w, 2), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const T* img = x + p * g.h * g.w;
      T* o = out + p * g.oh * g.ow;
      for (int64_t y = 0; y < g.oh; ++y) {
        const int64_t y0 = adaptive_start(y, g.oh, g.h), y1 = adaptive_end(y, g.oh, g.h);
        for (int64_t q = 0; q < g.ow; ++q) {
          const int64_t x0 = adaptive_start(q, g.ow, g.w), x1 = adaptive_end(q, g.ow, g.w);
          T sum = 0;
          for (int64_t r = y0; r < y1; ++r)
            for (int64_t c = x0; c < x1; ++c) sum += img[r * g.w + c];
          o[y * g.ow + q] = sum / T(y1 - y0) / T(x1 - x0);
        }
      }
    }
  });
}

template <class T>
void adaptive_avg_pool2d_backward(const T* gout, T* dx, const PoolGeometry& g) {
  parallel_for(g.planes, task_grain(g.h * g.w, 2), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      T* d = dx + p * g.h * g.w;
      const T* s = gout + p * g.oh * g.ow;
      std::fill(d, d + g.h * g.w, T(0));
      for (int64_t y = 0; y < g.oh; ++y) {
        const int64_t y0 = adaptive_start(y, g.oh, g.h), y1 = adaptive_end(y, g.oh, g.h);
        for (int64_t q = 0; q < g.ow; ++q) {
          const int64_t x0 = adaptive_start(q, g.ow, g.w), x1 = adaptive_end(q, g.ow, g.w);
          const T delta = s[y * g.ow + q] / T(y1 - y0) / T(x1 - x0);
          for (int64_t r = y0; r < y1; ++r)
            for (int64_t c = x0; c < x1; ++c) d[r * g.w + c] += delta;
        }
      }
    }
  });
}

}  // namespace tg
