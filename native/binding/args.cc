#include "args.h"

#include <cmath>

namespace tg {
namespace {

struct InstanceData {
  Napi::FunctionReference shape_error, dtype_error, index_error;
};

bool to_dtype(napi_typedarray_type t, DType* out) {
  switch (t) {
    case napi_float32_array: *out = DType::Float32; return true;
    case napi_float64_array: *out = DType::Float64; return true;
    case napi_int32_array: *out = DType::Int32; return true;
    case napi_bigint64_array: *out = DType::Int64; return true;
    case napi_uint8_array: *out = DType::Bool; return true;
    default: return false;
  }
}

// |x| <= 2^53, the integers a double holds exactly.
constexpr double kMaxExact = 9007199254740992.0;

}  // namespace

void register_error_classes(const Napi::CallbackInfo& info) {
  auto* data = new InstanceData();
  auto get = [&](const char* key) {
    Napi::Value v = info[0].As<Napi::Object>().Get(key);
    if (!v.IsFunction()) throw Napi::TypeError::New(info.Env(), std::string("init: missing error class ") + key);
    return Napi::Persistent(v.As<Napi::Function>());
  };
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(info.Env(), "init: expected an object");
  data->shape_error = get("ShapeError");
  data->dtype_error = get("DTypeError");
  data->index_error = get("IndexError");
  info.Env().SetInstanceData(data);
}

void fail(Napi::Env env, ErrorKind kind, const std::string& message) {
  auto* data = env.GetInstanceData<InstanceData>();
  Napi::FunctionReference* cls = nullptr;
  if (data != nullptr) {
    if (kind == ErrorKind::Shape) cls = &data->shape_error;
    if (kind == ErrorKind::DType) cls = &data->dtype_error;
    if (kind == ErrorKind::Index) cls = &data->index_error;
  }
  if (cls != nullptr) throw Napi::Error(env, cls->New({Napi::String::New(env, message)}));
  if (kind == ErrorKind::Type || kind == ErrorKind::DType) throw Napi::TypeError::New(env, message);
  if (kind == ErrorKind::Range || kind == ErrorKind::Index) throw Napi::RangeError::New(env, message);
  throw Napi::Error::New(env, message);
}

bool is_buf(const Napi::CallbackInfo& info, size_t i) { return i < info.Length() && info[i].IsTypedArray(); }

Buf buf_arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Env env = info.Env();
  if (!is_buf(info, i)) fail(env, ErrorKind::Type, std::string(name) + " must be a typed array");
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_value arraybuffer;
  size_t byte_offset = 0;
  NAPI_THROW_IF_FAILED(env, napi_get_typedarray_info(env, info[i], &type, &length, &data, &arraybuffer, &byte_offset),
                       Buf());
  Buf b;
  if (!to_dtype(type, &b.dtype))
    fail(env, ErrorKind::Type,
         std::string(name) + " must be a Float32Array, Float64Array, Int32Array, BigInt64Array or Uint8Array");
  // A detached buffer reports no data: treat it as empty so every access fails the bounds check.
  b.data = static_cast<char*>(data);
  b.length = data == nullptr ? 0 : int64_t(length);
  return b;
}

double number_arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsNumber()) fail(info.Env(), ErrorKind::Type, std::string(name) + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

bool optional_number_arg(const Napi::CallbackInfo& info, size_t i, double* out) {
  if (i >= info.Length() || info[i].IsUndefined() || info[i].IsNull()) return false;
  *out = number_arg(info, i, "bound");
  return true;
}

void expect_dtype(Napi::Env env, const Buf& b, DType want, const char* name) {
  if (b.dtype != want)
    fail(env, ErrorKind::DType,
         std::string(name) + ": expected dtype " + dtype_name(want) + " but got " + dtype_name(b.dtype));
}

void expect_same_dtype(Napi::Env env, const Buf& a, const Buf& b, const char* what) {
  if (a.dtype != b.dtype)
    fail(env, ErrorKind::DType,
         std::string(what) + ": expected both operands to have the same dtype, but got " + dtype_name(a.dtype) +
             " and " + dtype_name(b.dtype));
}

void expect_float(Napi::Env env, const Buf& b, const char* op) {
  if (!is_floating(b.dtype))
    fail(env, ErrorKind::DType, std::string(op) + ": expected a floating-point tensor but got " + dtype_name(b.dtype));
}

Meta::Meta(const Napi::CallbackInfo& info, size_t i) : env_(info.Env()) {
  Buf b = buf_arg(info, i, "meta");
  if (b.dtype != DType::Float64) fail(env_, ErrorKind::Type, "meta must be a Float64Array");
  // meta[0] says how many numbers follow, so that one scratch array can serve every call.
  const double* p = reinterpret_cast<const double*>(b.data);
  if (b.length < 1 || !(p[0] >= 0 && p[0] <= double(b.length - 1)) || p[0] != std::floor(p[0]))
    fail(env_, ErrorKind::Range, "meta: the leading count does not fit the array");
  p_ = p + 1;
  n_ = size_t(p[0]);
}

double Meta::next_double() {
  if (pos_ >= n_) fail(env_, ErrorKind::Range, "meta: fewer numbers than the call needs");
  return p_[pos_++];
}

int64_t Meta::next(int64_t lo, int64_t hi, const char* what) {
  const double v = next_double();
  if (!(v >= -kMaxExact && v <= kMaxExact) || v != std::floor(v))
    fail(env_, ErrorKind::Range, std::string("meta: ") + what + " must be an integer");
  const int64_t x = int64_t(v);
  if (x < lo || x > hi)
    fail(env_, ErrorKind::Range, std::string("meta: ") + what + " " + std::to_string(x) + " is out of range");
  return x;
}

int Meta::shape(int64_t* shape) {
  const int ndim = int(next(0, kMaxDims, "ndim"));
  for (int d = 0; d < ndim; ++d) shape[d] = next(0, int64_t(kMaxExact), "size");
  int64_t n = 1;
  for (int d = 0; d < ndim; ++d)
    if (__builtin_mul_overflow(n, shape[d], &n) || n > int64_t(kMaxExact))
      fail(env_, ErrorKind::Range, "meta: the shape has too many elements");
  return ndim;
}

char* Meta::operand(const Buf& buf, int ndim, const int64_t* shape, int64_t* strides) {
  const int64_t offset = next(0, int64_t(kMaxExact), "offset");
  int64_t last = offset;  // the largest element index the operand reaches
  bool empty = false;
  for (int d = 0; d < ndim; ++d) {
    const int64_t st = next(0, int64_t(kMaxExact), "stride");
    strides[d] = st * dtype_size(buf.dtype);
    if (shape[d] == 0) empty = true;
    int64_t step;
    if (shape[d] > 0 && (__builtin_mul_overflow(shape[d] - 1, st, &step) || __builtin_add_overflow(last, step, &last)))
      fail(env_, ErrorKind::Range, "meta: strides reach beyond any buffer");
  }
  if (!empty && last >= buf.length)
    fail(env_, ErrorKind::Range,
         "operand reaches element " + std::to_string(last) + " of a buffer of " + std::to_string(buf.length) +
             " elements");
  return buf.data + (empty ? 0 : offset * dtype_size(buf.dtype));
}

void Meta::done() {
  if (pos_ != n_) fail(env_, ErrorKind::Range, "meta: more numbers than the call uses");
}

int64_t numel(int ndim, const int64_t* shape) {
  int64_t n = 1;
  for (int d = 0; d < ndim; ++d) n *= shape[d];
  return n;
}

}  // namespace tg
