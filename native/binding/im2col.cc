// im2col(cols, x, n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, pad) and
// col2im(dx, cols, n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw): contiguous float tensors, the
// geometry as numbers (the metadata buffer holds nothing for these calls). The output size and
// every buffer length are computed and checked here.
#include <string>

#include "../kernels/im2col.h"
#include "args.h"
#include "binding.h"

namespace tg {
namespace {

constexpr int64_t kMaxExtent = int64_t(1) << 40;

int64_t extent(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t lo) {
  const double v = number_arg(info, i, name);
  if (!(v >= double(lo) && v <= double(kMaxExtent)) || v != double(int64_t(v)))
    fail(info.Env(), ErrorKind::Range, std::string("im2col: ") + name + " must be an integer >= " + std::to_string(lo));
  return int64_t(v);
}

int64_t product(Napi::Env env, std::initializer_list<int64_t> xs) {
  int64_t p = 1;
  for (int64_t x : xs)
    if (__builtin_mul_overflow(p, x, &p) || p > kMaxExtent) fail(env, ErrorKind::Range, "im2col: sizes too large");
  return p;
}

// n and the geometry from arguments 2..13, with the output size derived here.
int64_t geometry(const Napi::CallbackInfo& info, WindowGeometry* g) {
  Napi::Env env = info.Env();
  const int64_t n = extent(info, 2, "n", 0);
  g->c = extent(info, 3, "c", 1), g->h = extent(info, 4, "h", 1), g->w = extent(info, 5, "w", 1);
  g->kh = extent(info, 6, "kh", 1), g->kw = extent(info, 7, "kw", 1);
  g->sh = extent(info, 8, "sh", 1), g->sw = extent(info, 9, "sw", 1);
  g->ph = extent(info, 10, "ph", 0), g->pw = extent(info, 11, "pw", 0);
  g->dh = extent(info, 12, "dh", 1), g->dw = extent(info, 13, "dw", 1);
  const int64_t span_h = product(env, {g->dh, g->kh - 1}) + 1, span_w = product(env, {g->dw, g->kw - 1}) + 1;
  const int64_t in_h = g->h + 2 * g->ph, in_w = g->w + 2 * g->pw;
  if (in_h < span_h || in_w < span_w) fail(env, ErrorKind::Shape, "im2col: the kernel is larger than the padded input");
  g->oh = (in_h - span_h) / g->sh + 1;
  g->ow = (in_w - span_w) / g->sw + 1;
  // each size on its own (n may be 0), then with n
  product(env, {n, product(env, {g->c, g->h, g->w})});
  product(env, {n, product(env, {g->c, g->kh, g->kw, g->oh, g->ow})});
  return n;
}

void expect_length(Napi::Env env, const Buf& b, int64_t want, const char* op, const char* name) {
  if (b.length < want)
    fail(env, ErrorKind::Range, std::string(op) + ": " + name + " has " + std::to_string(b.length) + " elements, needs " + std::to_string(want));
}

// A call's images [n, c, h, w] and columns [n, c * kh * kw, oh * ow] (arguments 0 and 1, in the
// order `images_first` says), checked: one floating-point dtype, long enough for the geometry.
struct Windows {
  Buf images, cols;
  int64_t n;
  WindowGeometry g;
};

Windows windows(const Napi::CallbackInfo& info, bool images_first, const char* op, const char* images_name) {
  Napi::Env env = info.Env();
  Windows w{};
  w.images = buf_arg(info, images_first ? 0 : 1, images_name);
  w.cols = buf_arg(info, images_first ? 1 : 0, "cols");
  expect_float(env, w.images, op);
  expect_same_dtype(env, w.images, w.cols, op);
  w.n = geometry(info, &w.g);
  expect_length(env, w.images, w.n * w.g.image(), op, images_name);
  expect_length(env, w.cols, w.n * w.g.columns(), op, "cols");
  return w;
}

Napi::Value im2col_binding(const Napi::CallbackInfo& info) {
  const Windows w = windows(info, false, "im2col", "x");
  const double pad = number_arg(info, 14, "pad");
  Meta meta(info);  // this instance's threads
  meta.done();
  TG_DISPATCH_FLOAT(w.cols.dtype, T, {
    im2col<T>(reinterpret_cast<const T*>(w.images.data), reinterpret_cast<T*>(w.cols.data), w.n, w.g, T(pad));
  });
  return info.Env().Undefined();
}

Napi::Value col2im_binding(const Napi::CallbackInfo& info) {
  const Windows w = windows(info, true, "col2im", "dx");
  Meta meta(info);
  meta.done();
  TG_DISPATCH_FLOAT(w.images.dtype, T, {
    col2im<T>(reinterpret_cast<const T*>(w.cols.data), reinterpret_cast<T*>(w.images.data), w.n, w.g);
  });
  return info.Env().Undefined();
}

}  // namespace

void register_im2col(Napi::Env env, Napi::Object exports) {
  exports.Set("im2col", Napi::Function::New(env, im2col_binding, "im2col"));
  exports.Set("col2im", Napi::Function::New(env, col2im_binding, "col2im"));
}

}  // namespace tg
