// scaled_dot_product_attention(out, lse, q, k, v, mask?, drop?) with scale and is_causal, and
// scaled_dot_product_attention_backward(dq?, dk?, dv?, dout, q, k, v, lse, mask?, drop?): q, k, v
// [..., L|S, E|Ev] of one floating-point dtype sharing out's batch dims, out [..., L, Ev] with
// contiguous rows, lse [..., L] contiguous, the mask [..., L, S] bool or of q's dtype, the dropout factors [..., L, S] of
// q's dtype, the gradients contiguous (kernels/attention.h).
#include "../kernels/attention.h"
#include "binding.h"
#include "call.h"

namespace tg {
namespace {

using G = AttentionGeometry;

void expect_contiguous(const Call& c, int k, const char* name) {
  if (c.present(k) && c[k].numel() > 0 && !c[k].contiguous()) raise(ErrorKind::Range, std::string(c.name()) + ": " + name + " must be contiguous");
}

// The optional mask (operand m) and dropout factors (operand d).
void masks(const Call& c, G& g, int m, int d, int x) {
  if (c.present(m)) {
    if (c[m].dtype != DType::Bool) c.expect_same_dtype(m, x);
    attention_operand(g, G::Mask, &c[m], g.l, g.s, "the mask");
  }
  if (c.present(d)) {
    c.expect_same_dtype(d, x);
    attention_operand(g, G::Drop, &c[d], g.l, g.s, "the dropout factors");
  }
}

void forward(Call& c) {
  c.expect_float(2);
  for (int k : {0, 1, 3, 4}) c.expect_same_dtype(k, 2);
  if (c[0].numel() > 0 && c[0].ndim > 0 && c[0].size(-1) > 1 && c[0].stride(-1) != 1)
    raise(ErrorKind::Range, "scaled_dot_product_attention: out's rows must be contiguous");
  expect_contiguous(c, 1, "lse");
  G g = attention_geometry(c[2], c[3], c[4], c[0]);
  attention_operand(g, G::Lse, &c[1], g.l, -1, "lse");
  masks(c, g, 5, 6, 2);
  const bool causal = c.flag("is_causal");
  TG_DISPATCH_FLOAT(c[2].dtype, T, { attention_forward<T>(g, T(c.param("scale")), causal); });
}

void backward(Call& c) {
  c.expect_float(4);
  for (int k : {0, 1, 2, 3, 5, 6, 7})
    if (c.present(k)) c.expect_same_dtype(k, 4);
  for (int k : {0, 1, 2}) expect_contiguous(c, k, "a gradient");
  G g = attention_geometry(c[4], c[5], c[6], c[3]);
  attention_operand(g, G::DOut, &c[3], g.l, g.ev, "dout");
  attention_operand(g, G::Lse, &c[7], g.l, -1, "lse");
  attention_operand(g, G::DQ, c.present(0) ? &c[0] : nullptr, g.l, g.e, "dq");
  attention_operand(g, G::DK, c.present(1) ? &c[1] : nullptr, g.s, g.e, "dk");
  attention_operand(g, G::DV, c.present(2) ? &c[2] : nullptr, g.s, g.ev, "dv");
  masks(c, g, 8, 9, 4);
  const bool causal = c.flag("is_causal");
  TG_DISPATCH_FLOAT(c[4].dtype, T, { attention_backward<T>(g, T(c.param("scale")), causal); });
}

const Op kOps[] = {
    {"scaled_dot_product_attention",
     {{"out", Arg::Tensor}, {"lse", Arg::Tensor}, {"q", Arg::Tensor}, {"k", Arg::Tensor}, {"v", Arg::Tensor}, {"mask", Arg::Optional},
      {"drop", Arg::Optional}},
     {"scale", "is_causal"}, forward},
    {"scaled_dot_product_attention_backward",
     {{"dq", Arg::Optional}, {"dk", Arg::Optional}, {"dv", Arg::Optional}, {"dout", Arg::Tensor}, {"q", Arg::Tensor}, {"k", Arg::Tensor},
      {"v", Arg::Tensor}, {"lse", Arg::Tensor}, {"mask", Arg::Optional}, {"drop", Arg::Optional}},
     {"scale", "is_causal"}, backward},
};

}  // namespace

void register_attention(Napi::Env env, Napi::Object exports) {
  for (const Op& op : kOps) define(env, exports, op);
}

}  // namespace tg
