// mse_loss(out, a, b) and mse_loss_backward(gin, a, b, grad) with reduction (1 mean, 2 sum), over
// contiguous same-shape, same-dtype floating-point operands; out and grad are 0-d
// (kernels/mse_loss.h).
#include "../kernels/mse_loss.h"
#include "binding.h"
#include "call.h"

namespace tg {
namespace {

// Checks the dtypes: every operand of a's floating-point dtype.
void check(const Call& c, int count) {
  c.expect_float(1);
  for (int k = 0; k < count; ++k) c.expect_same_dtype(k, 1);
}

void forward(Call& c) {
  check(c, 3);
  const View* rows[2] = {&c[1], &c[2]};
  const int64_t n = mse_loss_size(rows, 2, c[0], c.param("reduction"));
  const bool mean = c.param("reduction") == 1;
  TG_DISPATCH_FLOAT(c[1].dtype, T, { *c[0].ptr<T>() = mse_loss_forward<T>(c[1].ptr<const T>(), c[2].ptr<const T>(), n, mean); });
}

void backward(Call& c) {
  check(c, 4);
  const View* rows[3] = {&c[0], &c[1], &c[2]};
  const int64_t n = mse_loss_size(rows, 3, c[3], c.param("reduction"));
  const bool mean = c.param("reduction") == 1;
  TG_DISPATCH_FLOAT(c[1].dtype, T, {
    mse_loss_backward<T>(c[0].ptr<T>(), c[1].ptr<const T>(), c[2].ptr<const T>(), n, mean, *c[3].ptr<const T>());
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
