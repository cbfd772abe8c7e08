// gather(out, src, index) and scatter_(self, src, index) along `dim` (kernels/gather.h); scatter's
// src may be a number (a value scattered everywhere), and `accumulate` adds instead of assigning.
// index(out, self, indices) and index_put_(self, values, indices): advanced indexing (kernels/index.h).
#include "../kernels/gather.h"
#include "../kernels/index.h"
#include "binding.h"
#include "call.h"

namespace tg {
namespace {

void gather_op(Call& c) {
  c.expect_same_dtype(1, 0);
  c.expect_dtype(2, DType::Int64);
  const View* v[3] = {&c[0], &c[1], &c[2]};
  Along along;
  Strided<3> s = along_dim(v, 1, int(c.int_param("dim", 0, kMaxDims - 1)), false, &along);
  if (s.numel() == 0) return;
  TG_DISPATCH(c[0].dtype, T, { gather<T>(s, along); });
}

void scatter_op(Call& c) {
  if (!c.scalar(1)) c.expect_same_dtype(1, 0);
  c.expect_dtype(2, DType::Int64);
  const View* v[3] = {&c[0], &c[1], &c[2]};
  Along along;
  Strided<3> s = along_dim(v, 0, int(c.int_param("dim", 0, kMaxDims - 1)), c.scalar(1), &along);
  if (s.numel() == 0) return;
  TG_DISPATCH(c[0].dtype, T, {
    T value = c.scalar(1) ? cast<T>(c.number(1)) : T{};
    if (c.scalar(1)) scalar_operand(s, 1, &value);
    if (c.flag("accumulate")) scatter<T, true>(s, along);
    else scatter<T, false>(s, along);
  });
}

void scatter_reduce_op(Call& c) {
  c.expect_same_dtype(1, 0);
  c.expect_dtype(2, DType::Int64);
  const View* v[3] = {&c[0], &c[1], &c[2]};
  Along along;
  Strided<3> s = along_dim(v, 0, int(c.int_param("dim", 0, kMaxDims - 1)), false, &along);
  const auto reduce = ScatterReduce(c.int_param("reduce", 0, 3));
  if (s.numel() == 0) return;
  TG_DISPATCH(c[0].dtype, T, { scatter_reduce<T>(s, along, reduce, c.flag("include_self")); });
}

void index_op(Call& c) {
  c.expect_same_dtype(1, 0);
  c.expect_dtype(2, DType::Int64);
  Indexer ix;
  Strided<3> s = index_geometry(&c[0], c[1], c[2], 1, &ix);
  if (s.numel() == 0) return;
  TG_DISPATCH(c[0].dtype, T, { index_gather<T>(s, ix); });
}

void index_put_op(Call& c) {
  if (!c.scalar(1)) c.expect_same_dtype(1, 0);
  c.expect_dtype(2, DType::Int64);
  Indexer ix;
  Strided<3> s = index_geometry(c.scalar(1) ? nullptr : &c[1], c[0], c[2], 0, &ix);
  if (s.numel() == 0) return;
  TG_DISPATCH(c[0].dtype, T, {
    T value = c.scalar(1) ? cast<T>(c.number(1)) : T{};
    if (c.scalar(1)) scalar_operand(s, 1, &value);
    if (c.flag("accumulate")) index_put<T, true>(s, ix);
    else index_put<T, false>(s, ix);
  });
}

const Op kOps[] = {
    {"gather", {{"out", Arg::Tensor}, {"src", Arg::Tensor}, {"index", Arg::Tensor}}, {"dim"}, gather_op},
    {"scatter_", {{"self", Arg::Tensor}, {"src", Arg::Scalar}, {"index", Arg::Tensor}}, {"dim", "accumulate"}, scatter_op},
    {"scatter_reduce_", {{"self", Arg::Tensor}, {"src", Arg::Tensor}, {"index", Arg::Tensor}}, {"dim", "reduce", "include_self"}, scatter_reduce_op},
    {"index", {{"out", Arg::Tensor}, {"self", Arg::Tensor}, {"indices", Arg::Tensor}}, {}, index_op},
    {"index_put_", {{"self", Arg::Tensor}, {"values", Arg::Scalar}, {"indices", Arg::Tensor}}, {"accumulate"}, index_put_op},
};

}  // namespace

void register_gather(Napi::Env env, Napi::Object exports) {
  for (const Op& op : kOps) define(env, exports, op);
}

}  // namespace tg
