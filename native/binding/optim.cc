// Fused optimizer steps:
//   sgd_step(param, grad, buf | null, lr, momentum, dampening, weightDecay, nesterov, maximize, first)
//   adam_step(param, grad, expAvg, expAvgSq, maxExpAvgSq | null, lr, beta1, beta2, eps, weightDecay,
//             step, amsgrad, maximize, decoupled)
// meta: ndim and the parameter's shape, then each tensor operand's offset and strides (null
// operands are absent). All operands share the parameter's floating-point dtype.
#include "../kernels/optim.h"
#include "args.h"
#include "binding.h"

namespace tg {
namespace {

bool flag(const Napi::CallbackInfo& info, size_t i) { return i < info.Length() && info[i].ToBoolean().Value(); }

// Fills s from arguments [0, count): tensors (or null, left pointing at the parameter).
template <int N>
DType operands(const Napi::CallbackInfo& info, Meta& meta, Strided<N>& s, int count) {
  s.ndim = meta.shape(s.shape);
  Buf first = buf_arg(info, 0, "param");
  expect_float(info.Env(), first, "optimizer step");
  for (int k = 0; k < count; ++k) {
    if (k > 0 && (info[size_t(k)].IsNull() || info[size_t(k)].IsUndefined())) {
      s.data[k] = s.data[0];
      for (int d = 0; d < s.ndim; ++d) s.strides[k][d] = s.strides[0][d];
      continue;
    }
    Buf b = buf_arg(info, size_t(k), "state");
    expect_same_dtype(info.Env(), first, b, "optimizer step");
    s.data[k] = meta.operand(b, s.ndim, s.shape, s.strides[k]);
  }
  meta.done();
  return first.dtype;
}

Napi::Value sgd_binding(const Napi::CallbackInfo& info) {
  Meta meta(info);
  Strided<3> s;
  const DType dt = operands(info, meta, s, 3);
  SgdArgs a{number_arg(info, 3, "lr"), number_arg(info, 4, "momentum"), number_arg(info, 5, "dampening"),
            number_arg(info, 6, "weightDecay"), flag(info, 7), flag(info, 8), flag(info, 9)};
  if (a.momentum != 0 && info[2].IsNull()) fail(info.Env(), ErrorKind::Type, "sgd_step: momentum needs a buffer");
  TG_DISPATCH_FLOAT(dt, T, { sgd_step<T>(s, a); });
  return info.Env().Undefined();
}

Napi::Value adam_binding(const Napi::CallbackInfo& info) {
  Meta meta(info);
  Strided<5> s;
  const DType dt = operands(info, meta, s, 5);
  AdamArgs a{number_arg(info, 5, "lr"), number_arg(info, 6, "beta1"), number_arg(info, 7, "beta2"),
             number_arg(info, 8, "eps"), number_arg(info, 9, "weightDecay"), number_arg(info, 10, "step"),
             flag(info, 11), flag(info, 12), flag(info, 13)};
  if (a.amsgrad && info[4].IsNull()) fail(info.Env(), ErrorKind::Type, "adam_step: amsgrad needs a buffer");
  TG_DISPATCH_FLOAT(dt, T, { adam_step<T>(s, a); });
  return info.Env().Undefined();
}

}  // namespace

void register_optim(Napi::Env env, Napi::Object exports) {
  exports.Set("sgd_step", Napi::Function::New(env, sgd_binding, "sgd_step"));
  exports.Set("adam_step", Napi::Function::New(env, adam_binding, "adam_step"));
}

}  // namespace tg
