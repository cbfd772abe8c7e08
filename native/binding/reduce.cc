// Reductions: op(out..., a[, param]).
// meta: kept ndim and sizes, reduced ndim and sizes, then each output's offset and strides over the
// kept dims, then the input's offset, strides over the kept dims and strides over the reduced dims.
#include "../kernels/reduce.h"
#include "args.h"
#include "binding.h"

namespace tg {
namespace {

// Reads the meta of a reduction with `nout` outputs (arguments 0..nout-1) and the input at nout.
template <int K>
Reduction<K> read(const Napi::CallbackInfo& info, Meta& meta, Buf* bufs, const char* op, bool nonempty) {
  constexpr int nout = K - 1;
  Reduction<K> r;
  int64_t shape[2 * kMaxDims];
  const int kept = meta.shape(shape);
  const int red = meta.shape(shape + kept);
  for (int k = 0; k < nout; ++k) bufs[k] = buf_arg(info, size_t(k), k == 0 ? "out" : "indices");
  bufs[nout] = buf_arg(info, size_t(nout), "a");
  r.kept.ndim = kept;
  for (int d = 0; d < kept; ++d) r.kept.shape[d] = shape[d];
  for (int k = 0; k < nout; ++k) r.kept.data[k] = meta.operand(bufs[k], kept, shape, r.kept.strides[k]);
  int64_t strides[2 * kMaxDims];
  r.kept.data[nout] = meta.operand(bufs[nout], kept + red, shape, strides);
  for (int d = 0; d < kept; ++d) r.kept.strides[nout][d] = strides[d];
  r.red.ndim = red;
  for (int d = 0; d < red; ++d) {
    r.red.shape[d] = shape[kept + d];
    r.red.strides[0][d] = strides[kept + d];
  }
  if (numel(kept, shape) == 0) r.kept.ndim = -1;  // nothing to compute
  if (nonempty && r.kept.ndim >= 0 && numel(red, shape + kept) == 0)
    fail(info.Env(), ErrorKind::Index, std::string(op) + "(): cannot reduce over an empty dimension");
  return r;
}

template <int K> bool empty(const Reduction<K>& r) { return r.kept.ndim < 0; }

// sum / mean: integer and bool inputs sum into int64, as in PyTorch.
template <bool Mean>
Napi::Value sum_mean(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Meta meta(info);
  Buf b[2];
  Reduction<2> r = read<2>(info, meta, b, Mean ? "mean" : "sum", false);
  meta.done();
  if (Mean) expect_float(env, b[1], "mean");
  expect_dtype(env, b[0], is_floating(b[1].dtype) ? b[1].dtype : DType::Int64, "out");
  if (empty(r)) return env.Undefined();
  const int64_t count = r.red.numel();
  const double scale = Mean ? 1.0 / double(count) : 1.0;
  TG_DISPATCH(b[1].dtype, T, {
    if constexpr (is_float_v<T>) reduce_sum<T, T>(r, scale);
    else reduce_sum<T, int64_t>(r, 1.0);
  });
  return env.Undefined();
}

Napi::Value prod_binding(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Meta meta(info);
  Buf b[2];
  Reduction<2> r = read<2>(info, meta, b, "prod", false);
  meta.done();
  expect_dtype(env, b[0], is_floating(b[1].dtype) ? b[1].dtype : DType::Int64, "out");
  if (empty(r)) return env.Undefined();
  TG_DISPATCH(b[1].dtype, T, {
    if constexpr (is_float_v<T>) reduce_prod<T, T>(r);
    else reduce_prod<T, int64_t>(r);
  });
  return env.Undefined();
}

// amax / amin: values only.
template <bool IsMax>
Napi::Value extreme_values(const Napi::CallbackInfo& info) {
  Meta meta(info);
  Buf b[2];
  Reduction<2> r = read<2>(info, meta, b, IsMax ? "amax" : "amin", true);
  meta.done();
  expect_same_dtype(info.Env(), b[0], b[1], IsMax ? "amax" : "amin");
  if (!empty(r)) TG_DISPATCH(b[1].dtype, T, { reduce_minmax<T, IsMax, true, false>(r); });
  return info.Env().Undefined();
}

// argmax / argmin: int64 indices only.
template <bool IsMax>
Napi::Value extreme_indices(const Napi::CallbackInfo& info) {
  Meta meta(info);
  Buf b[2];
  Reduction<2> r = read<2>(info, meta, b, IsMax ? "argmax" : "argmin", true);
  meta.done();
  expect_dtype(info.Env(), b[0], DType::Int64, "out");
  if (!empty(r)) TG_DISPATCH(b[1].dtype, T, { reduce_minmax<T, IsMax, false, true>(r); });
  return info.Env().Undefined();
}

// max(values, indices, a) / min: both, for max(dim).
template <bool IsMax>
Napi::Value extreme_both(const Napi::CallbackInfo& info) {
  Meta meta(info);
  Buf b[3];
  Reduction<3> r = read<3>(info, meta, b, IsMax ? "max" : "min", true);
  meta.done();
  expect_same_dtype(info.Env(), b[0], b[2], IsMax ? "max" : "min");
  expect_dtype(info.Env(), b[1], DType::Int64, "indices");
  if (!empty(r)) TG_DISPATCH(b[2].dtype, T, { reduce_minmax<T, IsMax, true, true>(r); });
  return info.Env().Undefined();
}

// var(out, a, correction)
Napi::Value var_binding(const Napi::CallbackInfo& info) {
  Meta meta(info);
  Buf b[2];
  Reduction<2> r = read<2>(info, meta, b, "var", false);
  meta.done();
  const double correction = number_arg(info, 2, "correction");
  expect_float(info.Env(), b[1], "var");
  expect_same_dtype(info.Env(), b[0], b[1], "var");
  if (!empty(r)) TG_DISPATCH_FLOAT(b[1].dtype, T, { reduce_var<T>(r, correction); });
  return info.Env().Undefined();
}

template <bool IsAll>
Napi::Value all_any(const Napi::CallbackInfo& info) {
  Meta meta(info);
  Buf b[2];
  Reduction<2> r = read<2>(info, meta, b, IsAll ? "all" : "any", false);
  meta.done();
  expect_dtype(info.Env(), b[0], DType::Bool, "out");
  if (!empty(r)) TG_DISPATCH(b[1].dtype, T, { reduce_allany<T, IsAll>(r); });
  return info.Env().Undefined();
}

}  // namespace

void register_reduce(Napi::Env env, Napi::Object exports) {
  exports.Set("sum", Napi::Function::New(env, sum_mean<false>, "sum"));
  exports.Set("mean", Napi::Function::New(env, sum_mean<true>, "mean"));
  exports.Set("prod", Napi::Function::New(env, prod_binding, "prod"));
  exports.Set("amax", Napi::Function::New(env, extreme_values<true>, "amax"));
  exports.Set("amin", Napi::Function::New(env, extreme_values<false>, "amin"));
  exports.Set("argmax", Napi::Function::New(env, extreme_indices<true>, "argmax"));
  exports.Set("argmin", Napi::Function::New(env, extreme_indices<false>, "argmin"));
  exports.Set("max", Napi::Function::New(env, extreme_both<true>, "max"));
  exports.Set("min", Napi::Function::New(env, extreme_both<false>, "min"));
  exports.Set("var", Napi::Function::New(env, var_binding, "var"));
  exports.Set("all", Napi::Function::New(env, all_any<true>, "all"));
  exports.Set("any", Napi::Function::New(env, all_any<false>, "any"));
}

}  // namespace tg
