// Upsampling of [n, c, h, w] planes to [n, c, oh, ow] (contiguous): nearest ('nearest' and
// 'nearest-exact') and bilinear, and their gradients. Source indices and weights follow PyTorch's
// formulas exactly (aten/src/ATen/native/UpSample.h, cpu/UpSampleKernel.cpp), including where it
// computes in float: a scale given by the caller (> 0) is used as 1 / scale, else in / out.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "pool.h"

namespace tg {

// 1 / scale when one is given, else in / out, in the type U.
template <class U>
U scale_value(double scale, int64_t in, int64_t out) {
  return scale > 0 ? static_cast<U>(1.0 / scale) : static_cast<U>(in) / static_cast<U>(out);
}

// The scale of linear modes (align_corners: (in - 1) / (out - 1)).
template <class U>
U linear_scale(double scale, int64_t in, int64_t out, bool align_corners) {
  if (align_corners) return out > 1 ? static_cast<U>(in - 1) / static_cast<U>(out - 1) : U(0);
  return scale_value<U>(scale, in, out);
}

template <class U>
U source_index(U scale, int64_t o, bool align_corners) {
  if (align_corners) return scale * static_cast<U>(o);
  const U s = scale * (static_cast<U>(o) + U(0.5)) - U(0.5);
  return s < U(0) ? U(0) : s;
}

// The input index of each output index along one dim. The forward pass computes in T; the
// backward pass in float, as PyTorch's do (they differ only where T's rounding moves a boundary).
template <class U>
std::vector<int64_t> nearest_indices(int64_t in, int64_t out, double scale, bool exact, bool backward) {
  std::vector<int64_t> idx(size_t(std::max<int64_t>(out, 0)));
  for (int64_t o = 0; o < out; ++o) {
    int64_t i;
    if (backward) {
      const float s = scale_value<float>(scale, in, out);
      if (exact) i = int64_t(std::floor(float((double(o) + 0.5) * double(s))));
      else if (out == in) i = o;
      else if (out == 2 * in) i = o >> 1;
      else i = int64_t(std::floor(float(o) * s));
    } else {
      const U s = scale_value<U>(scale, in, out);
      i = exact ? int64_t(std::floor(float(source_index<U>(s, o, false) + U(0.5)))) : int64_t(std::floor(float(s * static_cast<U>(o))));
    }
    idx[size_t(o)] = std::max<int64_t>(std::min(i, in - 1), 0);
  }
  return idx;
}

template <class T>
void upsample_nearest2d(const T* x, T* out, const PoolGeometry& g, double scale_h, double scale_w, bool exact) {
  const auto ys = nearest_indices<T>(g.h, g.oh, scale_h, exact, false), xs = nearest_indices<T>(g.w, g.ow, scale_w, exact, false);
  parallel_for(g.planes, task_grain(g.oh, g.ow), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const T* img = x + p * g.h * g.w;
      T* o = out + p * g.oh * g.ow;
      for (int64_t y = 0; y < g.oh; ++y) {
        const T* line = img + ys[size_t(y)] * g.w;
        for (int64_t q = 0; q < g.ow; ++q) o[y * g.ow + q] = line[xs[size_t(q)]];
      }
    }
  });
}

template <class T>
void upsample_nearest2d_backward(const T* gout, T* dx, const PoolGeometry& g, double scale_h, double scale_w, bool exact) {
  const auto ys = nearest_indices<T>(g.h, g.oh, scale_h, exact, true), xs = nearest_indices<T>(g.w, g.ow, scale_w, exact, true);
  parallel_for(g.planes, task_grain(g.oh + g.h, g.ow + g.w), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      T* d = dx + p * g.h * g.w;
      const T* s = gout + p * g.oh * g.ow;
      std::fill(d, d + g.h * g.w, T(0));
      for (int64_t y = 0; y < g.oh; ++y) {
        T* line = d + ys[size_t(y)] * g.w;
        for (int64_t q = 0; q < g.ow; ++q) line[xs[size_t(q)]] += s[y * g.ow + q];
      }
    }
  });
}

// Along one dim: the two input indices of each output index and their weights.
template <class T>
struct LinearTaps {
  std::vector<int64_t> i0, i1;
  std::vector<T> w0, w1;
};

template <class T>
LinearTaps<T> linear_taps(int64_t in, int64_t out, double scale, bool align_corners) {
  LinearTaps<T> t;
  const size_t n = size_t(std::max<int64_t>(out, 0));
  t.i0.resize(n), t.i1.resize(n), t.w0.resize(n), t.w1.resize(n);
  const T ratio = linear_scale<T>(scale, in, out, align_corners);
  for (int64_t o = 0; o < out; ++o) {
    const size_t k = size_t(o);
    if (out == in) {
      t.i0[k] = t.i1[k] = o, t.w0[k] = T(1), t.w1[k] = T(0);
      continue;
    }
    const T real = source_index<T>(ratio, o, align_corners);
    const int64_t i = std::max<int64_t>(std::min(int64_t(std::floor(float(real))), in - 1), 0);
    const T lambda = std::min(std::max(real - static_cast<T>(i), T(0)), T(1));
    t.i0[k] = i, t.i1[k] = i + (i < in - 1 ? 1 : 0);
    t.w1[k] = lambda, t.w0[k] = T(1) - lambda;
  }
  return t;
}

template <class T>
void upsample_bilinear2d(const T* x, T* out, const PoolGeometry& g, double scale_h, double scale_w, bool align_corners) {
  const auto ty = linear_taps<T>(g.h, g.oh, scale_h, align_corners), tx = linear_taps<T>(g.w, g.ow, scale_w, align_corners);
  const bool flat = g.h == 1 && g.oh == 1;  // a 1-D input: no rows to blend
  parallel_for(g.planes, task_grain(g.oh, g.ow * 4), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const T* img = x + p * g.h * g.w;
      T* o = out + p * g.oh * g.ow;
      for (int64_t y = 0; y < g.oh; ++y) {
        const size_t ky = size_t(y);
        const T* r0 = img + ty.i0[ky] * g.w;
        const T* r1 = img + ty.i1[ky] * g.w;
        for (int64_t q = 0; q < g.ow; ++q) {
          const size_t k = size_t(q);
          const int64_t a = tx.i0[k], b = tx.i1[k];
          const T top = r0[a] * tx.w0[k] + r0[b] * tx.w1[k];
          o[y * g.ow + q] = flat ? top : top * ty.w0[ky] + (r1[a] * tx.w0[k] + r1[b] * tx.w1[k]) * ty.w1[ky];
        }
      }
    }
  });
}

template <class T>
void upsample_bilinear2d_backward(const T* gout, T* dx, const PoolGeometry& g, double scale_h, double scale_w, bool align_corners) {
  const auto ty = linear_taps<T>(g.h, g.oh, scale_h, align_corners), tx = linear_taps<T>(g.w, g.ow, scale_w, align_corners);
  parallel_for(g.planes, task_grain(g.oh + g.h, (g.ow + g.w) * 4), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      T* d = dx + p * g.h * g.w;
      const T* s = gout + p * g.oh * g.ow;
      std::fill(d, d + g.h * g.w, T(0));
      for (int64_t y = 0; y < g.oh; ++y) {
        const size_t ky = size_t(y);
        T* r0 = d + ty.i0[ky] * g.w;
        T* r1 = d + ty.i1[ky] * g.w;
        for (int64_t q = 0; q < g.ow; ++q) {
          const size_t k = size_t(q);
          const T v = s[y * g.ow + q];
          r0[tx.i0[k]] += ty.w0[ky] * tx.w0[k] * v;
          r0[tx.i1[k]] += ty.w0[ky] * tx.w1[k] * v;
          r1[tx.i0[k]] += ty.w1[ky] * tx.w0[k] * v;
          r1[tx.i1[k]] += ty.w1[ky] * tx.w1[k] * v;
        }
      }
    }
  });
}

}  // namespace tg
