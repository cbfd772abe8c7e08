// nll_loss(out, totalWeight, input, target, weight | null, ignoreIndex, reduction) and
// nll_loss_backward(gin, grad, target, weight | null, totalWeight, ignoreIndex, reduction).
// reduction: 0 none, 1 mean, 2 sum. meta: the [n, c] shape (ndim 2); then, as offset and strides:
// the input (forward) or gin (backward) over [n, c]; the target over [n]; the weight over [c]
// when given; the output (forward) or grad (backward) over [n] for 'none', else over [];
// totalWeight over [].
#include <cmath>

#include "../kernels/nll_loss.h"
#include "args.h"
#include "binding.h"

namespace tg {
namespace {

struct Operands {
  char* rows;    // input or gin
  char* target;  // int64 or int32
  char* weight;  // or nullptr
  char* per_row;  // out or grad
  char* total;
  DType dtype, target_dtype;
};

// Arguments: rows at 0 or 2, per_row at 0 or 1, total at 1 or 4, target and weight at 3 and 4 or
// 2 and 3 (forward / backward). Checks everything against meta and the buffers.
Operands read(const Napi::CallbackInfo& info, Meta& meta, NllGeometry& g, bool backward) {
  Napi::Env env = info.Env();
  const size_t rows_at = backward ? 0 : 2, per_row_at = backward ? 1 : 0, total_at = backward ? 4 : 1;
  const size_t target_at = backward ? 2 : 3, weight_at = target_at + 1;
  const size_t ignore_at = 5, reduction_at = 6;
  Buf rows = buf_arg(info, rows_at, backward ? "gin" : "input");
  Buf per_row = buf_arg(info, per_row_at, backward ? "grad" : "out");
  Buf total = buf_arg(info, total_at, "totalWeight");
  Buf target = buf_arg(info, target_at, "target");
  const char* op = backward ? "nll_loss_backward" : "nll_loss";
  expect_float(env, rows, op);
  expect_same_dtype(env, rows, per_row, op);
  expect_same_dtype(env, rows, total, op);
  if (target.dtype != DType::Int64 && target.dtype != DType::Int32)
    fail(env, ErrorKind::DType, std::string(op) + ": class indices must be int64 (or int32) but got " + dtype_name(target.dtype));
  const bool weighted = !(info[weight_at].IsNull() || info[weight_at].IsUndefined());
  const double ignore = number_arg(info, ignore_at, "ignoreIndex");
  if (!(std::fabs(ignore) <= 9007199254740992.0) || ignore != std::trunc(ignore))
    fail(env, ErrorKind::Type, std::string(op) + ": ignoreIndex must be an integer");
  g.ignore_index = int64_t(ignore);
  const double reduction = number_arg(info, reduction_at, "reduction");
  if (!(reduction == 0 || reduction == 1 || reduction == 2)) fail(env, ErrorKind::Range, std::string(op) + ": bad reduction");
  g.reduction = Reduction(int(reduction));

  int64_t shape[kMaxDims], bytes[kMaxDims];
  if (meta.shape(shape) != 2) fail(env, ErrorKind::Range, std::string(op) + ": expected an [n, c] shape");
  g.n = shape[0], g.c = shape[1];
  Operands o{};
  o.dtype = rows.dtype, o.target_dtype = target.dtype;
  const int64_t size = dtype_size(rows.dtype);
  o.rows = meta.operand(rows, 2, shape, bytes);
  g.input_stride[0] = bytes[0] / size, g.input_stride[1] = bytes[1] / size;
  o.target = meta.operand(target, 1, shape, bytes);
  g.target_stride = bytes[0] / dtype_size(target.dtype);
  if (weighted) {
    Buf weight = buf_arg(info, weight_at, "weight");
    expect_same_dtype(env, rows, weight, op);
    o.weight = meta.operand(weight, 1, shape + 1, bytes);
    g.weight_stride = bytes[0] / size;
  }
  const bool none = g.reduction == Reduction::None;
  o.per_row = meta.operand(per_row, none ? 1 : 0, shape, bytes);
  g.out_stride = none ? bytes[0] / size : 0;
  o.total = meta.operand(total, 0, shape, bytes);
  meta.done();
  return o;
}

Napi::Value forward(const Napi::CallbackInfo& info) {
  Meta meta(info);
  NllGeometry g;
  Operands o = read(info, meta, g, false);
  return run_index_checked(info.Env(), [&] {
    TG_DISPATCH_FLOAT(o.dtype, T, {
      auto* out = reinterpret_cast<T*>(o.per_row);
      auto* total = reinterpret_cast<T*>(o.total);
      auto* input = reinterpret_cast<const T*>(o.rows);
      auto* weight = reinterpret_cast<const T*>(o.weight);
      if (o.target_dtype == DType::Int64) nll_loss_forward<T>(g, out, total, input, reinterpret_cast<const int64_t*>(o.target), weight);
      else nll_loss_forward<T>(g, out, total, input, reinterpret_cast<const int32_t*>(o.target), weight);
    });
  });
}

Napi::Value backward(const Napi::CallbackInfo& info) {
  Meta meta(info);
  NllGeometry g;
  Operands o = read(info, meta, g, true);
  return run_index_checked(info.Env(), [&] {
    TG_DISPATCH_FLOAT(o.dtype, T, {
      auto* gin = reinterpret_cast<T*>(o.rows);
      auto* grad = reinterpret_cast<const T*>(o.per_row);
      auto* weight = reinterpret_cast<const T*>(o.weight);
      const T total = *reinterpret_cast<const T*>(o.total);
      if (o.target_dtype == DType::Int64) nll_loss_backward<T>(g, gin, grad, reinterpret_cast<const int64_t*>(o.target), weight, total);
      else nll_loss_backward<T>(g, gin, grad, reinterpret_cast<const int32_t*>(o.target), weight, total);
    });
  });
}

}  // namespace

void register_nll_loss(Napi::Env env, Napi::Object exports) {
  exports.Set("nll_loss", Napi::Function::New(env, forward, "nll_loss"));
  exports.Set("nll_loss_backward", Napi::Function::New(env, backward, "nll_loss_backward"));
}

}  // namespace tg
