// mse_loss(out, a, b) and mse_loss_backward(gin, a, b, grad) with reduction (1 mean, 2 sum), over
// contiguous same-shape, same-dtype floating-point operands; out and grad are 0-d
// (kernels/mse_loss.h).
#include "../kernels/mse_loss.h"
#include "binding.h"
#include "call.h"

namespace tg {
namespace {

// Checks rows operands `first`..`last` against a's shape and dtype; returns whether 'mean'.
bool check(const Call& c, int first, int last, int scalar) {
  c.expect_float(1);
  for (int k = first; k <= last; ++k) {
    c.expect_same_dtype(k, 1);
    bool same = c[k].ndim == c[1].ndim;
    for (int d = 0; same && d < c[1].ndim; ++d) same = c[k].shape[d] == c[1].shape[d];
    if (!same || !c[k].contiguous()) raise(ErrorKind::Range, std::string(c.name()) + ": operands must be contiguous and of one shape");
  }
  c.expect_same_dtype(scalar, 1);
  if (c[scalar].ndim != 0) raise(ErrorKind::Shape, std::string(c.name()) + ": the loss is 0-d");
  const double reduction = c.param("reduction");
  if (!(reduction == 1 || reduction == 2)) raise(ErrorKind::Range, std::string(c.name()) + ": bad reduction");
  return reduction == 1;
}

void forward(Call& c) {
  const bool mean = check(c, 1, 2, 0);
  TG_DISPATCH_FLOAT(c[1].dtype, T, { *c[0].ptr<T>() = mse_loss_forward<T>(c[1].ptr<const T>(), c[2].ptr<const T>(), c[1].numel(), mean); });
}

void backward(Call& c) {
  const bool mean = check(c, 0, 2, 3);
  TG_DISPATCH_FLOAT(c[1].dtype, T, {
    mse_loss_backward<T>(c[0].ptr<T>(), c[1].ptr<const T>(), c[2].ptr<const T>(), c[1].numel(), mean, *c[3].ptr<const T>());
  });
}

const Op kOps[] = {
    {"mse_loss", {{"out", Arg::Tensor}, {"a", Arg::Tensor}, {"b", Arg::Tensor}}, {"reduction"}, forward},
    {"mse_loss_backward", {{"gin", Arg::Tensor}, {"a", Arg::Tensor}, {"b", Arg::Tensor}, {"grad", Arg::Tensor}}, {"reduction"}, backward},
};

}  // namespace

void register_mse_loss(Napi::Env env, Napi::Object exports) {
  for (const Op& op : kOps) define(env, exports, op);
}

}  // namespace tg
