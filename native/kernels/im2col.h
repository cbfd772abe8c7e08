// im2col and col2im: the windows of a batch of images laid out as the columns of a matrix, so
// that a convolution is one matrix product (and back, summing overlapping windows, for its
// gradient). x is [n, c, h, w] and cols is [n, c * kh * kw, oh * ow], both contiguous.
#pragma once
#include <cstdint>

#include "parallel.h"
#include "view.h"

namespace tg {

// Items per parallel task when each item touches `work` elements: enough that a woken thread pays
// for itself (see kElementwiseGrain in elementwise.h).
inline int64_t items_per_task(int64_t a, int64_t b) {
  int64_t work;
  if (__builtin_mul_overflow(a, b, &work) || work >= 131072) return 1;
  return 131072 / work + 1;
}

struct WindowGeometry {
  int64_t c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow;
  int64_t image() const { return c * h * w; }
  int64_t columns() const { return c * kh * kw * oh * ow; }
};

// The geometry of windows kh x kw (stride sh, sw; padding ph, pw; dilation dh, dw) over images
// [n, c, h, w], with the output size derived; images and cols ([n, c * kh * kw, oh * ow]) must be
// contiguous and of those shapes.
inline WindowGeometry window_geometry(const View& images, const View& cols, const int64_t (&k)[8]) {
  if (images.ndim != 4 || !images.contiguous() || !cols.contiguous())
    raise(ErrorKind::Range, "im2col: expected contiguous [n, c, h, w] images and columns");
  WindowGeometry g;
  g.c = images.shape[1], g.h = images.shape[2], g.w = images.shape[3];
  g.kh = k[0], g.kw = k[1], g.sh = k[2], g.sw = k[3], g.ph = k[4], g.pw = k[5], g.dh = k[6], g.dw = k[7];
  const auto mul = [](int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r) || r > (int64_t(1) << 53)) raise(ErrorKind::Range, "im2col: sizes too large");
    return r;
  };
  mul(g.kh, g.kw);  // the window's size, used below and by the kernels, fits
  const int64_t span_h = mul(g.dh, g.kh - 1) + 1, span_w = mul(g.dw, g.kw - 1) + 1;
  const int64_t in_h = g.h + 2 * g.ph, in_w = g.w + 2 * g.pw;
  if (in_h < span_h || in_w < span_w) raise(ErrorKind::Shape, "im2col: the kernel is larger than the padded input");
  g.oh = (in_h - span_h) / g.sh + 1;
  g.ow = (in_w - span_w) / g.sw + 1;
  if (cols.ndim != 3 || cols.shape[0] != images.shape[0] || cols.shape[1] != mul(mul(g.c, g.kh), g.kw) ||
      cols.shape[2] != mul(g.oh, g.ow))
    raise(ErrorKind::Shape, "im2col: columns of shape " + shape_str(cols) + " do not fit images of shape " + shape_str(images));
  return g;
}

// cols[b][(ci * kh + i) * kw + j][y * ow + x] = x[b][ci][y * sh - ph + i * dh][x * sw - pw + j * dw],
// or pad where that falls outside the image.
template <class T>
void im2col(const T* x, T* cols, int64_t n, const WindowGeometry& g, T pad) {
  const int64_t rows = g.c * g.kh * g.kw;
  parallel_for(n * rows, items_per_task(g.oh, g.ow), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const int64_t b = r / rows, k = r % rows;
      const int64_t ci = k / (g.kh * g.kw), i = (k / g.kw) % g.kh, j = k % g.kw;
      const T* img = x + b * g.image() + ci * g.h * g.w;
      T* out = cols + r * g.oh * g.ow;
      for (int64_t y = 0; y < g.oh; ++y) {
        const int64_t row = y * g.sh - g.ph + i * g.dh;
        T* o = out + y * g.ow;
        if (row < 0 || row >= g.h) {
          for (int64_t q = 0; q < g.ow; ++q) o[q] = pad;
          continue;
        }
        const T* line = img + row * g.w;
        for (int64_t q = 0; q < g.ow; ++q) {
          const int64_t col = q * g.sw - g.pw + j * g.dw;
          o[q] = col >= 0 && col < g.w ? line[col] : pad;
        }
      }
    }
  });
}

// dx[b][ci][row][col] = the sum of the cols entries im2col took from there (dx overwritten).
template <class T>
void col2im(const T* cols, T* dx, int64_t n, const WindowGeometry& g) {
  const int64_t rows = g.c * g.kh * g.kw;
  // one image channel per task: the windows of different channels never write to the same place
  parallel_for(n * g.c, items_per_task(g.h * g.w, g.kh * g.kw), [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const int64_t b = t / g.c, ci = t % g.c;
      T* img = dx + b * g.image() + ci * g.h * g.w;
      for (int64_t e = 0; e < g.h * g.w; ++e) img[e] = T(0);
      for (int64_t i = 0; i < g.kh; ++i) {
        for (int64_t j = 0; j < g.kw; ++j) {
          const T* src = cols + (b * rows + (ci * g.kh + i) * g.kw + j) * g.oh * g.ow;
          for (int64_t y = 0; y < g.oh; ++y) {
            const int64_t row = y * g.sh - g.ph + i * g.dh;
            if (row < 0 || row >= g.h) continue;
            T* line = img + row * g.w;
            const T* s = src + y * g.ow;
            for (int64_t q = 0; q < g.ow; ++q) {
              const int64_t col = q * g.sw - g.pw + j * g.dw;
              if (col >= 0 && col < g.w) line[col] += s[q];
            }
          }
        }
      }
    }
  });
}

}  // namespace tg
