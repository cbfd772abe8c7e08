#include "args.h"

#include <cmath>

namespace tg {
namespace {

// Per addon instance (main thread, each worker). The metadata buffer is memory we own: JavaScript
// writes it through a view, and nothing JavaScript does to that view (even detaching it) can free
// it under us; it is freed with the instance.
constexpr size_t kMetaCapacity = 8192;

struct InstanceData {
  Napi::FunctionReference shape_error, dtype_error, index_error;
  double* meta = nullptr;
  ThreadPool pool;  // this instance's threads for our own kernels
  ~InstanceData() { delete[] meta; }
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

Napi::Value init_instance(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "init: expected an object");
  if (env.GetInstanceData<InstanceData>() != nullptr) throw Napi::Error::New(env, "init: this addon instance is already initialised");
  auto* data = new InstanceData();
  env.SetInstanceData(data);
  auto get = [&](const char* key) {
    Napi::Value v = info[0].As<Napi::Object>().Get(key);
    if (!v.IsFunction()) throw Napi::TypeError::New(env, std::string("init: missing error class ") + key);
    return Napi::Persistent(v.As<Napi::Function>());
  };
  data->shape_error = get("ShapeError");
  data->dtype_error = get("DTypeError");
  data->index_error = get("IndexError");
  data->meta = new double[kMetaCapacity]();
  // No finalizer: the memory belongs to the instance data, not to this view.
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, data->meta, kMetaCapacity * sizeof(double));
  return Napi::Float64Array::New(env, kMetaCapacity, ab, 0);
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

// 0: a typed array of a supported type; 1: not a typed array; 2: a typed array of another type.
static int unwrap(const Napi::CallbackInfo& info, size_t i, Buf* b) {
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_value arraybuffer;
  size_t byte_offset = 0;
  // One call both checks that the argument is a typed array and unwraps it; a non-typed-array
  // argument only gives an error status, no pending exception.
  if (i >= info.Length() ||
      napi_get_typedarray_info(info.Env(), info[i], &type, &length, &data, &arraybuffer, &byte_offset) != napi_ok)
    return 1;
  if (!to_dtype(type, &b->dtype)) return 2;
  // A detached buffer reports no data: treat it as empty so every access fails the bounds check.
  b->data = static_cast<char*>(data);
  b->length = data == nullptr ? 0 : int64_t(length);
  return 0;
}

bool try_buf(const Napi::CallbackInfo& info, size_t i, Buf* out) {
  const int r = unwrap(info, i, out);
  if (r == 2)
    fail(info.Env(), ErrorKind::Type, "typed array arguments must be Float32Array, Float64Array, Int32Array, BigInt64Array or Uint8Array");
  return r == 0;
}

Buf buf_arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Buf b;
  const int r = unwrap(info, i, &b);
  if (r == 1) fail(info.Env(), ErrorKind::Type, std::string(name) + " must be a typed array");
  if (r == 2)
    fail(info.Env(), ErrorKind::Type,
         std::string(name) + " must be a Float32Array, Float64Array, Int32Array, BigInt64Array or Uint8Array");
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

Meta::Meta(const Napi::CallbackInfo& info) : env_(info.Env()) {
  auto* data = env_.GetInstanceData<InstanceData>();
  if (data == nullptr || data->meta == nullptr) fail(env_, ErrorKind::Type, "the addon was not initialised (call init first)");
  pool_.emplace(&data->pool);  // kernels of this call run on this instance's threads
  // meta[0] says how many numbers follow.
  const double count = data->meta[0];
  if (!(count >= 0 && count <= double(kMetaCapacity - 1)) || count != double(int64_t(count)))
    fail(env_, ErrorKind::Range, "meta: the leading count does not fit the buffer");
  p_ = data->meta + 1;
  n_ = size_t(count);
}

double Meta::next_double() {
  if (pos_ >= n_) fail(env_, ErrorKind::Range, "meta: fewer numbers than the call needs");
  return p_[pos_++];
}

int64_t Meta::next(int64_t lo, int64_t hi, const char* what) {
  const double v = next_double();
  // The range test comes first: converting NaN or a huge double to an integer is undefined.
  if (!(v >= double(lo) && v <= double(hi)) || v != double(int64_t(v))) {
    if (!(v >= -kMaxExact && v <= kMaxExact) || v != std::floor(v))
      fail(env_, ErrorKind::Range, std::string("meta: ") + what + " must be an integer");
    fail(env_, ErrorKind::Range, std::string("meta: ") + what + " " + std::to_string(int64_t(v)) + " is out of range");
  }
  return int64_t(v);
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

void set_kernel_threads(Napi::Env env, int threads) {
  auto* data = env.GetInstanceData<InstanceData>();
  if (data != nullptr) data->pool.resize(threads);
}

int kernel_threads(Napi::Env env) {
  auto* data = env.GetInstanceData<InstanceData>();
  return data == nullptr ? 1 : data->pool.threads();
}

int64_t numel(int ndim, const int64_t* shape) {
  int64_t n = 1;
  for (int d = 0; d < ndim; ++d) n *= shape[d];
  return n;
}

}  // namespace tg
