// Fused optimizer steps (kernels/optim.h): sgd_step(param, grad, momentum_buffer?) and
// adam_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq?), every operand of the parameter's
// shape and floating-point dtype; an absent state tensor is null.
#include "../kernels/optim.h"
#include "binding.h"
#include "call.h"

namespace tg {
namespace {

// The operands over the parameter's shape; a null one points at the parameter (never written).
template <int N>
Strided<N> operands(const Call& c) {
  c.expect_float(0);
  const View* views[N];
  for (int k = 0; k < N; ++k) {
    views[k] = c.present(k) ? &c[k] : &c[0];
    if (k > 0 && c.present(k)) c.expect_same_dtype(k, 0);
    if (c.present(k) && !same_shape(c[k], c[0])) raise(ErrorKind::Shape, std::string(c.name()) + ": every operand needs the parameter's shape");
  }
  return broadcast<N>(views);
}

void sgd_op(Call& c) {
  Strided<3> s = operands<3>(c);
  const SgdArgs a{c.param("lr"), c.param("momentum"), c.param("dampening"), c.param("weight_decay"),
                  c.flag("nesterov"), c.flag("maximize"), c.flag("first")};
  if (a.momentum != 0 && !c.present(2)) raise(ErrorKind::Type, "sgd_step: momentum needs a buffer");
  TG_DISPATCH_FLOAT(c[0].dtype, T, { sgd_step<T>(s, a); });
}

void adam_op(Call& c) {
  Strided<5> s = operands<5>(c);
  const AdamArgs a{c.param("lr"), c.param("beta1"), c.param("beta2"), c.param("eps"), c.param("weight_decay"),
                   c.param("step"), c.flag("amsgrad"), c.flag("maximize"), c.flag("decoupled")};
  if (a.amsgrad && !c.present(4)) raise(ErrorKind::Type, "adam_step: amsgrad needs a buffer");
  TG_DISPATCH_FLOAT(c[0].dtype, T, { adam_step<T>(s, a); });
}

const Op kOps[] = {
    {"sgd_step", {{"param", Arg::Tensor}, {"grad", Arg::Tensor}, {"momentum_buffer", Arg::Optional}},
     {"lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize", "first"}, sgd_op},
    {"adam_step",
     {{"param", Arg::Tensor}, {"grad", Arg::Tensor}, {"exp_avg", Arg::Tensor}, {"exp_avg_sq", Arg::Tensor}, {"max_exp_avg_sq", Arg::Optional}},
     {"lr", "beta1", "beta2", "eps", "weight_decay", "step", "amsgrad", "maximize", "decoupled"}, adam_op},
};

}  // namespace

void register_optim(Napi::Env env, Napi::Object exports) {
  for (const Op& op : kOps) define(env, exports, op);
}

}  // namespace tg
