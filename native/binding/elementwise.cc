// Elementwise ops: unary(out, a), binary(out, a, b), where, clamp, copy, fill (shapes and strides
// in the metadata buffer). Tensors are typed arrays; a number in place of a tensor is a scalar operand.
#include <cmath>
#include <limits>

#include "../kernels/elementwise.h"
#include "args.h"
#include "binding.h"

namespace tg {
namespace {

enum class Kinds { Float, Num, All };  // which dtypes an op accepts

template <Kinds K, class T>
constexpr bool accepts() {
  if constexpr (K == Kinds::Float) return is_float_v<T>;
  if constexpr (K == Kinds::Num) return !std::is_same<T, bool_t>::value;
  return true;
}

const char* kinds_text(Kinds k) {
  return k == Kinds::Float ? "floating-point" : "non-bool";
}

// Operand k of s from argument i: a typed array of dtype `want` (offset and strides from meta),
// or a number, stored in *slot as a T and read with stride 0.
template <class T, int N>
void operand(const Napi::CallbackInfo& info, size_t i, Meta& meta, Strided<N>& s, int k, T* slot, DType want) {
  const char* names[] = {"out", "a", "b", "c"};
  Buf b;
  if (!try_buf(info, i, &b)) {
    *slot = scalar_arg<T>(info, i, names[k < 4 ? k : 3]);
    s.data[k] = reinterpret_cast<char*>(slot);
    for (int d = 0; d < s.ndim; ++d) s.strides[k][d] = 0;
    return;
  }
  expect_dtype(info.Env(), b, want, names[k < 4 ? k : 3]);
  s.data[k] = meta.operand(b, s.ndim, s.shape, s.strides[k]);
}

// Reads ndim, shape and the output operand; returns the output buffer.
template <int N>
Buf begin(const Napi::CallbackInfo& info, Meta& meta, Strided<N>& s) {
  Buf out = buf_arg(info, 0, "out");
  s.ndim = meta.shape(s.shape);
  s.data[0] = meta.operand(out, s.ndim, s.shape, s.strides[0]);
  return out;
}

[[noreturn]] void reject(Napi::Env env, const char* op, Kinds k, DType d) {
  fail(env, ErrorKind::DType, std::string(op) + ": expected a " + kinds_text(k) + " tensor but got " + dtype_name(d));
}

// out = f(a) with out and a of one dtype; `row`, if given, runs contiguous rows.
template <Kinds K, class F, class Row = NoRow>
Napi::Value unary_op(const Napi::CallbackInfo& info, const char* op, F f, Row row = {}) {
  Meta meta(info);
  Strided<2> s;
  Buf out = begin(info, meta, s);
  TG_DISPATCH(out.dtype, T, {
    if constexpr (accepts<K, T>()) {
      T slot{};
      operand<T>(info, 1, meta, s, 1, &slot, out.dtype);
      meta.done();
      unary<T, T>(s, [&](T x) { return T(f(x)); }, row);
    } else {
      reject(info.Env(), op, K, out.dtype);
    }
  });
  return info.Env().Undefined();
}

// out = f(a, b) with out, a and b of one dtype.
template <Kinds K, class F, class Row = NoRow>
Napi::Value binary_op(const Napi::CallbackInfo& info, const char* op, F f, Row row = {}) {
  Meta meta(info);
  Strided<3> s;
  Buf out = begin(info, meta, s);
  TG_DISPATCH(out.dtype, T, {
    if constexpr (accepts<K, T>()) {
      T sa{}, sb{};
      operand<T>(info, 1, meta, s, 1, &sa, out.dtype);
      operand<T>(info, 2, meta, s, 2, &sb, out.dtype);
      meta.done();
      binary<T, T, T>(s, [&](T a, T b) { return T(f(a, b)); }, row);
    } else {
      reject(info.Env(), op, K, out.dtype);
    }
  });
  return info.Env().Undefined();
}

// out (bool) = f(a, b) with a and b of one dtype: the dtype of whichever is a tensor.
template <class F>
Napi::Value predicate_op(const Napi::CallbackInfo& info, F f) {
  Meta meta(info);
  Strided<3> s;
  Buf out = begin(info, meta, s);
  expect_dtype(info.Env(), out, DType::Bool, "out");
  const size_t t = is_buf(info, 1) ? 1 : 2;
  const DType dt = buf_arg(info, t, t == 1 ? "a" : "b").dtype;
  TG_DISPATCH(dt, T, {
    T sa{}, sb{};
    operand<T>(info, 1, meta, s, 1, &sa, dt);
    operand<T>(info, 2, meta, s, 2, &sb, dt);
    meta.done();
    binary<bool_t, T, T>(s, [&](T a, T b) { return bool_t(f(a, b) ? 1 : 0); });
  });
  return info.Env().Undefined();
}

// add(out, a, b, alpha?) and sub: out = a + alpha * b, as torch.add.
template <bool Sub>
Napi::Value add_sub(const Napi::CallbackInfo& info) {
  double alpha = 1;
  const bool scaled = optional_number_arg(info, 3, &alpha) && alpha != 1;
  const char* op = Sub ? "sub" : "add";
  if (!scaled) {
    if (Sub) return binary_op<Kinds::Num>(info, op, [](auto a, auto b) { return wsub(a, b); });
    return binary_op<Kinds::All>(info, op, [](auto a, auto b) { return wadd(a, b); });
  }
  return binary_op<Kinds::Num>(info, op, [alpha](auto a, auto b) {
    using T = decltype(a);
    const T scaled_b = wmul(cast<T>(alpha), b);
    return Sub ? wsub(a, scaled_b) : wadd(a, scaled_b);
  });
}

// pow(out, a, exponent): a scalar exponent of 2, 3, 0.5, -0.5, -1 or -2 is computed the
// way PyTorch computes it (x*x, x*x*x, sqrt, 1/sqrt, 1/x, 1/(x*x)), so results match it exactly.
Napi::Value pow_binding(const Napi::CallbackInfo& info) {
  const auto general = [](auto a, auto b) { return pow_(a, b); };
  if (!(info.Length() > 2 && info[2].IsNumber()) || !is_buf(info, 0) || !is_floating(buf_arg(info, 0, "out").dtype))
    return binary_op<Kinds::Num>(info, "pow", general);
  const double e = info[2].As<Napi::Number>().DoubleValue();
  const auto special = [&](auto f) { return unary_op<Kinds::Float>(info, "pow", f); };
  if (e == 2) return special([](auto x) { return x * x; });
  if (e == 3) return special([](auto x) { return x * x * x; });
  if (e == 0.5) return special([](auto x) { return std::sqrt(x); });
  if (e == -0.5) return special([](auto x) { using T = decltype(x); return T(1) / std::sqrt(x); });
  if (e == -1) return special([](auto x) { using T = decltype(x); return T(1) / x; });
  if (e == -2) return special([](auto x) { using T = decltype(x); return T(1) / (x * x); });
  return binary_op<Kinds::Num>(info, "pow", general);
}

// threshold_backward(out, grad, x, threshold): 0 where x <= threshold, else grad (relu's backward,
// with x its output and threshold 0; a NaN x passes the gradient, as in PyTorch). Compared in x's
// dtype, as PyTorch compares.
Napi::Value threshold_backward_binding(const Napi::CallbackInfo& info) {
  const double threshold = number_arg(info, 3, "threshold");
  return binary_op<Kinds::Float>(info, "threshold_backward", [threshold](auto g, auto x) {
    using T = decltype(g);
    return x <= T(threshold) ? T(0) : g;
  });
}

// gelu_backward(out, grad, x): grad * (cdf(x) + x pdf(x)), GELU's backward; rows in vmath.h's
// vectorised version for the CPU.
Napi::Value gelu_backward_binding(const Napi::CallbackInfo& info) {
  return binary_op<Kinds::Float>(info, "gelu_backward", [](auto g, auto x) { return vgelu_grad(g, x); },
                                 [](auto* o, const auto* g, const auto* x, int64_t n) { vgelu_grad_row(o, g, x, n); });
}

// Reads clamp's optional bounds (null or missing: none) from arguments i and i + 1.
void clamp_bounds(const Napi::CallbackInfo& info, size_t i, double* lo, double* hi) {
  *lo = -std::numeric_limits<double>::infinity();
  *hi = std::numeric_limits<double>::infinity();
  optional_number_arg(info, i, lo);
  optional_number_arg(info, i + 1, hi);
}

// clamp_backward(out, grad, x, min?, max?): grad where min <= x <= max, else 0 (NaN x: 0).
Napi::Value clamp_backward_binding(const Napi::CallbackInfo& info) {
  double lo, hi;
  clamp_bounds(info, 3, &lo, &hi);
  return binary_op<Kinds::Float>(info, "clamp_backward", [lo, hi](auto g, auto x) {
    using T = decltype(g);
    const bool keep = (x >= clamp_bound<T>(lo)) & (x <= clamp_bound<T>(hi));  // no branches: vectorised
    return keep ? g : T(0);
  });
}

// where(out, cond, a, b): out = cond ? a : b; a and b tensors of out's dtype or numbers.
Napi::Value where_binding(const Napi::CallbackInfo& info) {
  Meta meta(info);
  Strided<4> s;
  Buf out = begin(info, meta, s);
  Buf cond = buf_arg(info, 1, "cond");
  expect_dtype(info.Env(), cond, DType::Bool, "cond");
  s.data[1] = meta.operand(cond, s.ndim, s.shape, s.strides[1]);
  TG_DISPATCH(out.dtype, T, {
    T sa{}, sb{};
    operand<T>(info, 2, meta, s, 2, &sa, out.dtype);
    operand<T>(info, 3, meta, s, 3, &sb, out.dtype);
    meta.done();
    where<T>(s);
  });
  return info.Env().Undefined();
}

// clamp(out, a, min?, max?): min(max(a, min), max), a NaN element stays NaN and a NaN bound gives NaN,
// as in PyTorch; a missing bound is null or undefined. Bounds are compared in a's dtype.
Napi::Value clamp_binding(const Napi::CallbackInfo& info) {
  double lo, hi;
  clamp_bounds(info, 2, &lo, &hi);
  if (std::isnan(lo) || std::isnan(hi)) {
    return unary_op<Kinds::Num>(info, "clamp", [](auto x) {
      using T = decltype(x);
      if constexpr (is_float_v<T>) return std::numeric_limits<T>::quiet_NaN();
      else return x;  // not reached: an integer tensor with a NaN bound is promoted to float first
    });
  }
  return unary_op<Kinds::Num>(info, "clamp", [lo, hi](auto x) {
    using T = decltype(x);
    const T l = clamp_bound<T>(lo), h = clamp_bound<T>(hi);
    const T r = x < l ? l : x;  // NaN compares false: stays NaN
    return r > h ? h : r;
  });
}

// copy(out, a): out = a converted to out's dtype.
Napi::Value copy_binding(const Napi::CallbackInfo& info) {
  Meta meta(info);
  Strided<2> s;
  Buf out = begin(info, meta, s);
  Buf a = buf_arg(info, 1, "a");
  s.data[1] = meta.operand(a, s.ndim, s.shape, s.strides[1]);
  meta.done();
  TG_DISPATCH(out.dtype, To, {
    TG_DISPATCH(a.dtype, Ta, {
      if constexpr (std::is_same<To, Ta>::value) {
        unary<To, Ta>(s, [](Ta x) { return x; }, CopyRow{});
      } else {
        unary<To, Ta>(s, [](Ta x) { return cast<To>(x); });
      }
    });
  });
  return info.Env().Undefined();
}

// fill(out, value)
Napi::Value fill_binding(const Napi::CallbackInfo& info) {
  Meta meta(info);
  Strided<2> s;
  Buf out = begin(info, meta, s);
  meta.done();
  TG_DISPATCH(out.dtype, T, {
    T value = scalar_arg<T>(info, 1, "value");
    s.data[1] = reinterpret_cast<char*>(&value);
    for (int d = 0; d < s.ndim; ++d) s.strides[1][d] = 0;
    unary<T, T>(s, [](T x) { return x; });
  });
  return info.Env().Undefined();
}

// logical_not(out, a): out (bool) = a == 0.
Napi::Value logical_not_binding(const Napi::CallbackInfo& info) {
  Meta meta(info);
  Strided<2> s;
  Buf out = begin(info, meta, s);
  expect_dtype(info.Env(), out, DType::Bool, "out");
  Buf a = buf_arg(info, 1, "a");
  s.data[1] = meta.operand(a, s.ndim, s.shape, s.strides[1]);
  meta.done();
  TG_DISPATCH(a.dtype, T, { unary<bool_t, T>(s, [](T x) { return bool_t(x == T(0) ? 1 : 0); }); });
  return info.Env().Undefined();
}

}  // namespace

void register_elementwise(Napi::Env env, Napi::Object exports) {
#define TG_EXPORT(name, fn) exports.Set(#name, Napi::Function::New(env, fn, #name));
#define TG_UNARY(KIND, NAME, EXPR)                                                                 \
  TG_EXPORT(NAME, [](const Napi::CallbackInfo& info) {                                            \
    return unary_op<KIND>(info, #NAME, [](auto x) { using T = decltype(x); (void)sizeof(T); return EXPR; }); \
  })
#define TG_BINARY(KIND, NAME, EXPR)                                                                  \
  TG_EXPORT(NAME, [](const Napi::CallbackInfo& info) {                                              \
    return binary_op<KIND>(info, #NAME, [](auto a, auto b) { using T = decltype(a); (void)sizeof(T); return EXPR; }); \
  })
#define TG_PREDICATE(NAME, EXPR)                                                               \
  TG_EXPORT(NAME, [](const Napi::CallbackInfo& info) {                                        \
    return predicate_op(info, [](auto a, auto b) { using T = decltype(a); (void)sizeof(T); return EXPR; }); \
  })
#define TG_UNARY_FLOAT(NAME, EXPR) TG_UNARY(Kinds::Float, NAME, EXPR)
#define TG_UNARY_NUM(NAME, EXPR) TG_UNARY(Kinds::Num, NAME, EXPR)
#define TG_BINARY_FLOAT(NAME, EXPR) TG_BINARY(Kinds::Float, NAME, EXPR)
#define TG_BINARY_ALL(NAME, EXPR) TG_BINARY(Kinds::All, NAME, EXPR)
  TG_UNARY_FLOAT_OPS(TG_UNARY_FLOAT)
#define TG_UNARY_VECTOR(NAME)                                                                    \
  TG_EXPORT(NAME, [](const Napi::CallbackInfo& info) {                                           \
    return unary_op<Kinds::Float>(info, #NAME, [](auto x) { return v##NAME(x); },                 \
                                  [](auto* o, const auto* a, int64_t n) { v##NAME##_row(o, a, n); }); \
  })
  TG_UNARY_VECTOR_OPS(TG_UNARY_VECTOR)
  TG_UNARY_NUM_OPS(TG_UNARY_NUM)
  TG_BINARY_FLOAT_OPS(TG_BINARY_FLOAT)
  TG_COMPARE_OPS(TG_PREDICATE)
  TG_LOGICAL_OPS(TG_PREDICATE)
  TG_EXPORT(add, add_sub<false>)
  TG_EXPORT(sub, add_sub<true>)
  TG_BINARY_ALL_OPS(TG_BINARY_ALL)
  TG_EXPORT(pow, pow_binding)
  TG_EXPORT(where, where_binding)
  TG_EXPORT(threshold_backward, threshold_backward_binding)
  TG_EXPORT(clamp_backward, clamp_backward_binding)
  TG_EXPORT(gelu_backward, gelu_backward_binding)
  TG_EXPORT(clamp, clamp_binding)
  TG_EXPORT(copy, copy_binding)
  TG_EXPORT(fill, fill_binding)
  TG_EXPORT(logical_not, logical_not_binding)
}

}  // namespace tg
