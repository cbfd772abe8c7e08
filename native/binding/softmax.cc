// softmax(out, x), log_softmax(out, x), softmax_backward(gin, grad, out) and
// log_softmax_backward(gin, grad, out), along one dim.
// meta: the [outer, c, inner] shape (ndim 3), then each operand's offset and three strides.
#include "../kernels/softmax.h"
#include "args.h"
#include "binding.h"

namespace tg {
namespace {

// Reads N same-dtype floating-point operands over one [outer, c, inner] shape; false when empty.
template <int N>
bool geometry(const Napi::CallbackInfo& info, Meta& meta, const char* op, SoftmaxGeometry& g, char* (&data)[N], DType* dtype) {
  static const char* const names[3] = {"out", "a", "b"};
  int64_t shape[kMaxDims];
  if (meta.shape(shape) != 3) fail(info.Env(), ErrorKind::Range, std::string(op) + ": expected an [outer, c, inner] shape");
  g.outer = shape[0], g.c = shape[1], g.inner = shape[2];
  Buf bufs[N];
  for (int k = 0; k < N; ++k) {
    bufs[k] = buf_arg(info, size_t(k), names[k]);
    if (k == 0) expect_float(info.Env(), bufs[0], op);
    else expect_same_dtype(info.Env(), bufs[0], bufs[k], op);
    int64_t bytes[kMaxDims];
    data[k] = meta.operand(bufs[k], 3, shape, bytes);
    for (int d = 0; d < 3; ++d) g.stride[k][d] = bytes[d] / dtype_size(bufs[k].dtype);
  }
  meta.done();
  *dtype = bufs[0].dtype;
  return g.outer * g.c * g.inner > 0;
}

template <bool Log>
Napi::Value forward(const Napi::CallbackInfo& info) {
  Meta meta(info);  // kernels run on this call's threads while it lives
  SoftmaxGeometry g;
  char* p[2];
  DType dt;
  if (geometry<2>(info, meta, Log ? "log_softmax" : "softmax", g, p, &dt)) {
    TG_DISPATCH_FLOAT(dt, T, { softmax_forward<T, Log>(g, reinterpret_cast<T*>(p[0]), reinterpret_cast<const T*>(p[1])); });
  }
  return info.Env().Undefined();
}

template <bool Log>
Napi::Value backward(const Napi::CallbackInfo& info) {
  Meta meta(info);
  SoftmaxGeometry g;
  char* p[3];
  DType dt;
  if (geometry<3>(info, meta, Log ? "log_softmax_backward" : "softmax_backward", g, p, &dt)) {
    TG_DISPATCH_FLOAT(dt, T, {
      softmax_backward<T, Log>(g, reinterpret_cast<T*>(p[0]), reinterpret_cast<const T*>(p[1]), reinterpret_cast<const T*>(p[2]));
    });
  }
  return info.Env().Undefined();
}

}  // namespace

void register_softmax(Napi::Env env, Napi::Object exports) {
  exports.Set("softmax", Napi::Function::New(env, forward<false>, "softmax"));
  exports.Set("log_softmax", Napi::Function::New(env, forward<true>, "log_softmax"));
  exports.Set("softmax_backward", Napi::Function::New(env, backward<false>, "softmax_backward"));
  exports.Set("log_softmax_backward", Napi::Function::New(env, backward<true>, "log_softmax_backward"));
}

}  // namespace tg
