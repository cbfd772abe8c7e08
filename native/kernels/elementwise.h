// Elementwise kernels: the op lists (each op's formula, by name) and their strided loops.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "dtype.h"
#include "parallel.h"
#include "strided.h"
#include "vmath.h"

namespace tg {

// ---- scalar helpers with defined behaviour for every input -------------------------------------

// Signed overflow is undefined in C++; integer tensors wrap around as they do in PyTorch.
template <class T> inline T wadd(T a, T b) {
  if constexpr (std::is_same<T, bool_t>::value) return T(a | b);  // True + True is True
  else if constexpr (std::is_integral<T>::value) return T(std::make_unsigned_t<T>(a) + std::make_unsigned_t<T>(b));
  else return a + b;
}
template <class T> inline T wsub(T a, T b) {
  if constexpr (std::is_integral<T>::value) return T(std::make_unsigned_t<T>(a) - std::make_unsigned_t<T>(b));
  else return a - b;
}
template <class T> inline T wmul(T a, T b) {
  if constexpr (std::is_integral<T>::value) return T(std::make_unsigned_t<T>(a) * std::make_unsigned_t<T>(b));
  else return a * b;
}
template <class T> inline T neg_(T x) { return wsub(T(0), x); }
template <class T> inline T abs_(T x) { return x < T(0) ? neg_(x) : (x == T(0) ? T(0) : x); }
// (0 < x) - (x < 0): NaN and -0 give 0, as torch.sign does.
template <class T> inline T sign_(T x) { return T(int(T(0) < x) - int(x < T(0))); }
// NaN stays NaN (a NaN compares false), as torch.relu does.
template <class T> inline T relu_(T x) { return x < T(0) ? T(0) : x; }

template <class T> inline T int_pow(T base, T exp) {
  if (exp < 0) {  // what integer arithmetic gives: 1/base^|exp| truncated
    if (base == 1) return 1;
    if (base == -1) return (exp % 2 == 0) ? 1 : -1;
    return 0;
  }
  T result = 1;
  while (exp) {
    if (exp & 1) result = wmul(result, base);
    exp >>= 1;
    base = wmul(base, base);
  }
  return result;
}
template <class T> inline T pow_(T a, T b) {
  if constexpr (is_float_v<T>) return std::pow(a, b);
  else return int_pow(a, b);
}
// torch.maximum / torch.minimum propagate NaN from either side.
template <class T> inline T max_(T a, T b) {
  if constexpr (is_float_v<T>) { if (std::isnan(a)) return a; }
  return a > b ? a : b;
}
template <class T> inline T min_(T a, T b) {
  if constexpr (is_float_v<T>) { if (std::isnan(a)) return a; }
  return a < b ? a : b;
}
template <class T> inline T round_(T x) {
  if constexpr (is_float_v<T>) return std::nearbyint(x);  // half to even, like torch.round
  else return x;
}
// A clamp bound in T: a missing bound (+-inf) becomes T's extreme value.
template <class T> inline T clamp_bound(double v) {
  if constexpr (is_float_v<T>) {
    return T(v);
  } else {
    if (!(v > double(std::numeric_limits<T>::lowest()))) return std::numeric_limits<T>::lowest();
    if (v >= double(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
    return T(v);
  }
}
// C's fmod (the remainder with a's sign); % for integers. The ops refuse an integer zero divisor
// before the kernel runs (PyTorch's ZeroDivisionError); here it gives 0 rather than a hardware
// trap, as does x % -1, which overflows for the lowest value.
template <class T> inline T fmod_(T a, T b) {
  if constexpr (is_float_v<T>) return std::fmod(a, b);
  else return b == T(0) || b == T(-1) ? T(0) : T(a % b);
}
// Python's % (the remainder with b's sign), as torch.remainder.
template <class T> inline T remainder_(T a, T b) {
  T r = fmod_(a, b);
  if (r != T(0) && ((b < T(0)) != (r < T(0)))) r = T(r + b);
  return r;
}
// Python's // (the quotient rounded down), as torch.floor_divide, with PyTorch's correction for
// floats (the exact quotient from the remainder, rounded to the nearest integer below). Integer
// zero divisors are refused before the kernel runs, as for fmod; x // -1 wraps for the lowest value.
template <class T> inline T floor_divide_(T a, T b) {
  if constexpr (is_float_v<T>) {
    if (b == T(0)) return a / b;
    const T mod = std::fmod(a, b);
    T div = (a - mod) / b;
    if (mod != T(0) && ((b < T(0)) != (mod < T(0)))) div -= T(1);
    if (div == T(0)) return std::copysign(T(0), a / b);
    T q = std::floor(div);
    if (div - q > T(0.5)) q += T(1);
    return q;
  } else {
    if (b == T(0)) return T(0);
    if (b == T(-1)) return neg_(a);
    T q = T(a / b);
    if (a % b != T(0) && ((a < T(0)) != (b < T(0)))) q = T(q - 1);
    return q;
  }
}
// The quotient rounded toward zero (torch.div with rounding_mode='trunc').
template <class T> inline T trunc_divide_(T a, T b) {
  if constexpr (is_float_v<T>) return std::trunc(a / b);
  else return b == T(0) ? T(0) : b == T(-1) ? neg_(a) : T(a / b);
}
template <class T> inline T floor_(T x) { if constexpr (is_float_v<T>) return std::floor(x); else return x; }
template <class T> inline T ceil_(T x) { if constexpr (is_float_v<T>) return std::ceil(x); else return x; }
template <class T> inline T trunc_(T x) { if constexpr (is_float_v<T>) return std::trunc(x); else return x; }

// ---- the op lists ---------------------------------------------------------------------------
// Each X(name, expression) entry is one op; the name is the same in TypeScript and in the
// exported native function.

// Unary ops defined for floating-point tensors only (x has type T).
#define TG_UNARY_FLOAT_OPS(X)                   \
  X(log, std::log(x))                           \
  X(log2, std::log2(x))                         \
  X(log10, std::log10(x))                       \
  X(log1p, std::log1p(x))                       \
  X(expm1, std::expm1(x))                       \
  X(sqrt, std::sqrt(x))                         \
  X(rsqrt, T(1) / std::sqrt(x))                 \
  X(reciprocal, T(1) / x)                       \
  X(sin, std::sin(x))                           \
  X(cos, std::cos(x))                           \
  X(tan, std::tan(x))                           \
  X(asin, std::asin(x))                         \
  X(acos, std::acos(x))                         \
  X(atan, std::atan(x))                         \
  X(sinh, std::sinh(x))                         \
  X(cosh, std::cosh(x))

// Unary ops for floating-point tensors with vector versions of their own (vmath.h): X(name), the
// element function v<name> and the contiguous row's v<name>_row.
#define TG_UNARY_VECTOR_OPS(X) \
  X(exp)                       \
  X(tanh)                      \
  X(sigmoid)                   \
  X(erf)                       \
  X(gelu)

// Unary ops for every dtype but bool.
#define TG_UNARY_NUM_OPS(X) \
  X(neg, neg_(x))           \
  X(abs, abs_(x))           \
  X(sign, sign_(x))         \
  X(relu, relu_(x))         \
  X(floor, floor_(x))       \
  X(ceil, ceil_(x))         \
  X(round, round_(x))       \
  X(trunc, trunc_(x))

// Binary ops for every dtype; on bool, mul is "and" as in PyTorch. add, sub and pow have bindings
// of their own (torch.add's alpha; pow's exact special exponents) built from wadd, wsub and pow_.
#define TG_BINARY_ALL_OPS(X) \
  X(mul, wmul(a, b))         \
  X(maximum, max_(a, b))     \
  X(minimum, min_(a, b))

// Binary ops for floating-point tensors only.
#define TG_BINARY_FLOAT_OPS(X) \
  X(div, a / b)                \
  X(atan2, std::atan2(a, b))   \
  X(hypot, std::hypot(a, b))

// Binary ops for every dtype but bool.
#define TG_BINARY_NUM_OPS(X)      \
  X(fmod, fmod_(a, b))            \
  X(remainder, remainder_(a, b))  \
  X(floor_divide, floor_divide_(a, b)) \
  X(trunc_divide, trunc_divide_(a, b))

// Comparisons: T inputs, bool output.
#define TG_COMPARE_OPS(X) \
  X(eq, a == b)           \
  X(ne, a != b)           \
  X(lt, a < b)            \
  X(le, a <= b)           \
  X(gt, a > b)            \
  X(ge, a >= b)

// Logical ops: T inputs (non-zero is true), bool output.
#define TG_LOGICAL_OPS(X)                      \
  X(logical_and, (a != T(0)) && (b != T(0)))  \
  X(logical_or, (a != T(0)) || (b != T(0)))   \
  X(logical_xor, (a != T(0)) != (b != T(0)))

// ---- row loops ----------------------------------------------------------------------------------
// Each handles one row of n elements; the all-contiguous and one-side-broadcast cases are plain
// indexed loops the compiler vectorises.

// `row`, when given, runs the all-contiguous case (NoRow: the plain loop).
struct NoRow {};

// A contiguous row copied as it is (same dtype): the C library's memmove, whose large copies
// skip the cache for the destination instead of reading it in first.
struct CopyRow {
  template <class T>
  void operator()(T* o, const T* a, int64_t n) const { std::memmove(o, a, size_t(n) * sizeof(T)); }
};

// Elements per task below which splitting across threads costs more than it saves: handing a
// task to a worker costs a few us when it is polling and 10-20 us when it has to be woken, what a
// memory-bound loop takes over some 32k-65k floats. The lower end is chosen because of where the
// operands usually are: an update right after a product that two threads wrote (the SGD step
// after the weight gradient) finds each half in the cache of the core that wrote it when it is
// split the same way; read by one thread, the other half crosses between cores, which cost up to
// 150 us for the seed loop's 100k-element step on a 2-vCPU VM, against 20 us split. The seed
// loop on two threads went from 0.78x to 0.65x of its one-thread time (from 1.35x to 1.02x in the
// periods when the VM's two vCPUs sat far apart and every shared line was slow); the transformer
// step (65k-element activations) did not change. The vectorised rows of vmath.h (exp, tanh, sigmoid,
// erf, GELU) do about twenty times the arithmetic per element, so they split from 16k elements.
constexpr int64_t kElementwiseGrain = 32768;
constexpr int64_t kMathGrain = 16384;

template <class To, class Ta, class F, class Row = NoRow>
inline void unary_row(char** p, const int64_t* s, int64_t n, F f, Row row = {}) {
  To* o = reinterpret_cast<To*>(p[0]);
  const Ta* a = reinterpret_cast<const Ta*>(p[1]);
  if (s[0] == sizeof(To) && s[1] == sizeof(Ta)) {
    if constexpr (std::is_same<Row, NoRow>::value) {
      for (int64_t i = 0; i < n; ++i) o[i] = f(a[i]);
    } else {
      row(o, a, n);
    }
  } else if (s[0] == sizeof(To) && s[1] == 0) {
    const To v = f(*a);
    for (int64_t i = 0; i < n; ++i) o[i] = v;
  } else {
    for (int64_t i = 0; i < n; ++i)
      *reinterpret_cast<To*>(p[0] + i * s[0]) = f(*reinterpret_cast<const Ta*>(p[1] + i * s[1]));
  }
}

template <class To, class Ta, class Tb, class F, class Row = NoRow>
inline void binary_row(char** p, const int64_t* s, int64_t n, F f, Row row = {}) {
  To* o = reinterpret_cast<To*>(p[0]);
  const Ta* a = reinterpret_cast<const Ta*>(p[1]);
  const Tb* b = reinterpret_cast<const Tb*>(p[2]);
  const bool oc = s[0] == sizeof(To);
  if (oc && s[1] == sizeof(Ta) && s[2] == sizeof(Tb)) {
    if constexpr (std::is_same<Row, NoRow>::value) {
      for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);
    } else {
      row(o, a, b, n);
    }
  } else if (oc && s[1] == sizeof(Ta) && s[2] == 0) {
    const Tb bv = *b;
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], bv);
  } else if (oc && s[1] == 0 && s[2] == sizeof(Tb)) {
    const Ta av = *a;
    for (int64_t i = 0; i < n; ++i) o[i] = f(av, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i)
      *reinterpret_cast<To*>(p[0] + i * s[0]) = f(*reinterpret_cast<const Ta*>(p[1] + i * s[1]),
                                                  *reinterpret_cast<const Tb*>(p[2] + i * s[2]));
  }
}

// Runs a row function over a coalesced Strided<N>, in parallel for large tensors.
template <int N, class Row>
void run_rows(Strided<N>& s, Row row, int64_t grain = kElementwiseGrain) {
  coalesce(s);
  parallel_for(s.numel(), grain, [&](int64_t b, int64_t e) { for_each_range(s, b, e, row); });
}

template <class To, class Ta, class F, class Row = NoRow>
void unary(Strided<2>& s, F f, Row row = {}) {
  constexpr bool math = !std::is_same<Row, NoRow>::value && !std::is_same<Row, CopyRow>::value;
  run_rows(s, [&](char** p, const int64_t* st, int64_t n) { unary_row<To, Ta>(p, st, n, f, row); },
           math ? kMathGrain : kElementwiseGrain);
}

template <class To, class Ta, class Tb, class F, class Row = NoRow>
void binary(Strided<3>& s, F f, Row row = {}) {
  constexpr bool math = !std::is_same<Row, NoRow>::value;
  run_rows(s, [&](char** p, const int64_t* st, int64_t n) { binary_row<To, Ta, Tb>(p, st, n, f, row); },
           math ? kMathGrain : kElementwiseGrain);
}

// where(cond, a, b): operands out, cond (bool), a, b. Rows with out and cond contiguous and a and
// b each contiguous or a number (maskedFill's) read both sides and select, a loop that vectorises.
template <class T>
void where(Strided<4>& s) {
  run_rows(s, [](char** p, const int64_t* st, int64_t n) {
    if (st[0] == sizeof(T) && st[1] == sizeof(bool_t) && (st[2] == sizeof(T) || st[2] == 0) &&
        (st[3] == sizeof(T) || st[3] == 0)) {
      T* o = reinterpret_cast<T*>(p[0]);
      const bool_t* c = reinterpret_cast<const bool_t*>(p[1]);
      const T* a = reinterpret_cast<const T*>(p[2]);
      const T* b = reinterpret_cast<const T*>(p[3]);
      if (st[2] != 0 && st[3] != 0) {
        for (int64_t i = 0; i < n; ++i) { const T x = a[i], y = b[i]; o[i] = c[i] != 0 ? x : y; }
      } else if (st[2] != 0) {
        const T y = *b;
        for (int64_t i = 0; i < n; ++i) { const T x = a[i]; o[i] = c[i] != 0 ? x : y; }
      } else if (st[3] != 0) {
        const T x = *a;
        for (int64_t i = 0; i < n; ++i) { const T y = b[i]; o[i] = c[i] != 0 ? x : y; }
      } else {
        const T x = *a, y = *b;
        for (int64_t i = 0; i < n; ++i) o[i] = c[i] != 0 ? x : y;
      }
      return;
    }
    for (int64_t i = 0; i < n; ++i) {
      const bool c = *reinterpret_cast<const bool_t*>(p[1] + i * st[1]) != 0;
      *reinterpret_cast<T*>(p[0] + i * st[0]) = *reinterpret_cast<const T*>(p[c ? 2 : 3] + i * st[c ? 2 : 3]);
    }
  });
}

}  // namespace tg
