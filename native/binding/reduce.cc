// Reductions: op(out..., a), each output in a's ndim with size 1 along the reduced dims (the
// keepdim layout; kernels/reduce.h derives the kept and reduced dims from it). And the scans,
// which keep every partial result along `dim` (kernels/scan.h): cumsum, cumprod and logcumsumexp(out, a),
// and cummax and cummin(values, indices, a).
#include "../kernels/reduce.h"
#include "../kernels/scan.h"
#include "binding.h"
#include "call.h"

namespace tg {
namespace {

template <int K>
Reduction<K> read(const Call& c, bool nonempty) {
  const View* outs[K - 1];
  for (int k = 0; k < K - 1; ++k) outs[k] = &c[k];
  return reduction<K>(outs, c[K - 1], c.name(), nonempty);
}

template <int K> bool empty(const Reduction<K>& r) { return r.kept.ndim < 0; }

// sum / mean: integer and bool inputs sum into int64, as in PyTorch.
template <bool Mean>
void sum_mean(Call& c) {
  if (Mean) c.expect_float(1);
  c.expect_dtype(0, is_floating(c[1].dtype) ? c[1].dtype : DType::Int64);
  Reduction<2> r = read<2>(c, false);
  if (empty(r)) return;
  const double scale = Mean ? 1.0 / double(r.red.numel()) : 1.0;
  TG_DISPATCH(c[1].dtype, T, {
    if constexpr (is_float_v<T>) reduce_sum<T, T>(r, scale);
    else reduce_sum<T, int64_t>(r, 1.0);
  });
}

void prod_op(Call& c) {
  c.expect_dtype(0, is_floating(c[1].dtype) ? c[1].dtype : DType::Int64);
  Reduction<2> r = read<2>(c, false);
  if (empty(r)) return;
  TG_DISPATCH(c[1].dtype, T, {
    if constexpr (is_float_v<T>) reduce_prod<T, T>(r);
    else reduce_prod<T, int64_t>(r);
  });
}

// amax / amin: values only.
template <bool IsMax>
void extreme_values(Call& c) {
  c.expect_same_dtype(0, 1);
  Reduction<2> r = read<2>(c, true);
  if (!empty(r)) TG_DISPATCH(c[1].dtype, T, { reduce_minmax<T, IsMax, true, false>(r); });
}

// argmax / argmin: int64 indices only.
template <bool IsMax>
void extreme_indices(Call& c) {
  c.expect_dtype(0, DType::Int64);
  Reduction<2> r = read<2>(c, true);
  if (!empty(r)) TG_DISPATCH(c[1].dtype, T, { reduce_minmax<T, IsMax, false, true>(r); });
}

// max_dim / min_dim: the values and indices of max(dim) / min(dim).
template <bool IsMax>
void extreme_both(Call& c) {
  c.expect_same_dtype(0, 2);
  c.expect_dtype(1, DType::Int64);
  Reduction<3> r = read<3>(c, true);
  if (!empty(r)) TG_DISPATCH(c[2].dtype, T, { reduce_minmax<T, IsMax, true, true>(r); });
}

void variance_op(Call& c) {
  c.expect_float(1);
  c.expect_same_dtype(0, 1);
  Reduction<2> r = read<2>(c, false);
  if (!empty(r)) TG_DISPATCH_FLOAT(c[1].dtype, T, { reduce_var<T>(r, c.param("correction")); });
}

template <bool IsAll>
void all_any(Call& c) {
  c.expect_dtype(0, DType::Bool);
  Reduction<2> r = read<2>(c, false);
  if (!empty(r)) TG_DISPATCH(c[1].dtype, T, { reduce_allany<T, IsAll>(r); });
}

// cumsum / cumprod: a floating-point input into its own dtype; integers and bool into int64.
template <bool IsProd>
void cumulative_op(Call& c) {
  const int dim = int(c.int_param("dim", 0, kMaxDims));
  if (is_floating(c[1].dtype)) {
    c.expect_same_dtype(0, 1);
    TG_DISPATCH_FLOAT(c[1].dtype, T, { cumulative<T, T, IsProd>(c[0], c[1], dim); });
  } else {
    c.expect_dtype(0, DType::Int64);
    TG_DISPATCH(c[1].dtype, T, { cumulative<int64_t, T, IsProd>(c[0], c[1], dim); });
  }
}

// logcumsumexp: floating-point only.
void logcumsumexp_op(Call& c) {
  c.expect_float(1);
  c.expect_same_dtype(0, 1);
  const int dim = int(c.int_param("dim", 0, kMaxDims));
  TG_DISPATCH_FLOAT(c[1].dtype, T, { logcumsumexp<T>(c[0], c[1], dim); });
}

// cummax / cummin: values of the input's dtype, int64 indices.
template <bool IsMax>
void cumextreme_op(Call& c) {
  c.expect_same_dtype(0, 2);
  c.expect_dtype(1, DType::Int64);
  const int dim = int(c.int_param("dim", 0, kMaxDims));
  TG_DISPATCH(c[2].dtype, T, { cumextreme<T, IsMax>(c[0], c[1], c[2], dim); });
}

const std::vector<OperandSpec> kOne = {{"out", Arg::Tensor}, {"a", Arg::Tensor}};
const std::vector<OperandSpec> kBoth = {{"values", Arg::Tensor}, {"indices", Arg::Tensor}, {"a", Arg::Tensor}};

const Op kOps[] = {
    {"sum", kOne, {}, sum_mean<false>},
    {"mean", kOne, {}, sum_mean<true>},
    {"prod", kOne, {}, prod_op},
    {"amax", kOne, {}, extreme_values<true>},
    {"amin", kOne, {}, extreme_values<false>},
    {"argmax", kOne, {}, extreme_indices<true>},
    {"argmin", kOne, {}, extreme_indices<false>},
    {"max_dim", kBoth, {}, extreme_both<true>},
    {"min_dim", kBoth, {}, extreme_both<false>},
    {"variance", kOne, {"correction"}, variance_op},
    {"all", kOne, {}, all_any<true>},
    {"any", kOne, {}, all_any<false>},
    {"cumsum", kOne, {"dim"}, cumulative_op<false>},
    {"cumprod", kOne, {"dim"}, cumulative_op<true>},
    {"logcumsumexp", kOne, {"dim"}, logcumsumexp_op},
    {"cummax", kBoth, {"dim"}, cumextreme_op<true>},
    {"cummin", kBoth, {"dim"}, cumextreme_op<false>},
};

}  // namespace

void register_reduce(Napi::Env env, Napi::Object exports) {
  for (const Op& op : kOps) define(env, exports, op);
}

}  // namespace tg
