// im2col(cols, x) and col2im(dx, cols): the windows of [n, c, h, w] images as the columns
// [n, c * kh * kw, oh * ow] of a matrix and back (kernels/im2col.h), with the window's kernel_h,
// kernel_w, stride_h, stride_w, padding_h, padding_w, dilation_h, dilation_w; im2col's `pad` fills
// what falls outside the image.
#include "../kernels/im2col.h"
#include "binding.h"
#include "call.h"

namespace tg {
namespace {

constexpr int64_t kMaxExtent = int64_t(1) << 40;

WindowGeometry geometry(const Call& c, int images, int cols) {
  c.expect_float(images);
  c.expect_same_dtype(cols, images);
  const int64_t k[8] = {
      c.int_param("kernel_h", 1, kMaxExtent),  c.int_param("kernel_w", 1, kMaxExtent),
      c.int_param("stride_h", 1, kMaxExtent),  c.int_param("stride_w", 1, kMaxExtent),
      c.int_param("padding_h", 0, kMaxExtent), c.int_param("padding_w", 0, kMaxExtent),
      c.int_param("dilation_h", 1, kMaxExtent), c.int_param("dilation_w", 1, kMaxExtent)};
  return window_geometry(c[images], c[cols], k);
}

void im2col_op(Call& c) {
  const WindowGeometry g = geometry(c, 1, 0);
  TG_DISPATCH_FLOAT(c[0].dtype, T, { im2col<T>(c[1].ptr<const T>(), c[0].ptr<T>(), c[1].shape[0], g, T(c.param("pad"))); });
}

void col2im_op(Call& c) {
  const WindowGeometry g = geometry(c, 0, 1);
  TG_DISPATCH_FLOAT(c[0].dtype, T, { col2im<T>(c[1].ptr<const T>(), c[0].ptr<T>(), c[0].shape[0], g); });
}

const Op kOps[] = {
    {"im2col", {{"cols", Arg::Tensor}, {"x", Arg::Tensor}},
     {"kernel_h", "kernel_w", "stride_h", "stride_w", "padding_h", "padding_w", "dilation_h", "dilation_w", "pad"}, im2col_op},
    {"col2im", {{"dx", Arg::Tensor}, {"cols", Arg::Tensor}},
     {"kernel_h", "kernel_w", "stride_h", "stride_w", "padding_h", "padding_w", "dilation_h", "dilation_w"}, col2im_op},
};

}  // namespace

void register_im2col(Napi::Env env, Napi::Object exports) {
  for (const Op& op : kOps) define(env, exports, op);
}

}  // namespace tg
