// Sorting and selection (kernels/sort.h): sort, topk, kthvalue, median and mode(values, indices, a)
// along `dim`; and counting and searching (kernels/histogram.h): histc(out, a), bincount(out, a,
// weights) and searchsorted(out, boundaries, values, sorter).
#include "../kernels/histogram.h"
#include "../kernels/sort.h"
#include "binding.h"
#include "call.h"

namespace tg {
namespace {

// values of the input's dtype, int64 indices; `a` of any dtype unless the op refuses bool.
void expect_pair(Call& c, bool bool_ok) {
  c.expect_same_dtype(0, 2);
  c.expect_dtype(1, DType::Int64);
  if (!bool_ok && c[2].dtype == DType::Bool) raise(ErrorKind::DType, std::string(c.name()) + ": bool tensors are not supported");
}

int dim_of(const Call& c) { return int(c.int_param("dim", 0, kMaxDims)); }

void sort_op(Call& c) {
  expect_pair(c, true);
  TG_DISPATCH(c[2].dtype, T, { sort<T>(c[0], c[1], c[2], dim_of(c), c.flag("descending"), c.flag("stable")); });
}

void topk_op(Call& c) {
  expect_pair(c, false);
  const int64_t k = c.int_param("k", 0, int64_t(1) << 53);
  TG_DISPATCH(c[2].dtype, T, { topk<T>(c[0], c[1], c[2], dim_of(c), k, c.flag("largest"), c.flag("sorted")); });
}

void kthvalue_op(Call& c) {
  expect_pair(c, false);
  const int64_t k = c.int_param("k", 1, int64_t(1) << 53);
  TG_DISPATCH(c[2].dtype, T, { kthvalue<T>(c[0], c[1], c[2], dim_of(c), k); });
}

void median_op(Call& c) {
  expect_pair(c, false);
  TG_DISPATCH(c[2].dtype, T, { median<T>(c[0], c[1], c[2], dim_of(c), c.flag("ignore_nan")); });
}

void mode_op(Call& c) {
  expect_pair(c, true);
  TG_DISPATCH(c[2].dtype, T, { mode<T>(c[0], c[1], c[2], dim_of(c)); });
}

// histc: float input, counts in its dtype.
void histc_op(Call& c) {
  c.expect_float(1);
  c.expect_same_dtype(0, 1);
  TG_DISPATCH_FLOAT(c[1].dtype, T, { histc<T>(c[0], c[1], c.param("min"), c.param("max")); });
}

// bincount: int32 or int64 input; int64 counts, or the weights' sums (float32 or float64).
void bincount_op(Call& c) {
  if (c[1].dtype != DType::Int32 && c[1].dtype != DType::Int64) raise(ErrorKind::DType, "bincount: the input must be int32 or int64");
  if (c.present(2)) {
    c.expect_float(2);
    c.expect_same_dtype(0, 2);
  } else {
    c.expect_dtype(0, DType::Int64);
  }
  const View* w = c.present(2) ? &c[2] : nullptr;
  TG_DISPATCH(c[1].dtype, Tin, {
    if constexpr (std::is_same<Tin, int32_t>::value || std::is_same<Tin, int64_t>::value) {
      if (w == nullptr) bincount<Tin, int64_t>(c[0], c[1], nullptr);
      else if (c[0].dtype == DType::Float32) bincount<Tin, float>(c[0], c[1], w);
      else bincount<Tin, double>(c[0], c[1], w);
    }
  });
}

// searchsorted: boundaries and values of one dtype (not bool), int32 or int64 positions.
void searchsorted_op(Call& c) {
  c.expect_same_dtype(2, 1);
  if (c[1].dtype == DType::Bool) raise(ErrorKind::DType, "searchsorted: bool tensors are not supported");
  if (c.present(3)) c.expect_dtype(3, DType::Int64);
  if (c[0].dtype != DType::Int32) c.expect_dtype(0, DType::Int64);
  const View* s = c.present(3) ? &c[3] : nullptr;
  const bool right = c.flag("right");
  TG_DISPATCH(c[1].dtype, T, {
    if (c[0].dtype == DType::Int32) searchsorted<T, int32_t>(c[0], c[1], c[2], s, right);
    else searchsorted<T, int64_t>(c[0], c[1], c[2], s, right);
  });
}

const std::vector<OperandSpec> kPair = {{"values", Arg::Tensor}, {"indices", Arg::Tensor}, {"a", Arg::Tensor}};

const Op kOps[] = {
    {"sort", kPair, {"dim", "descending", "stable"}, sort_op},
    {"topk", kPair, {"dim", "k", "largest", "sorted"}, topk_op},
    {"kthvalue", kPair, {"dim", "k"}, kthvalue_op},
    {"median", kPair, {"dim", "ignore_nan"}, median_op},
    {"mode", kPair, {"dim"}, mode_op},
    {"histc", {{"out", Arg::Tensor}, {"a", Arg::Tensor}}, {"min", "max"}, histc_op},
    {"bincount", {{"out", Arg::Tensor}, {"a", Arg::Tensor}, {"weights", Arg::Optional}}, {}, bincount_op},
    {"searchsorted", {{"out", Arg::Tensor}, {"boundaries", Arg::Tensor}, {"values", Arg::Tensor}, {"sorter", Arg::Optional}}, {"right"}, searchsorted_op},
};

}  // namespace

void register_sort(Napi::Env env, Napi::Object exports) {
  for (const Op& op : kOps) define(env, exports, op);
}

}  // namespace tg
