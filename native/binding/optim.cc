// Fused optimizer steps (kernels/optim.h): sgd_step(param, grad, momentum_buffer?),
// adam_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq?), rmsprop_step, adagrad_step,
// adadelta_step, adamax_step, nadam_step, radam_step and asgd_step (param, grad, then the state
// tensors PyTorch names), every operand of the parameter's shape and floating-point dtype; an
// absent state tensor is null.
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

void rmsprop_op(Call& c) {
  Strided<5> s = operands<5>(c);
  const RmspropArgs a{c.param("lr"), c.param("alpha"), c.param("eps"), c.param("weight_decay"), c.param("momentum"),
                      c.flag("centered"), c.flag("maximize")};
  if (a.centered && !c.present(3)) raise(ErrorKind::Type, "rmsprop_step: centered needs a grad_avg");
  if (a.momentum > 0 && !c.present(4)) raise(ErrorKind::Type, "rmsprop_step: momentum needs a buffer");
  TG_DISPATCH_FLOAT(c[0].dtype, T, { optim_fma() ? rmsprop_step_fma<T>(s, a) : rmsprop_step<T>(s, a); });
}

void adagrad_op(Call& c) {
  Strided<3> s = operands<3>(c);
  const AdagradArgs a{c.param("lr"), c.param("lr_decay"), c.param("eps"), c.param("weight_decay"), c.param("step"), c.flag("maximize")};
  TG_DISPATCH_FLOAT(c[0].dtype, T, { optim_fma() ? adagrad_step_fma<T>(s, a) : adagrad_step<T>(s, a); });
}

void adadelta_op(Call& c) {
  Strided<4> s = operands<4>(c);
  const AdadeltaArgs a{c.param("lr"), c.param("rho"), c.param("eps"), c.param("weight_decay"), c.flag("maximize")};
  TG_DISPATCH_FLOAT(c[0].dtype, T, { optim_fma() ? adadelta_step_fma<T>(s, a) : adadelta_step<T>(s, a); });
}

void adamax_op(Call& c) {
  Strided<4> s = operands<4>(c);
  const AdamaxArgs a{c.param("lr"), c.param("beta1"), c.param("beta2"), c.param("eps"), c.param("weight_decay"), c.param("step"),
                     c.flag("maximize")};
  TG_DISPATCH_FLOAT(c[0].dtype, T, { optim_fma() ? adamax_step_fma<T>(s, a) : adamax_step<T>(s, a); });
}

void nadam_op(Call& c) {
  Strided<4> s = operands<4>(c);
  const NadamArgs a{c.param("lr"), c.param("beta1"), c.param("beta2"), c.param("eps"), c.param("weight_decay"), c.param("step"),
                    c.param("mu"), c.param("mu_next"), c.param("mu_product"), c.flag("decoupled"), c.flag("maximize")};
  TG_DISPATCH_FLOAT(c[0].dtype, T, { optim_fma() ? nadam_step_fma<T>(s, a) : nadam_step<T>(s, a); });
}

void radam_op(Call& c) {
  Strided<4> s = operands<4>(c);
  const RadamArgs a{c.param("lr"), c.param("beta1"), c.param("beta2"), c.param("eps"), c.param("weight_decay"), c.param("step"),
                    c.flag("decoupled"), c.flag("maximize")};
  TG_DISPATCH_FLOAT(c[0].dtype, T, { optim_fma() ? radam_step_fma<T>(s, a) : radam_step<T>(s, a); });
}

void asgd_op(Call& c) {
  Strided<3> s = operands<3>(c);
  const AsgdArgs a{c.param("eta"), c.param("lambd"), c.param("mu"), c.param("weight_decay"), c.flag("maximize")};
  TG_DISPATCH_FLOAT(c[0].dtype, T, { optim_fma() ? asgd_step_fma<T>(s, a) : asgd_step<T>(s, a); });
}

constexpr Arg kT = Arg::Tensor, kOpt = Arg::Optional;

const Op kOps[] = {
    {"sgd_step", {{"param", Arg::Tensor}, {"grad", Arg::Tensor}, {"momentum_buffer", Arg::Optional}},
     {"lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize", "first"}, sgd_op},
    {"adam_step",
     {{"param", Arg::Tensor}, {"grad", Arg::Tensor}, {"exp_avg", Arg::Tensor}, {"exp_avg_sq", Arg::Tensor}, {"max_exp_avg_sq", Arg::Optional}},
     {"lr", "beta1", "beta2", "eps", "weight_decay", "step", "amsgrad", "maximize", "decoupled"}, adam_op},
    {"rmsprop_step", {{"param", kT}, {"grad", kT}, {"square_avg", kT}, {"grad_avg", kOpt}, {"momentum_buffer", kOpt}},
     {"lr", "alpha", "eps", "weight_decay", "momentum", "centered", "maximize"}, rmsprop_op},
    {"adagrad_step", {{"param", kT}, {"grad", kT}, {"sum", kT}}, {"lr", "lr_decay", "eps", "weight_decay", "step", "maximize"}, adagrad_op},
    {"adadelta_step", {{"param", kT}, {"grad", kT}, {"square_avg", kT}, {"acc_delta", kT}},
     {"lr", "rho", "eps", "weight_decay", "maximize"}, adadelta_op},
    {"adamax_step", {{"param", kT}, {"grad", kT}, {"exp_avg", kT}, {"exp_inf", kT}},
     {"lr", "beta1", "beta2", "eps", "weight_decay", "step", "maximize"}, adamax_op},
    {"nadam_step", {{"param", kT}, {"grad", kT}, {"exp_avg", kT}, {"exp_avg_sq", kT}},
     {"lr", "beta1", "beta2", "eps", "weight_decay", "step", "mu", "mu_next", "mu_product", "decoupled", "maximize"}, nadam_op},
    {"radam_step", {{"param", kT}, {"grad", kT}, {"exp_avg", kT}, {"exp_avg_sq", kT}},
     {"lr", "beta1", "beta2", "eps", "weight_decay", "step", "decoupled", "maximize"}, radam_op},
    {"asgd_step", {{"param", kT}, {"grad", kT}, {"ax", kT}}, {"eta", "lambd", "mu", "weight_decay", "maximize"}, asgd_op},
};

}  // namespace

void register_optim(Napi::Env env, Napi::Object exports) {
  for (const Op& op : kOps) define(env, exports, op);
}

}  // namespace tg
