// nll_loss(out, total_weight, input, target, weight?) and
// nll_loss_backward(gin, grad, target, weight?, total_weight), with ignore_index and reduction
// (0 none, 1 mean, 2 sum) (kernels/nll_loss.h).
#include "../kernels/nll_loss.h"
#include "binding.h"
#include "call.h"

namespace tg {
namespace {

// Dtype checks shared by both directions: rows, per_row and total floating-point of one dtype,
// the target int64 or int32, the weight (if given) of the rows' dtype.
NllGeometry geometry(const Call& c, int rows, int per_row, int total, int target, int weight) {
  c.expect_float(rows);
  c.expect_same_dtype(per_row, rows);
  c.expect_same_dtype(total, rows);
  if (c.present(weight)) c.expect_same_dtype(weight, rows);
  if (c[target].dtype != DType::Int64 && c[target].dtype != DType::Int32)
    raise(ErrorKind::DType, std::string(c.name()) + ": class indices must be int64 (or int32) but got " + dtype_name(c[target].dtype));
  return nll_geometry(c[rows], c[target], c.present(weight) ? &c[weight] : nullptr, c[per_row], c[total], c.param("ignore_index"),
                      c.param("reduction"));
}

void forward(Call& c) {
  const NllGeometry g = geometry(c, 2, 0, 1, 3, 4);
  TG_DISPATCH_FLOAT(c[2].dtype, T, {
    const T* weight = c.present(4) ? c[4].ptr<const T>() : nullptr;
    if (c[3].dtype == DType::Int64) nll_loss_forward<T>(g, c[0].ptr<T>(), c[1].ptr<T>(), c[2].ptr<const T>(), c[3].ptr<const int64_t>(), weight);
    else nll_loss_forward<T>(g, c[0].ptr<T>(), c[1].ptr<T>(), c[2].ptr<const T>(), c[3].ptr<const int32_t>(), weight);
  });
}

void backward(Call& c) {
  const NllGeometry g = geometry(c, 0, 1, 4, 2, 3);
  TG_DISPATCH_FLOAT(c[0].dtype, T, {
    const T* weight = c.present(3) ? c[3].ptr<const T>() : nullptr;
    const T total = *c[4].ptr<const T>();
    if (c[2].dtype == DType::Int64) nll_loss_backward<T>(g, c[0].ptr<T>(), c[1].ptr<const T>(), c[2].ptr<const int64_t>(), weight, total);
    else nll_loss_backward<T>(g, c[0].ptr<T>(), c[1].ptr<const T>(), c[2].ptr<const int32_t>(), weight, total);
  });
}

const Op kOps[] = {
    {"nll_loss",
     {{"out", Arg::Tensor}, {"total_weight", Arg::Tensor}, {"input", Arg::Tensor}, {"target", Arg::Tensor}, {"weight", Arg::Optional}},
     {"ignore_index", "reduction"}, forward},
    {"nll_loss_backward",
     {{"gin", Arg::Tensor}, {"grad", Arg::Tensor}, {"target", Arg::Tensor}, {"weight", Arg::Optional}, {"total_weight", Arg::Tensor}},
     {"ignore_index", "reduction"}, backward},
};

}  // namespace

void register_nll_loss(Napi::Env env, Napi::Object exports) {
  for (const Op& op : kOps) define(env, exports, op);
}

}  // namespace tg
