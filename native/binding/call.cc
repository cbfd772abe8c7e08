#include "call.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>

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

// |x| <= 2^53, the integers a double holds exactly.
constexpr double kMaxExact = 9007199254740992.0;

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

// The error for a metadata number that is not an integer in [lo, hi] (kept out of the fast path).
[[noreturn]] __attribute__((noinline, cold)) void bad_number(Napi::Env env, double v, const char* what) {
  if (!(v >= -kMaxExact && v <= kMaxExact) || v != std::floor(v)) fail(env, ErrorKind::Range, std::string("meta: ") + what + " must be an integer");
  fail(env, ErrorKind::Range, std::string("meta: ") + what + " " + std::to_string(int64_t(v)) + " is out of range");
}

// Reads the metadata front to back, checking every number.
class Reader {
 public:
  Reader(Napi::Env env, const double* p, size_t n) : env_(env), p_(p), n_(n) {}
  double next() {
    if (pos_ >= n_) fail(env_, ErrorKind::Range, "meta: fewer numbers than the call needs");
    return p_[pos_++];
  }
  int64_t next_int(int64_t lo, int64_t hi, const char* what) {
    const double v = next();
    // The range test comes first: converting NaN or a huge double to an integer is undefined.
    if (__builtin_expect(!(v >= double(lo) && v <= double(hi)) || v != double(int64_t(v)), 0)) bad_number(env_, v, what);
    return int64_t(v);
  }
  const double* rest(size_t count) {
    if (n_ - pos_ != count) fail(env_, ErrorKind::Range, "meta: the parameters do not match the op's");
    return p_ + pos_;
  }

 private:
  Napi::Env env_;
  const double* p_;
  size_t n_, pos_ = 0;
};

// One operand record into v (its buffer's data and length given): the element it starts at
// and every element it reaches must lie inside the buffer. Whether or not the operand has
// elements, its sizes (each at least 1) multiply to at most 2^53 and every step along a dim stays
// within 2^53 elements, so that no geometry computed from them overflows.
void read_record(Napi::Env env, Reader& r, View& v, char* data, int64_t length, const char* op, const char* name) {
  const int64_t offset = r.next_int(0, int64_t(kMaxExact), "offset");
  v.ndim = int(r.next_int(0, kMaxDims, "ndim"));
  int64_t n = 1, extent = 1;
  for (int d = 0; d < v.ndim; ++d) {
    v.shape[d] = r.next_int(0, int64_t(kMaxExact), "size");
    if (__builtin_mul_overflow(extent, std::max<int64_t>(v.shape[d], 1), &extent) || extent > int64_t(kMaxExact))
      fail(env, ErrorKind::Range, "meta: the shape has too many elements");
    n *= v.shape[d];  // at most extent
  }
  int64_t last = offset;  // the largest element index the operand would reach
  for (int d = 0; d < v.ndim; ++d) {
    const int64_t st = r.next_int(0, int64_t(kMaxExact), "stride");
    v.strides[d] = st;
    int64_t step;
    if (v.shape[d] > 0 && (__builtin_mul_overflow(v.shape[d] - 1, st, &step) || __builtin_add_overflow(last, step, &last) ||
                           last > int64_t(kMaxExact)))
      fail(env, ErrorKind::Range, "meta: strides reach beyond any buffer");
  }
  if (n > 0 && last >= length)
    fail(env, ErrorKind::Range,
         std::string(op) + ": " + name + " reaches element " + std::to_string(last) + " of a buffer of " +
             std::to_string(length) + " elements");
  v.data = data + (n == 0 ? 0 : offset * dtype_size(v.dtype));
}

Napi::Value invoke(const Napi::CallbackInfo& info) {
  const Op& op = *static_cast<const Op*>(info.Data());
  Napi::Env env = info.Env();
  auto* instance = env.GetInstanceData<InstanceData>();
  if (instance == nullptr) fail(env, ErrorKind::Type, "the addon was not initialised (call init first)");
  ScopedPool threads(&instance->pool);  // this call's kernels run on this instance's threads
  Call call(info, op);
  try {
    op.run(call);
  } catch (const KernelError& e) {
    fail(env, e.kind, e.what());
  } catch (const std::out_of_range& e) {
    fail(env, ErrorKind::Index, e.what());
  } catch (const std::bad_alloc&) {
    fail(env, ErrorKind::Range, std::string(op.name) + ": out of memory for the kernel's working buffers");
  }
  return env.Undefined();
}

}  // namespace

void define(Napi::Env env, Napi::Object exports, const Op& op) {
  if (op.operands.size() > size_t(Call::kMaxOperands))
    throw Napi::Error::New(env, std::string(op.name) + ": more operands than a call holds");
  exports.Set(op.name, Napi::Function::New(env, invoke, op.name, const_cast<Op*>(&op)));
  if (!exports.Has("ops")) exports.Set("ops", Napi::Object::New(env));
  Napi::Array operands = Napi::Array::New(env, op.operands.size());
  for (size_t i = 0; i < op.operands.size(); ++i) operands.Set(uint32_t(i), op.operands[i].name);
  Napi::Array params = Napi::Array::New(env, op.params.size());
  for (size_t i = 0; i < op.params.size(); ++i) params.Set(uint32_t(i), op.params[i]);
  Napi::Object spec = Napi::Object::New(env);
  spec.Set("operands", operands);
  spec.Set("params", params);
  exports.Get("ops").As<Napi::Object>().Set(op.name, spec);
}

Call::Call(const Napi::CallbackInfo& info, const Op& op) : op_(op), env_(info.Env()) {
  auto* instance = env_.GetInstanceData<InstanceData>();
  const double count = instance->meta[0];
  if (!(count >= 0 && count <= double(kMetaCapacity - 1)) || count != double(int64_t(count)))
    fail(env_, ErrorKind::Range, "meta: the leading count does not fit the buffer");
  Reader r(env_, instance->meta + 1, size_t(count));
  count_ = int(op.operands.size());
  if (info.Length() != size_t(count_))
    fail(env_, ErrorKind::Type, std::string(op.name) + ": expected " + std::to_string(count_) + " arguments");
  for (int k = 0; k < count_; ++k) {
    const OperandSpec& spec = op.operands[size_t(k)];
    const Napi::Value arg = info[size_t(k)];
    View& v = views_[k];
    napi_typedarray_type type;
    size_t length = 0, byte_offset = 0;
    void* data = nullptr;
    napi_value arraybuffer;
    // One call both checks that the argument is a typed array and unwraps it; any other argument
    // only gives an error status, no pending exception.
    const bool typed = napi_get_typedarray_info(env_, arg, &type, &length, &data, &arraybuffer, &byte_offset) == napi_ok;
    // A detached buffer reports no data: it counts as empty, so every access fails the bounds check.
    if (!typed) length = 0;
    if (typed && data == nullptr) length = 0;
    if (spec.kind == Arg::State) {
      if (!typed || type != napi_uint32_array || length < size_t(gen::kSize) || data == nullptr)
        fail(env_, ErrorKind::Type, std::string(op.name) + ": " + spec.name + " must be a generator state (Uint32Array of " +
                                        std::to_string(gen::kSize) + " words)");
      kinds_[k] = Given::State;
      states_[k] = static_cast<uint32_t*>(data);
    } else if (typed) {
      if (!to_dtype(type, &v.dtype))
        fail(env_, ErrorKind::Type, std::string(op.name) + ": " + spec.name +
                                        " must be a Float32Array, Float64Array, Int32Array, BigInt64Array or Uint8Array");
      kinds_[k] = Given::Tensor;
    } else if (spec.kind == Arg::Optional && (arg.IsNull() || arg.IsUndefined())) {
      kinds_[k] = Given::Null;
    } else if (spec.kind == Arg::Scalar && arg.IsNumber()) {
      kinds_[k] = Given::Number;
      numbers_[k] = arg.As<Napi::Number>().DoubleValue();
    } else {
      fail(env_, ErrorKind::Type, std::string(op.name) + ": " + spec.name +
                                      (spec.kind == Arg::Scalar ? " must be a typed array or a number" : " must be a typed array"));
    }
    if (kinds_[k] == Given::Tensor) {
      read_record(env_, r, v, static_cast<char*>(data), int64_t(length), op.name, spec.name);
    } else if (r.next_int(0, 0, "offset") != 0 || r.next_int(0, 0, "ndim") != 0) {  // a number, null or state: no elements
      fail(env_, ErrorKind::Range, std::string(op.name) + ": " + spec.name + " has no elements to describe");
    }
  }
  params_ = r.rest(op.params.size());
}

double Call::param(const char* name) const {
  for (size_t i = 0; i < op_.params.size(); ++i)
    if (std::strcmp(op_.params[i], name) == 0) return params_[i];
  fail(env_, ErrorKind::Type, std::string(op_.name) + ": no parameter named " + name);
}

int64_t Call::int_param(const char* name, int64_t lo, int64_t hi) const {
  const double v = param(name);
  if (!(v >= double(lo) && v <= double(hi)) || v != std::floor(v))
    fail(env_, ErrorKind::Range, std::string(op_.name) + ": " + name + " must be an integer in [" + std::to_string(lo) + ", " +
                                     std::to_string(hi) + "]");
  return int64_t(v);
}

void Call::expect_dtype(int k, DType want) const {
  if (views_[k].dtype != want)
    fail(env_, ErrorKind::DType, std::string(op_.name) + ": " + op_.operands[size_t(k)].name + ": expected dtype " +
                                     dtype_name(want) + " but got " + dtype_name(views_[k].dtype));
}

void Call::expect_same_dtype(int k, int other) const {
  if (views_[k].dtype != views_[other].dtype)
    fail(env_, ErrorKind::DType, std::string(op_.name) + ": expected " + op_.operands[size_t(other)].name + " and " +
                                     op_.operands[size_t(k)].name + " to have the same dtype, but got " +
                                     dtype_name(views_[other].dtype) + " and " + dtype_name(views_[k].dtype));
}

void Call::expect_float(int k) const {
  if (!is_floating(views_[k].dtype))
    fail(env_, ErrorKind::DType, std::string(op_.name) + ": expected a floating-point tensor but got " + dtype_name(views_[k].dtype));
}

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

double number_arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsNumber()) fail(info.Env(), ErrorKind::Type, std::string(name) + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

void set_kernel_threads(Napi::Env env, int threads) {
  auto* data = env.GetInstanceData<InstanceData>();
  if (data != nullptr) data->pool.resize(threads);
}

int kernel_threads(Napi::Env env) {
  auto* data = env.GetInstanceData<InstanceData>();
  return data == nullptr ? 1 : data->pool.threads();
}

}  // namespace tg
