// Range fills over a contiguous 1-D out: arange_(out) with start and step, linspace_(out) with
// start and end (kernels/range.h).
#include "../kernels/range.h"
#include "binding.h"
#include "call.h"

namespace tg {
namespace {

void check_out(const Call& c) {
  if (c[0].ndim != 1 || !c[0].contiguous()) raise(ErrorKind::Range, std::string(c.name()) + ": out must be a contiguous 1-D tensor");
  if (c[0].dtype == DType::Bool) raise(ErrorKind::DType, std::string(c.name()) + ": bool tensors are not supported");
}

void arange_op(Call& c) {
  check_out(c);
  TG_DISPATCH(c[0].dtype, T, {
    if constexpr (!std::is_same<T, bool_t>::value) arange<T>(c[0].ptr<T>(), c[0].shape[0], c.param("start"), c.param("step"));
  });
}

void linspace_op(Call& c) {
  check_out(c);
  if (c[0].shape[0] < 2) raise(ErrorKind::Range, "linspace_ fills at least two values");
  TG_DISPATCH(c[0].dtype, T, {
    if constexpr (!std::is_same<T, bool_t>::value) linspace<T>(c[0].ptr<T>(), c[0].shape[0], c.param("start"), c.param("end"));
  });
}

const Op kOps[] = {
    {"arange_", {{"out", Arg::Tensor}}, {"start", "step"}, arange_op},
    {"linspace_", {{"out", Arg::Tensor}}, {"start", "end"}, linspace_op},
};

}  // namespace

void register_range(Napi::Env env, Napi::Object exports) {
  for (const Op& op : kOps) define(env, exports, op);
}

}  // namespace tg
