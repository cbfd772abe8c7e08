// mse_loss(out, a, b, reduction) and mse_loss_backward(gin, a, b, grad, reduction), over
// contiguous same-dtype floating-point operands. reduction: 1 mean, 2 sum.
// meta: the [n] shape (ndim 1); a and b (and gin first, backward) as offset and stride, which
// must be 1; then out (forward) or grad (backward) as an offset (ndim 0).
#include "../kernels/mse_loss.h"
#include "args.h"
#include "binding.h"

namespace tg {
namespace {

struct Operands {
  char* rows[3];  // (gin,) a, b
  char* scalar;   // out or grad
  int64_t n;
  DType dtype;
  bool mean;
};

// Reads `count` row operands (arguments 0..count-1) and the scalar at `count`.
Operands read(const Napi::CallbackInfo& info, Meta& meta, int count, const char* op) {
  static const char* const forward_names[2] = {"a", "b"};
  static const char* const backward_names[3] = {"gin", "a", "b"};
  Napi::Env env = info.Env();
  Operands o{};
  int64_t shape[kMaxDims], bytes[kMaxDims];
  if (meta.shape(shape) != 1) fail(env, ErrorKind::Range, std::string(op) + ": expected an [n] shape");
  o.n = shape[0];
  Buf first;
  for (int k = 0; k < count; ++k) {
    Buf b = buf_arg(info, size_t(k), count == 2 ? forward_names[k] : backward_names[k]);
    if (k == 0) expect_float(env, b, op), first = b;
    else expect_same_dtype(env, first, b, op);
    o.rows[k] = meta.operand(b, 1, shape, bytes);
    if (o.n > 1 && bytes[0] != dtype_size(b.dtype)) fail(env, ErrorKind::Range, std::string(op) + ": operands must be contiguous");
  }
  Buf s = buf_arg(info, size_t(count), count == 2 ? "out" : "grad");
  expect_same_dtype(env, first, s, op);
  o.scalar = meta.operand(s, 0, shape, bytes);
  meta.done();
  const double reduction = number_arg(info, size_t(count) + 1, "reduction");
  if (!(reduction == 1 || reduction == 2)) fail(env, ErrorKind::Range, std::string(op) + ": bad reduction");
  o.mean = reduction == 1;
  o.dtype = first.dtype;
  return o;
}

Napi::Value forward(const Napi::CallbackInfo& info) {
  Meta meta(info);  // kernels run on this call's threads while it lives
  Operands o = read(info, meta, 2, "mse_loss");
  TG_DISPATCH_FLOAT(o.dtype, T, {
    *reinterpret_cast<T*>(o.scalar) = mse_loss_forward<T>(reinterpret_cast<const T*>(o.rows[0]), reinterpret_cast<const T*>(o.rows[1]), o.n, o.mean);
  });
  return info.Env().Undefined();
}

Napi::Value backward(const Napi::CallbackInfo& info) {
  Meta meta(info);
  Operands o = read(info, meta, 3, "mse_loss_backward");
  TG_DISPATCH_FLOAT(o.dtype, T, {
    mse_loss_backward<T>(reinterpret_cast<T*>(o.rows[0]), reinterpret_cast<const T*>(o.rows[1]), reinterpret_cast<const T*>(o.rows[2]), o.n,
                         o.mean, *reinterpret_cast<const T*>(o.scalar));
  });
  return info.Env().Undefined();
}

}  // namespace

void register_mse_loss(Napi::Env env, Napi::Object exports) {
  exports.Set("mse_loss", Napi::Function::New(env, forward, "mse_loss"));
  exports.Set("mse_loss_backward", Napi::Function::New(env, backward, "mse_loss_backward"));
}

}  // namespace tg
