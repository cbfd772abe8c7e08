// softmax(out, x), log_softmax(out, x), softmax_backward(gin, grad, out) and
// log_softmax_backward(gin, grad, out) along `dim` (kernels/softmax.h).
#include "../kernels/softmax.h"
#include "binding.h"
#include "call.h"

namespace tg {
namespace {

template <int N>
int check(const Call& c) {
  c.expect_float(0);
  for (int k = 1; k < N; ++k) c.expect_same_dtype(k, 0);
  return int(c.int_param("dim", 0, kMaxDims));
}

template <bool Log>
void forward(Call& c) {
  const int dim = check<2>(c);
  TG_DISPATCH_FLOAT(c[0].dtype, T, { softmax<T, Log>(c[0], c[1], dim); });
}

template <bool Log>
void backward(Call& c) {
  const int dim = check<3>(c);
  TG_DISPATCH_FLOAT(c[0].dtype, T, { softmax_backward<T, Log>(c[0], c[1], c[2], dim); });
}

const std::vector<OperandSpec> kForward = {{"out", Arg::Tensor}, {"x", Arg::Tensor}};
const std::vector<OperandSpec> kBackward = {{"gin", Arg::Tensor}, {"grad", Arg::Tensor}, {"out", Arg::Tensor}};

const Op kOps[] = {
    {"softmax", kForward, {"dim"}, forward<false>},
    {"log_softmax", kForward, {"dim"}, forward<true>},
    {"softmax_backward", kBackward, {"dim"}, backward<false>},
    {"log_softmax_backward", kBackward, {"dim"}, backward<true>},
};

}  // namespace

void register_softmax(Napi::Env env, Napi::Object exports) {
  for (const Op& op : kOps) define(env, exports, op);
}

}  // namespace tg
