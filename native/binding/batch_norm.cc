// batch_norm(y, mean, invstd, x, weight?, bias?, running_mean?, running_var?) with training,
// momentum and eps, and batch_norm_backward(dx?, dw?, db?, dy, x, mean, invstd, weight?) with
// training: contiguous operands of one floating-point dtype, x, y, dy and dx [n, c, ...], the
// others c long (kernels/batch_norm.h).
#include "../kernels/batch_norm.h"
#include "binding.h"
#include "call.h"

namespace tg {
namespace {

// Checks every given operand k other than x: x's dtype, and x's size (counts[k] 0) or c (1).
template <int N>
BatchNormSizes check(const Call& c, int x, int stats, const int (&counts)[N]) {
  c.expect_float(x);
  const BatchNormSizes s = batch_norm_sizes(c[x], c[stats]);
  for (int k = 0; k < N; ++k) {
    if (!c.present(k)) continue;
    c.expect_same_dtype(k, x);
    s.expect(c[k], counts[k] == 0 ? s.n * s.c * s.l : s.c, "an operand");
  }
  return s;
}

template <class T> T* ptr(const Call& c, int k) { return c.present(k) ? c[k].ptr<T>() : nullptr; }

void forward(Call& c) {
  const BatchNormSizes s = check<8>(c, 3, 1, {0, 1, 1, 0, 1, 1, 1, 1});
  const bool training = c.flag("training");
  if (!training && (!c.present(6) || !c.present(7))) raise(ErrorKind::Type, "batch_norm: eval mode needs running_mean and running_var");
  if (training && s.count() == 0) raise(ErrorKind::Range, "batch_norm: no values per channel to normalise");
  TG_DISPATCH_FLOAT(c[3].dtype, T, {
    batch_norm_forward<T>(s, ptr<const T>(c, 3), ptr<const T>(c, 4), ptr<const T>(c, 5), ptr<T>(c, 6), ptr<T>(c, 7), training,
                          c.param("momentum"), c.param("eps"), ptr<T>(c, 0), ptr<T>(c, 1), ptr<T>(c, 2));
  });
}

void backward(Call& c) {
  const BatchNormSizes s = check<8>(c, 4, 5, {0, 1, 1, 0, 0, 1, 1, 1});
  TG_DISPATCH_FLOAT(c[4].dtype, T, {
    batch_norm_backward<T>(s, ptr<const T>(c, 3), ptr<const T>(c, 4), ptr<const T>(c, 5), ptr<const T>(c, 6), ptr<const T>(c, 7),
                           c.flag("training"), ptr<T>(c, 0), ptr<T>(c, 1), ptr<T>(c, 2));
  });
}

const Op kOps[] = {
    {"batch_norm",
     {{"y", Arg::Tensor}, {"mean", Arg::Tensor}, {"invstd", Arg::Tensor}, {"x", Arg::Tensor}, {"weight", Arg::Optional},
      {"bias", Arg::Optional}, {"running_mean", Arg::Optional}, {"running_var", Arg::Optional}},
     {"training", "momentum", "eps"}, forward},
    {"batch_norm_backward",
     {{"dx", Arg::Optional}, {"dw", Arg::Optional}, {"db", Arg::Optional}, {"dy", Arg::Tensor}, {"x", Arg::Tensor}, {"mean", Arg::Tensor},
      {"invstd", Arg::Tensor}, {"weight", Arg::Optional}},
     {"training"}, backward},
};

}  // namespace

void register_batch_norm(Napi::Env env, Napi::Object exports) {
  for (const Op& op : kOps) define(env, exports, op);
}

}  // namespace tg
