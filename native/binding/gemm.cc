// gemm(out, a, b) with alpha and beta: out = alpha * a @ b + beta * out over broadcast batch dims
// (kernels/matmul.h).
#include "../kernels/matmul.h"
#include "binding.h"
#include "call.h"

namespace tg {
namespace {

void gemm_op(Call& c) {
  c.expect_same_dtype(1, 0);
  c.expect_same_dtype(2, 0);
  if (c[0].dtype == DType::Bool) raise(ErrorKind::DType, "gemm: bool tensors are not supported");
  TG_DISPATCH(c[0].dtype, T, {
    if constexpr (!std::is_same<T, bool_t>::value) matmul<T>(c[0], c[1], c[2], cast<T>(c.param("alpha")), cast<T>(c.param("beta")));
  });
}

const Op kGemm = {"gemm", {{"out", Arg::Tensor}, {"a", Arg::Tensor}, {"b", Arg::Tensor}}, {"alpha", "beta"}, gemm_op};

}  // namespace

void register_gemm(Napi::Env env, Napi::Object exports) { define(env, exports, kGemm); }

}  // namespace tg
