// layer_norm(y, mean, rstd, x, w | null, b | null, eps) and
// layer_norm_backward(dx | null, dw | null, db | null, dy, x, mean, rstd, w | null): meta holds
// rows and n; x, y, dy, dx are rows x n contiguous from element 0, mean and rstd rows long, w, b,
// dw and db n long, all of one floating-point dtype (kernels/layer_norm.h).
#include "../kernels/layer_norm.h"
#include "args.h"
#include "binding.h"

namespace tg {
namespace {

struct Sizes {
  int64_t rows = 0, n = 0;
};

// The typed array at i (or null, where allowed) of `dtype`, holding at least `need` elements.
char* operand(const Napi::CallbackInfo& info, size_t i, const char* name, DType dtype, int64_t need, bool nullable) {
  if (nullable && i < info.Length() && (info[i].IsNull() || info[i].IsUndefined())) return nullptr;
  const Buf b = buf_arg(info, i, name);
  expect_dtype(info.Env(), b, dtype, name);
  if (b.length < need)
    fail(info.Env(), ErrorKind::Range, std::string("layer_norm: ") + name + " holds " + std::to_string(b.length) +
                                           " elements, fewer than the " + std::to_string(need) + " it needs");
  return b.data;
}

Sizes sizes(Meta& meta, Napi::Env env) {
  Sizes s;
  s.rows = meta.next(0, int64_t(1) << 53, "rows");
  s.n = meta.next(1, int64_t(1) << 53, "n");
  meta.done();
  int64_t total;
  if (__builtin_mul_overflow(s.rows, s.n, &total) || total > (int64_t(1) << 53))
    fail(env, ErrorKind::Range, "layer_norm: rows x n is too large");
  return s;
}

Napi::Value forward(const Napi::CallbackInfo& info) {
  Meta meta(info);
  const Sizes s = sizes(meta, info.Env());
  const Buf xb = buf_arg(info, 3, "x");
  expect_float(info.Env(), xb, "layer_norm");
  const double eps = number_arg(info, 6, "eps");
  char* y = operand(info, 0, "y", xb.dtype, s.rows * s.n, false);
  char* mean = operand(info, 1, "mean", xb.dtype, s.rows, false);
  char* rstd = operand(info, 2, "rstd", xb.dtype, s.rows, false);
  char* x = operand(info, 3, "x", xb.dtype, s.rows * s.n, false);
  char* w = operand(info, 4, "w", xb.dtype, s.n, true);
  char* b = operand(info, 5, "b", xb.dtype, s.n, true);
  TG_DISPATCH_FLOAT(xb.dtype, T, {
    layer_norm_forward<T>(s.rows, s.n, reinterpret_cast<const T*>(x), reinterpret_cast<const T*>(w),
                          reinterpret_cast<const T*>(b), eps, reinterpret_cast<T*>(y), reinterpret_cast<T*>(mean),
                          reinterpret_cast<T*>(rstd));
  });
  return info.Env().Undefined();
}

Napi::Value backward(const Napi::CallbackInfo& info) {
  Meta meta(info);
  const Sizes s = sizes(meta, info.Env());
  const Buf xb = buf_arg(info, 4, "x");
  expect_float(info.Env(), xb, "layer_norm_backward");
  char* dx = operand(info, 0, "dx", xb.dtype, s.rows * s.n, true);
  char* dw = operand(info, 1, "dw", xb.dtype, s.n, true);
  char* db = operand(info, 2, "db", xb.dtype, s.n, true);
  char* dy = operand(info, 3, "dy", xb.dtype, s.rows * s.n, false);
  char* x = operand(info, 4, "x", xb.dtype, s.rows * s.n, false);
  char* mean = operand(info, 5, "mean", xb.dtype, s.rows, false);
  char* rstd = operand(info, 6, "rstd", xb.dtype, s.rows, false);
  char* w = operand(info, 7, "w", xb.dtype, s.n, true);
  TG_DISPATCH_FLOAT(xb.dtype, T, {
    layer_norm_backward<T>(s.rows, s.n, reinterpret_cast<const T*>(dy), reinterpret_cast<const T*>(x),
                           reinterpret_cast<const T*>(mean), reinterpret_cast<const T*>(rstd),
                           reinterpret_cast<const T*>(w), reinterpret_cast<T*>(dx), reinterpret_cast<T*>(dw),
                           reinterpret_cast<T*>(db));
  });
  return info.Env().Undefined();
}

}  // namespace

void register_layer_norm(Napi::Env env, Napi::Object exports) {
  exports.Set("layer_norm", Napi::Function::New(env, forward, "layer_norm"));
  exports.Set("layer_norm_backward", Napi::Function::New(env, backward, "layer_norm_backward"));
}

}  // namespace tg
