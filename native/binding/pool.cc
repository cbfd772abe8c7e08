// Pooling, upsampling and padding kernels and their gradients (kernels/pool.h, upsample.h, pad.h):
// max_pool2d(out, indices, x) and max_pool2d_backward(dx, g, indices) with the window's kernel,
// stride, padding and dilation; avg_pool2d(out, x) and avg_pool2d_backward(dx, g) with
// count_include_pad and divisor (0: none); adaptive_avg_pool2d(out, x) and its backward, sized by
// their operands; upsample_nearest2d and upsample_bilinear2d (out, x) and their backward (dx, g)
// with scale_h and scale_w (0: none); pad(out, x, left) and pad_backward(dx, g, left) with mode and
// value. Images are contiguous [n, c, h, w].
#include "../kernels/pad.h"
#include "../kernels/pool.h"
#include "../kernels/upsample.h"
#include "binding.h"
#include "call.h"

namespace tg {
namespace {

constexpr int64_t kMaxWindow = int64_t(1) << 30;

// The window parameters: kernel, stride, padding and dilation (those an op does not take are 1, 1, 0, 1).
PoolGeometry window(const Call& c, int images, int out, bool dilation) {
  c.expect_float(images);
  c.expect_same_dtype(out, images);
  const int64_t k[8] = {
      c.int_param("kernel_h", 1, kMaxWindow), c.int_param("kernel_w", 1, kMaxWindow),
      c.int_param("stride_h", 1, kMaxWindow), c.int_param("stride_w", 1, kMaxWindow),
      c.int_param("padding_h", 0, kMaxWindow), c.int_param("padding_w", 0, kMaxWindow),
      dilation ? c.int_param("dilation_h", 1, kMaxWindow) : 1, dilation ? c.int_param("dilation_w", 1, kMaxWindow) : 1};
  return pool_geometry(c[images], c[out], k, c.name());
}

void max_pool2d_op(Call& c) {
  const PoolGeometry g = window(c, 2, 0, true);
  c.expect_dtype(1, DType::Int64);
  if (!same_shape(c[0], c[1]) || !c[1].contiguous()) raise(ErrorKind::Shape, "max_pool2d: the indices must be contiguous, shaped as the output");
  TG_DISPATCH_FLOAT(c[0].dtype, T, { max_pool2d<T>(c[2].ptr<const T>(), c[0].ptr<T>(), c[1].ptr<int64_t>(), g); });
}

void max_pool2d_backward_op(Call& c) {
  const PoolGeometry g = window(c, 0, 1, true);
  c.expect_dtype(2, DType::Int64);
  if (!same_shape(c[1], c[2]) || !c[2].contiguous()) raise(ErrorKind::Shape, "max_pool2d_backward: the indices must be contiguous, shaped as the gradient");
  TG_DISPATCH_FLOAT(c[0].dtype, T, { max_pool2d_backward<T>(c[1].ptr<const T>(), c[2].ptr<const int64_t>(), c[0].ptr<T>(), g); });
}

int64_t divisor(const Call& c) { return c.int_param("divisor", 0, kMaxWindow); }

void avg_pool2d_op(Call& c) {
  const PoolGeometry g = window(c, 1, 0, false);
  TG_DISPATCH_FLOAT(c[0].dtype, T, { avg_pool2d<T>(c[1].ptr<const T>(), c[0].ptr<T>(), g, c.flag("count_include_pad"), divisor(c)); });
}

void avg_pool2d_backward_op(Call& c) {
  const PoolGeometry g = window(c, 0, 1, false);
  TG_DISPATCH_FLOAT(c[0].dtype, T, { avg_pool2d_backward<T>(c[1].ptr<const T>(), c[0].ptr<T>(), g, c.flag("count_include_pad"), divisor(c)); });
}

PoolGeometry planes(const Call& c, int images, int out) {
  c.expect_float(images);
  c.expect_same_dtype(out, images);
  return adaptive_geometry(c[images], c[out], c.name());
}

void adaptive_avg_pool2d_op(Call& c) {
  const PoolGeometry g = planes(c, 1, 0);
  TG_DISPATCH_FLOAT(c[0].dtype, T, { adaptive_avg_pool2d<T>(c[1].ptr<const T>(), c[0].ptr<T>(), g); });
}

void adaptive_avg_pool2d_backward_op(Call& c) {
  const PoolGeometry g = planes(c, 0, 1);
  TG_DISPATCH_FLOAT(c[0].dtype, T, { adaptive_avg_pool2d_backward<T>(c[1].ptr<const T>(), c[0].ptr<T>(), g); });
}

// Upsampling reads the input wherever the output is not empty: the input must not be.
PoolGeometry resampled(const Call& c, int images, int out) {
  const PoolGeometry g = planes(c, images, out);
  if ((g.h == 0 && g.oh > 0) || (g.w == 0 && g.ow > 0)) raise(ErrorKind::Shape, std::string(c.name()) + ": cannot upsample an empty input");
  return g;
}

double scale(const Call& c, const char* name) {
  const double s = c.param(name);
  if (!(s >= 0 && s < 1e300)) raise(ErrorKind::Range, std::string(c.name()) + ": " + name + " must be a finite number >= 0");
  return s;
}

void upsample_nearest2d_op(Call& c) {
  const PoolGeometry g = resampled(c, 1, 0);
  TG_DISPATCH_FLOAT(c[0].dtype, T, { upsample_nearest2d<T>(c[1].ptr<const T>(), c[0].ptr<T>(), g, scale(c, "scale_h"), scale(c, "scale_w"), c.flag("exact")); });
}

void upsample_nearest2d_backward_op(Call& c) {
  const PoolGeometry g = resampled(c, 0, 1);
  TG_DISPATCH_FLOAT(c[0].dtype, T, {
    upsample_nearest2d_backward<T>(c[1].ptr<const T>(), c[0].ptr<T>(), g, scale(c, "scale_h"), scale(c, "scale_w"), c.flag("exact"));
  });
}

void upsample_bilinear2d_op(Call& c) {
  const PoolGeometry g = resampled(c, 1, 0);
  TG_DISPATCH_FLOAT(c[0].dtype, T, {
    upsample_bilinear2d<T>(c[1].ptr<const T>(), c[0].ptr<T>(), g, scale(c, "scale_h"), scale(c, "scale_w"), c.flag("align_corners"));
  });
}

void upsample_bilinear2d_backward_op(Call& c) {
  const PoolGeometry g = resampled(c, 0, 1);
  TG_DISPATCH_FLOAT(c[0].dtype, T, {
    upsample_bilinear2d_backward<T>(c[1].ptr<const T>(), c[0].ptr<T>(), g, scale(c, "scale_h"), scale(c, "scale_w"), c.flag("align_corners"));
  });
}

PadMode pad_mode(const Call& c) { return PadMode(c.int_param("mode", 0, 3)); }

// pad: any dtype (the value converted to it); pad_backward: floating point, not constant mode.
void pad_op(Call& c) {
  c.expect_same_dtype(0, 1);
  const PadGeometry g = pad_geometry(c[1], c[0], c[2], pad_mode(c));
  const double v = c.param("value");
  TG_DISPATCH(c[0].dtype, T, { pad<T>(c[1].ptr<const T>(), c[0].ptr<T>(), g, cast<T>(v)); });
}

void pad_backward_op(Call& c) {
  c.expect_float(1);
  c.expect_same_dtype(0, 1);
  const PadMode mode = pad_mode(c);
  if (mode == PadMode::Constant) raise(ErrorKind::Range, "pad_backward: constant padding's gradient is a crop");
  const PadGeometry g = pad_geometry(c[0], c[1], c[2], mode);
  TG_DISPATCH_FLOAT(c[0].dtype, T, { pad_backward<T>(c[1].ptr<const T>(), c[0].ptr<T>(), g); });
}

#define TG_WINDOW "kernel_h", "kernel_w", "stride_h", "stride_w", "padding_h", "padding_w"
const Op kOps[] = {
    {"max_pool2d", {{"out", Arg::Tensor}, {"indices", Arg::Tensor}, {"x", Arg::Tensor}}, {TG_WINDOW, "dilation_h", "dilation_w"}, max_pool2d_op},
    {"max_pool2d_backward", {{"dx", Arg::Tensor}, {"g", Arg::Tensor}, {"indices", Arg::Tensor}}, {TG_WINDOW, "dilation_h", "dilation_w"},
     max_pool2d_backward_op},
    {"avg_pool2d", {{"out", Arg::Tensor}, {"x", Arg::Tensor}}, {TG_WINDOW, "count_include_pad", "divisor"}, avg_pool2d_op},
    {"avg_pool2d_backward", {{"dx", Arg::Tensor}, {"g", Arg::Tensor}}, {TG_WINDOW, "count_include_pad", "divisor"}, avg_pool2d_backward_op},
    {"adaptive_avg_pool2d", {{"out", Arg::Tensor}, {"x", Arg::Tensor}}, {}, adaptive_avg_pool2d_op},
    {"adaptive_avg_pool2d_backward", {{"dx", Arg::Tensor}, {"g", Arg::Tensor}}, {}, adaptive_avg_pool2d_backward_op},
    {"upsample_nearest2d", {{"out", Arg::Tensor}, {"x", Arg::Tensor}}, {"scale_h", "scale_w", "exact"}, upsample_nearest2d_op},
    {"upsample_nearest2d_backward", {{"dx", Arg::Tensor}, {"g", Arg::Tensor}}, {"scale_h", "scale_w", "exact"}, upsample_nearest2d_backward_op},
    {"upsample_bilinear2d", {{"out", Arg::Tensor}, {"x", Arg::Tensor}}, {"scale_h", "scale_w", "align_corners"}, upsample_bilinear2d_op},
    {"upsample_bilinear2d_backward", {{"dx", Arg::Tensor}, {"g", Arg::Tensor}}, {"scale_h", "scale_w", "align_corners"},
     upsample_bilinear2d_backward_op},
    {"pad", {{"out", Arg::Tensor}, {"x", Arg::Tensor}, {"left", Arg::Tensor}}, {"mode", "value"}, pad_op},
    {"pad_backward", {{"dx", Arg::Tensor}, {"g", Arg::Tensor}, {"left", Arg::Tensor}}, {"mode"}, pad_backward_op},
};
#undef TG_WINDOW

}  // namespace

void register_pool(Napi::Env env, Napi::Object exports) {
  for (const Op& op : kOps) define(env, exports, op);
}

}  // namespace tg
