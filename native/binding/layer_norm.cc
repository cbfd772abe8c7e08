// layer_norm(y, mean, rstd, x, weight?, bias?) with eps, and
// layer_norm_backward(dx?, dw?, db?, dy, x, mean, rstd, weight?): contiguous operands of one
// floating-point dtype, x, y, dy and dx rows x n, mean and rstd rows long, the affine ones n long
// (kernels/layer_norm.h).
#include "../kernels/layer_norm.h"
#include "binding.h"
#include "call.h"

namespace tg {
namespace {

// Checks every given operand: x's dtype, and `counts[k]` (0: rows x n, 1: n, 2: rows) elements.
template <int N>
LayerNormSizes check(const Call& c, int x, int mean, const int (&counts)[N]) {
  c.expect_float(x);
  const LayerNormSizes s = layer_norm_sizes(c[x], c[mean]);
  for (int k = 0; k < N; ++k) {
    if (!c.present(k)) continue;
    c.expect_same_dtype(k, x);
    s.expect(c[k], counts[k] == 0 ? s.rows * s.n : counts[k] == 1 ? s.n : s.rows, "an operand");
  }
  return s;
}

template <class T> T* ptr(const Call& c, int k) { return c.present(k) ? c[k].ptr<T>() : nullptr; }

void forward(Call& c) {
  const LayerNormSizes s = check<6>(c, 3, 1, {0, 2, 2, 0, 1, 1});
  TG_DISPATCH_FLOAT(c[3].dtype, T, {
    layer_norm_forward<T>(s.rows, s.n, ptr<const T>(c, 3), ptr<const T>(c, 4), ptr<const T>(c, 5), c.param("eps"), ptr<T>(c, 0),
                          ptr<T>(c, 1), ptr<T>(c, 2));
  });
}

void backward(Call& c) {
  const LayerNormSizes s = check<8>(c, 4, 5, {0, 1, 1, 0, 0, 2, 2, 1});
  TG_DISPATCH_FLOAT(c[4].dtype, T, {
    layer_norm_backward<T>(s.rows, s.n, ptr<const T>(c, 3), ptr<const T>(c, 4), ptr<const T>(c, 5), ptr<const T>(c, 6),
                           ptr<const T>(c, 7), ptr<T>(c, 0), ptr<T>(c, 1), ptr<T>(c, 2));
  });
}

const Op kOps[] = {
    {"layer_norm",
     {{"y", Arg::Tensor}, {"mean", Arg::Tensor}, {"rstd", Arg::Tensor}, {"x", Arg::Tensor}, {"weight", Arg::Optional}, {"bias", Arg::Optional}},
     {"eps"}, forward},
    {"layer_norm_backward",
     {{"dx", Arg::Optional}, {"dw", Arg::Optional}, {"db", Arg::Optional}, {"dy", Arg::Tensor}, {"x", Arg::Tensor}, {"mean", Arg::Tensor},
      {"rstd", Arg::Tensor}, {"weight", Arg::Optional}},
     {}, backward},
};

}  // namespace

void register_layer_norm(Napi::Env env, Napi::Object exports) {
  for (const Op& op : kOps) define(env, exports, op);
}

}  // namespace tg
