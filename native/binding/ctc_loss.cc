// ctc_loss(nll, log_alpha, log_probs, targets, lengths) with blank, and
// ctc_loss_backward(grad, grad_out, log_probs, targets, lengths, nll, log_alpha) with blank and
// zero_infinity: log_probs [T, N, C] floating point, targets int64 (flat), lengths [N, 3] int64
// (input length, offset in targets, target length), nll and grad_out [N], log_alpha [N, T, 2 S + 1]
// (kernels/ctc_loss.h).
#include "../kernels/ctc_loss.h"
#include "binding.h"
#include "call.h"

namespace tg {
namespace {

CtcGeometry geometry(const Call& c, int lp, int targets, int lengths, int nll, int alpha) {
  c.expect_float(lp);
  c.expect_same_dtype(nll, lp);
  c.expect_same_dtype(alpha, lp);
  c.expect_dtype(targets, DType::Int64);
  c.expect_dtype(lengths, DType::Int64);
  const CtcGeometry g = ctc_geometry(c[lp], c[targets], c[lengths], c[alpha], c.int_param("blank", 0, int64_t(1) << 40));
  if (c[nll].numel() != g.n || !c[nll].contiguous()) raise(ErrorKind::Shape, std::string(c.name()) + ": the losses must be N long");
  return g;
}

void forward(Call& c) {
  const CtcGeometry g = geometry(c, 2, 3, 4, 0, 1);
  TG_DISPATCH_FLOAT(c[2].dtype, T, {
    ctc_loss_forward<T>(g, c[2].ptr<const T>(), c[3].ptr<const int64_t>(), c[4].ptr<const int64_t>(), c[0].ptr<T>(), c[1].ptr<T>());
  });
}

void backward(Call& c) {
  const CtcGeometry g = geometry(c, 2, 3, 4, 5, 6);
  c.expect_same_dtype(0, 2);
  c.expect_same_dtype(1, 2);
  if (!same_shape(c[0], c[2]) || !c[0].contiguous()) raise(ErrorKind::Shape, "ctc_loss_backward: grad must be contiguous, shaped as log_probs");
  if (c[1].numel() != g.n || !c[1].contiguous()) raise(ErrorKind::Shape, "ctc_loss_backward: grad_out must be N long");
  TG_DISPATCH_FLOAT(c[2].dtype, T, {
    ctc_loss_backward<T>(g, c[1].ptr<const T>(), c[2].ptr<const T>(), c[3].ptr<const int64_t>(), c[4].ptr<const int64_t>(),
                         c[5].ptr<const T>(), c[6].ptr<const T>(), c.flag("zero_infinity"), c[0].ptr<T>());
  });
}

const Op kOps[] = {
    {"ctc_loss",
     {{"nll", Arg::Tensor}, {"log_alpha", Arg::Tensor}, {"log_probs", Arg::Tensor}, {"targets", Arg::Tensor}, {"lengths", Arg::Tensor}},
     {"blank"}, forward},
    {"ctc_loss_backward",
     {{"grad", Arg::Tensor}, {"grad_out", Arg::Tensor}, {"log_probs", Arg::Tensor}, {"targets", Arg::Tensor}, {"lengths", Arg::Tensor},
      {"nll", Arg::Tensor}, {"log_alpha", Arg::Tensor}},
     {"blank", "zero_infinity"}, backward},
};

}  // namespace

void register_ctc_loss(Napi::Env env, Napi::Object exports) {
  for (const Op& op : kOps) define(env, exports, op);
}

}  // namespace tg
