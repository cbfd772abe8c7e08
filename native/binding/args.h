// Argument glue shared by the binding files: typed-array operands, the metadata buffer, errors.
//
// Every kernel call from TypeScript passes its tensors as typed arrays; their shapes, offsets and
// strides (in elements) travel in a metadata buffer the addon owns, which TypeScript fills before
// each call (see src/ops/meta.ts). Nothing here trusts those numbers: every operand's reachable
// range is checked against its buffer before a kernel sees a pointer.
#pragma once
#include <napi.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "../kernels/dtype.h"
#include "../kernels/parallel.h"
#include "../kernels/strided.h"

namespace tg {

// JavaScript error classes the TypeScript side defines (ShapeError, DTypeError, IndexError);
// registered once per addon instance by `init`.
enum class ErrorKind { Type, Range, Shape, DType, Index };
[[noreturn]] void fail(Napi::Env env, ErrorKind kind, const std::string& message);

// init({ ShapeError, DTypeError, IndexError }): sets up this addon instance (error classes, the
// metadata buffer) and returns the metadata buffer as a Float64Array.
Napi::Value init_instance(const Napi::CallbackInfo& info);

struct Buf {
  char* data = nullptr;
  int64_t length = 0;  // in elements
  DType dtype = DType::Float32;
};

// The typed array at argument i (Float32Array, Float64Array, Int32Array, BigInt64Array or
// Uint8Array for bool); a TypeError names the argument otherwise.
Buf buf_arg(const Napi::CallbackInfo& info, size_t i, const char* name);
bool is_buf(const Napi::CallbackInfo& info, size_t i);
// Argument i as a typed array of a supported type, when it is one (one N-API call either way).
bool try_buf(const Napi::CallbackInfo& info, size_t i, Buf* out);
double number_arg(const Napi::CallbackInfo& info, size_t i, const char* name);
bool optional_number_arg(const Napi::CallbackInfo& info, size_t i, double* out);
void expect_dtype(Napi::Env env, const Buf& b, DType want, const char* name);
void expect_same_dtype(Napi::Env env, const Buf& a, const Buf& b, const char* what);
void expect_float(Napi::Env env, const Buf& b, const char* op);

// Reads this call's metadata front to back: meta[0] is the count of numbers that follow.
class Meta {
 public:
  explicit Meta(const Napi::CallbackInfo& info);
  int64_t next(int64_t lo, int64_t hi, const char* what);
  double next_double();
  // ndim, then ndim sizes; returns ndim.
  int shape(int64_t* shape);
  // offset, then ndim strides (elements); checks the operand stays inside buf and returns the
  // address of its first element with byte strides written to `strides`.
  char* operand(const Buf& buf, int ndim, const int64_t* shape, int64_t* strides);
  void done();  // every number was read

 private:
  Napi::Env env_;
  std::optional<ScopedPool> pool_;
  const double* p_ = nullptr;
  size_t n_ = 0, pos_ = 0;
};

// Same-shape operands as a Strided<N>: ndim and shape from meta, then one operand per buffer.
template <int N>
Strided<N> strided(Meta& meta, const Buf* const (&bufs)[N]) {
  Strided<N> s;
  s.ndim = meta.shape(s.shape);
  for (int k = 0; k < N; ++k) s.data[k] = meta.operand(*bufs[k], s.ndim, s.shape, s.strides[k]);
  return s;
}

int64_t numel(int ndim, const int64_t* shape);

// The threads this addon instance's own kernels use (the BLAS library has its own).
void set_kernel_threads(Napi::Env env, int threads);
int kernel_threads(Napi::Env env);

// Runs a kernel that reports a bad index by throwing std::out_of_range: that becomes an IndexError
// with the kernel's message.
template <class F>
Napi::Value run_index_checked(Napi::Env env, F&& kernel) {
  try {
    kernel();
  } catch (const std::out_of_range& e) {
    fail(env, ErrorKind::Index, e.what());
  }
  return env.Undefined();
}

// Argument i as a value of T: a number converted as PyTorch converts a Python scalar.
template <class T>
T scalar_arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  return cast<T>(number_arg(info, i, name));
}

}  // namespace tg
