// Elementwise ops: unary(out, a), binary(out, a, b), where, clamp, copy, fill. Operands broadcast
// to out's shape (kernels/view.h); a number in place of a tensor is a scalar operand.
#include <cmath>

#include "../kernels/pointwise.h"
#include "binding.h"
#include "call.h"

namespace tg {
namespace {

enum class Kinds { Float, Num, All };  // which dtypes an op accepts

template <Kinds K, class T>
constexpr bool accepts() {
  if constexpr (K == Kinds::Float) return is_float_v<T>;
  if constexpr (K == Kinds::Num) return !std::is_same<T, bool_t>::value;
  return true;
}

[[noreturn]] void reject(const Call& c, Kinds k, DType d) {
  raise(ErrorKind::DType, std::string(c.name()) + ": expected a " + (k == Kinds::Float ? "floating-point" : "non-bool") +
                              " tensor but got " + dtype_name(d));
}

// The operands [0, N) of c over out's shape, each of dtype `want` (but operand `other`, which the
// caller checks) or a number stored in slots[k].
template <class T, int N>
Strided<N> operands(const Call& c, DType want, T (&slots)[N], int other = -1) {
  const View* views[N];
  for (int k = 0; k < N; ++k) {
    views[k] = &c[k];
    if (k != other && !c.scalar(k)) c.expect_dtype(k, want);
  }
  Strided<N> s = broadcast<N>(views);
  for (int k = 1; k < N; ++k)
    if (c.scalar(k)) slots[k] = cast<T>(c.number(k)), scalar_operand(s, k, &slots[k]);
  return s;
}

// out = f(a) with out and a of one dtype; `row`, if given, runs contiguous rows. `make<T>()` gives f.
template <Kinds K, class Make, class Row = NoRow>
void unary_op(Call& c, Make make, Row row = {}) {
  TG_DISPATCH(c[0].dtype, T, {
    if constexpr (accepts<K, T>()) {
      T slots[2] = {};
      Strided<2> s = operands<T, 2>(c, c[0].dtype, slots);
      unary<T, T>(s, make(T{}), row);
    } else {
      reject(c, K, c[0].dtype);
    }
  });
}

// out = f(a, b) with out, a and b of one dtype.
template <Kinds K, class Make, class Row = NoRow>
void binary_op(Call& c, Make make, Row row = {}) {
  TG_DISPATCH(c[0].dtype, T, {
    if constexpr (accepts<K, T>()) {
      T slots[3] = {};
      Strided<3> s = operands<T, 3>(c, c[0].dtype, slots);
      binary<T, T, T>(s, make(T{}), row);
    } else {
      reject(c, K, c[0].dtype);
    }
  });
}

// out (bool) = f(a, b) with a and b of one dtype: the dtype of whichever is a tensor.
template <class F>
void predicate_op(Call& c, F f) {
  c.expect_dtype(0, DType::Bool);
  if (c.scalar(1) && c.scalar(2)) raise(ErrorKind::Type, std::string(c.name()) + ": a or b must be a tensor");
  const DType dt = c[c.scalar(1) ? 2 : 1].dtype;
  TG_DISPATCH(dt, T, {
    T slots[3] = {};
    Strided<3> s = operands<T, 3>(c, dt, slots, 0);  // out is bool
    binary<bool_t, T, T>(s, [&](T a, T b) { return bool_t(f(a, b) ? 1 : 0); });
  });
}

// add / sub with torch's alpha.
template <bool Sub>
void add_sub(Call& c) {
  const double alpha = c.param("alpha");
  if (alpha == 1) {
    if (Sub) return binary_op<Kinds::Num>(c, [](auto t) { return [](decltype(t) a, decltype(t) b) { return wsub(a, b); }; });
    return binary_op<Kinds::All>(c, [](auto t) { return [](decltype(t) a, decltype(t) b) { return wadd(a, b); }; });
  }
  binary_op<Kinds::Num>(c, [alpha](auto t) { return AddScaled<decltype(t), Sub>{cast<decltype(t)>(alpha)}; });
}

// pow: a number exponent that PyTorch computes specially (kernels/pointwise.h) on a float tensor.
void pow_op(Call& c) {
  if (c.scalar(2) && is_floating(c[0].dtype) && !c.scalar(1)) {
    bool special = false;
    TG_DISPATCH_FLOAT(c[0].dtype, T, {
      special = pow_special<T>(c.number(2), [&](auto f) { unary_op<Kinds::Float>(c, [&](T) { return f; }); });
    });
    if (special) return;
  }
  binary_op<Kinds::Num>(c, [](auto t) { return [](decltype(t) a, decltype(t) b) { return pow_(a, b); }; });
}

void where_op(Call& c) {
  c.expect_dtype(1, DType::Bool);
  TG_DISPATCH(c[0].dtype, T, {
    T slots[4] = {};
    Strided<4> s = operands<T, 4>(c, c[0].dtype, slots, 1);  // cond is bool
    where<T>(s);
  });
}

void copy_op(Call& c) {
  const View* views[2] = {&c[0], &c[1]};
  Strided<2> s = broadcast<2>(views);
  TG_DISPATCH(c[0].dtype, To, {
    TG_DISPATCH(c[1].dtype, Ta, {
      if constexpr (std::is_same<To, Ta>::value) unary<To, Ta>(s, [](Ta x) { return x; }, CopyRow{});
      else unary<To, Ta>(s, [](Ta x) { return cast<To>(x); });
    });
  });
}

void fill_op(Call& c) {
  const View* views[2] = {&c[0], &c[0]};
  Strided<2> s = broadcast<2>(views);
  TG_DISPATCH(c[0].dtype, T, {
    T value = cast<T>(c.param("value"));
    scalar_operand(s, 1, &value);
    unary<T, T>(s, [](T x) { return x; });
  });
}

void logical_not_op(Call& c) {
  c.expect_dtype(0, DType::Bool);
  const View* views[2] = {&c[0], &c[1]};
  Strided<2> s = broadcast<2>(views);
  TG_DISPATCH(c[1].dtype, T, { unary<bool_t, T>(s, [](T x) { return bool_t(x == T(0) ? 1 : 0); }); });
}

const std::vector<OperandSpec> kUnary = {{"out", Arg::Tensor}, {"a", Arg::Scalar}};
const std::vector<OperandSpec> kBinary = {{"out", Arg::Tensor}, {"a", Arg::Scalar}, {"b", Arg::Scalar}};
const std::vector<OperandSpec> kGradX = {{"out", Arg::Tensor}, {"grad", Arg::Tensor}, {"x", Arg::Tensor}};

#define TG_FN(EXPR) [](auto t) { return [](decltype(t) x) { using T = decltype(t); (void)sizeof(T); return T(EXPR); }; }
#define TG_FN2(EXPR) [](auto t) { return [](decltype(t) a, decltype(t) b) { using T = decltype(t); (void)sizeof(T); return T(EXPR); }; }
#define TG_UNARY(KIND, NAME, EXPR) {#NAME, kUnary, {}, [](Call& c) { unary_op<KIND>(c, TG_FN(EXPR)); }},
#define TG_UNARY_FLOAT(NAME, EXPR) TG_UNARY(Kinds::Float, NAME, EXPR)
#define TG_UNARY_NUM(NAME, EXPR) TG_UNARY(Kinds::Num, NAME, EXPR)
#define TG_UNARY_VECTOR(NAME)                                                                          \
  {#NAME, kUnary, {}, [](Call& c) {                                                                    \
     unary_op<Kinds::Float>(c, [](auto t) { return [](decltype(t) x) { return v##NAME(x); }; },        \
                            [](auto* o, const auto* a, int64_t n) { v##NAME##_row(o, a, n); });          \
   }},
#define TG_BINARY(KIND, NAME, EXPR) {#NAME, kBinary, {}, [](Call& c) { binary_op<KIND>(c, TG_FN2(EXPR)); }},
#define TG_BINARY_FLOAT(NAME, EXPR) TG_BINARY(Kinds::Float, NAME, EXPR)
#define TG_BINARY_ALL(NAME, EXPR) TG_BINARY(Kinds::All, NAME, EXPR)
#define TG_BINARY_NUM(NAME, EXPR) TG_BINARY(Kinds::Num, NAME, EXPR)
#define TG_PREDICATE(NAME, EXPR) \
  {#NAME, kBinary, {}, [](Call& c) { predicate_op(c, [](auto a, auto b) { using T = decltype(a); (void)sizeof(T); return EXPR; }); }},

const Op kOps[] = {
    TG_UNARY_FLOAT_OPS(TG_UNARY_FLOAT)
    TG_UNARY_VECTOR_OPS(TG_UNARY_VECTOR)
    TG_UNARY_NUM_OPS(TG_UNARY_NUM)
    TG_BINARY_FLOAT_OPS(TG_BINARY_FLOAT)
    TG_BINARY_ALL_OPS(TG_BINARY_ALL)
    TG_BINARY_NUM_OPS(TG_BINARY_NUM)
    TG_COMPARE_OPS(TG_PREDICATE)
    TG_LOGICAL_OPS(TG_PREDICATE)
    {"add", kBinary, {"alpha"}, add_sub<false>},
    {"sub", kBinary, {"alpha"}, add_sub<true>},
    {"pow", kBinary, {}, pow_op},
    {"where", {{"out", Arg::Tensor}, {"cond", Arg::Tensor}, {"a", Arg::Scalar}, {"b", Arg::Scalar}}, {}, where_op},
    {"threshold_backward", kGradX, {"threshold"}, [](Call& c) {
       const double threshold = c.param("threshold");
       binary_op<Kinds::Float>(c, [threshold](auto t) { return ThresholdBackward<decltype(t)>{decltype(t)(threshold)}; });
     }},
    {"clamp_backward", kGradX, {"min", "max"}, [](Call& c) {
       const double lo = c.param("min"), hi = c.param("max");
       binary_op<Kinds::Float>(c, [lo, hi](auto t) { return ClampBackward<decltype(t)>(lo, hi); });
     }},
    {"gelu_backward", kGradX, {}, [](Call& c) {
       binary_op<Kinds::Float>(c, [](auto t) { return [](decltype(t) g, decltype(t) x) { return vgelu_grad(g, x); }; },
                               [](auto* o, const auto* g, const auto* x, int64_t n) { vgelu_grad_row(o, g, x, n); });
     }},
    {"clamp", {{"out", Arg::Tensor}, {"a", Arg::Tensor}}, {"min", "max"}, [](Call& c) {
       const double lo = c.param("min"), hi = c.param("max");
       unary_op<Kinds::Num>(c, [lo, hi](auto t) { return Clamp<decltype(t)>(lo, hi); });
     }},
    {"copy", {{"out", Arg::Tensor}, {"a", Arg::Tensor}}, {}, copy_op},
    {"fill", {{"out", Arg::Tensor}}, {"value"}, fill_op},
    {"logical_not", {{"out", Arg::Tensor}, {"a", Arg::Tensor}}, {}, logical_not_op},
};

}  // namespace

void register_elementwise(Napi::Env env, Napi::Object exports) {
  for (const Op& op : kOps) define(env, exports, op);
}

}  // namespace tg
