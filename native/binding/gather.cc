// gather(out, src, index) and scatter_(self, src, index, accumulate).
// meta: ndim, the index's shape, dim; then each operand in argument order as offset and strides,
// where the operand indexed along dim (src for gather, self for scatter) is preceded by its size
// along dim. For scatter, src may be a number (a value scattered everywhere).
#include "../kernels/gather.h"
#include "args.h"
#include "binding.h"

namespace tg {
namespace {

// The operand indexed along dim: checked over its own extent, with its stride along dim moved
// into `along` (the loop adds index * that stride).
char* indexed(Meta& meta, const Buf& buf, Strided<3>& s, int k, int dim, Along* along) {
  int64_t shape[kMaxDims];
  for (int d = 0; d < s.ndim; ++d) shape[d] = s.shape[d];
  along->dim = dim;
  along->size = meta.next(0, int64_t(1) << 53, "size along dim");
  shape[dim] = along->size;
  char* base = meta.operand(buf, s.ndim, shape, s.strides[k]);
  along->stride = s.strides[k][dim];
  s.strides[k][dim] = 0;
  return base;
}

int begin(const Napi::CallbackInfo& info, Meta& meta, Strided<3>& s) {
  s.ndim = meta.shape(s.shape);
  if (s.ndim == 0) fail(info.Env(), ErrorKind::Range, "gather/scatter: the index needs at least one dim");
  return int(meta.next(0, s.ndim - 1, "dim"));
}

template <class F>
Napi::Value run_guarded(Napi::Env env, const Strided<3>& s, F&& kernel) {
  if (numel(s.ndim, s.shape) == 0) return env.Undefined();
  return run_index_checked(env, kernel);
}

Napi::Value gather_binding(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Buf out = buf_arg(info, 0, "out"), src = buf_arg(info, 1, "src"), index = buf_arg(info, 2, "index");
  expect_same_dtype(env, out, src, "gather");
  expect_dtype(env, index, DType::Int64, "index");
  Meta meta(info);
  Strided<3> s;
  const int dim = begin(info, meta, s);
  Along along;
  s.data[0] = meta.operand(out, s.ndim, s.shape, s.strides[0]);
  s.data[1] = indexed(meta, src, s, 1, dim, &along);
  s.data[2] = meta.operand(index, s.ndim, s.shape, s.strides[2]);
  meta.done();
  return run_guarded(env, s, [&] { TG_DISPATCH(out.dtype, T, { gather<T>(s, along); }); });
}

Napi::Value scatter_binding(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Buf self = buf_arg(info, 0, "self"), index = buf_arg(info, 2, "index");
  expect_dtype(env, index, DType::Int64, "index");
  const bool accumulate = info.Length() > 3 && info[3].ToBoolean().Value();
  Meta meta(info);
  Strided<3> s;
  const int dim = begin(info, meta, s);
  Along along;
  s.data[0] = indexed(meta, self, s, 0, dim, &along);
  double value = 0;
  const bool scalar = info.Length() > 1 && info[1].IsNumber();
  if (scalar) {
    value = info[1].As<Napi::Number>().DoubleValue();
    for (int d = 0; d < s.ndim; ++d) s.strides[1][d] = 0;
  } else {
    Buf src = buf_arg(info, 1, "src");
    expect_same_dtype(env, self, src, "scatter");
    s.data[1] = meta.operand(src, s.ndim, s.shape, s.strides[1]);
  }
  s.data[2] = meta.operand(index, s.ndim, s.shape, s.strides[2]);
  meta.done();
  return run_guarded(env, s, [&] {
    TG_DISPATCH(self.dtype, T, {
      T v = cast<T>(value);
      if (scalar) s.data[1] = reinterpret_cast<char*>(&v);
      if (accumulate) scatter<T, true>(s, along);
      else scatter<T, false>(s, along);
    });
  });
}

}  // namespace

void register_gather(Napi::Env env, Napi::Object exports) {
  exports.Set("gather", Napi::Function::New(env, gather_binding, "gather"));
  exports.Set("scatter_", Napi::Function::New(env, scatter_binding, "scatter_"));
}

}  // namespace tg
