// Range fills: arange_(out, start, step) and linspace_(out, start, end) over a contiguous 1-D out.
#include "../kernels/range.h"
#include "args.h"
#include "binding.h"

namespace tg {
namespace {

// The contiguous 1-D output described by meta; returns its length and first element.
char* output(const Napi::CallbackInfo& info, Buf* out, int64_t* n) {
  *out = buf_arg(info, 0, "out");
  Meta meta(info);
  int64_t shape[kMaxDims], strides[kMaxDims];
  if (meta.shape(shape) != 1) fail(info.Env(), ErrorKind::Range, "range fills take a 1-D out");
  char* data = meta.operand(*out, 1, shape, strides);
  meta.done();
  if (shape[0] > 1 && strides[0] != dtype_size(out->dtype)) fail(info.Env(), ErrorKind::Range, "range fills take a contiguous out");
  *n = shape[0];
  return data;
}

Napi::Value arange_binding(const Napi::CallbackInfo& info) {
  Buf out;
  int64_t n;
  char* data = output(info, &out, &n);
  const double start = number_arg(info, 1, "start"), step = number_arg(info, 2, "step");
  TG_DISPATCH(out.dtype, T, {
    if constexpr (!std::is_same<T, bool_t>::value) arange<T>(reinterpret_cast<T*>(data), n, start, step);
    else fail(info.Env(), ErrorKind::DType, "arange: bool tensors are not supported");
  });
  return info.Env().Undefined();
}

Napi::Value linspace_binding(const Napi::CallbackInfo& info) {
  Buf out;
  int64_t n;
  char* data = output(info, &out, &n);
  const double start = number_arg(info, 1, "start"), end = number_arg(info, 2, "end");
  if (n < 2) fail(info.Env(), ErrorKind::Range, "linspace_ fills at least two values");
  TG_DISPATCH(out.dtype, T, {
    if constexpr (!std::is_same<T, bool_t>::value) linspace<T>(reinterpret_cast<T*>(data), n, start, end);
    else fail(info.Env(), ErrorKind::DType, "linspace: bool tensors are not supported");
  });
  return info.Env().Undefined();
}

}  // namespace

void register_range(Napi::Env env, Napi::Object exports) {
  exports.Set("arange_", Napi::Function::New(env, arange_binding, "arange_"));
  exports.Set("linspace_", Napi::Function::New(env, linspace_binding, "linspace_"));
}

}  // namespace tg
