// The one contract between TypeScript and the kernels (src/ops/launch.ts writes its half).
//
// A kernel call is op(data_0, ..., data_{n-1}): one argument per operand the op's spec lists, a
// typed array (Float32Array, Float64Array, Int32Array, BigInt64Array, or Uint8Array for bool), a
// number where the operand may be a scalar, null where it is optional, or a generator's
// Uint32Array state. Everything else travels in a metadata buffer the addon owns:
//
//   meta[0]  how many numbers follow
//   then, per operand:  offset, ndim, size_0 .. size_{ndim-1}, stride_0 .. stride_{ndim-1}
//                       (elements; a number, null or state operand has offset 0 and ndim 0)
//   then the op's parameters, in the order its spec names them (booleans as 0 or 1)
//
// Nothing here trusts those numbers: every operand's reachable range is checked against its
// buffer before a kernel sees a pointer. The addon exports each op's operand and parameter names
// as `ops[name] = { operands, params }`; TypeScript writes the parameters from those names.
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "../kernels/parallel.h"
#include "../kernels/random.h"
#include "../kernels/view.h"

namespace tg {

// What an operand's argument may be.
enum class Arg {
  Tensor,    // a typed array
  Optional,  // a typed array or null
  Scalar,    // a typed array or a number
  State,     // a generator's Uint32Array state
};

struct OperandSpec {
  const char* name;
  Arg kind;
};

class Call;

// An op as the addon exports it: its name, operands and parameters (snake_case), and the glue
// that checks the operands' dtypes and calls its kernel.
struct Op {
  const char* name;
  std::vector<OperandSpec> operands;
  std::vector<const char*> params;
  void (*run)(Call&);
};

// Exports `op` under its name, and its operand and parameter names as exports.ops[name].
void define(Napi::Env env, Napi::Object exports, const Op& op);

class Call {
 public:
  static constexpr int kMaxOperands = 12;
  Call(const Napi::CallbackInfo& info, const Op& op);

  const char* name() const { return op_.name; }
  const View& operator[](int k) const { return views_[k]; }
  // Whether operand k was given (false for a null optional one) and whether it is a number.
  bool present(int k) const { return kinds_[k] != Given::Null; }
  bool scalar(int k) const { return kinds_[k] == Given::Number; }
  double number(int k) const { return numbers_[k]; }
  Generator generator(int k) const { return Generator(states_[k]); }

  double param(const char* name) const;
  int64_t int_param(const char* name, int64_t lo, int64_t hi) const;
  bool flag(const char* name) const { return param(name) != 0; }

  // Dtype checks: a DTypeError naming the op and the operand otherwise.
  void expect_dtype(int k, DType want) const;
  void expect_same_dtype(int k, int other) const;
  void expect_float(int k) const;

 private:
  enum class Given { Tensor, Null, Number, State };
  const Op& op_;
  Napi::Env env_;
  int count_ = 0;
  Given kinds_[kMaxOperands];
  View views_[kMaxOperands];
  double numbers_[kMaxOperands] = {};
  uint32_t* states_[kMaxOperands] = {};
  const double* params_ = nullptr;
};

// init({ ShapeError, DTypeError, IndexError }): sets up this addon instance (error classes, the
// metadata buffer, the kernels' thread pool) and returns the metadata buffer as a Float64Array.
Napi::Value init_instance(const Napi::CallbackInfo& info);
[[noreturn]] void fail(Napi::Env env, ErrorKind kind, const std::string& message);
double number_arg(const Napi::CallbackInfo& info, size_t i, const char* name);

// The threads this addon instance's own kernels use (the BLAS library has its own).
void set_kernel_threads(Napi::Env env, int threads);
int kernel_threads(Napi::Env env);

}  // namespace tg
