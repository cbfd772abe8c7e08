// Helpers for kernels that work row by row (softmax, layer_norm): sums and maxima along a row in one
// fixed order, written with GCC's vector extensions over a 32-byte vector of partials (8 floats, 4
// doubles) whatever the instruction set a TG_CLONES function is compiled for (simd.h), so every
// version adds in the same order and gives the same bits. 32 bytes is AVX2's register: wider
// vectors GCC splits well only for AVX-512, and it runs much of the arithmetic on them one lane at
// a time for AVX2 (3x slower than before there). Baseline x86-64 (SSE2) takes 32-byte selects a lane
// at a time too: softmax's maximum is slower there than the scalar loop it replaced.
#pragma once
#include <cstdint>
#include <cstring>
#include <limits>

#include "simd.h"

namespace tg {
namespace rows {

template <class T> struct VecOf;
template <> struct VecOf<float> { typedef float type __attribute__((vector_size(32))); };
template <> struct VecOf<double> { typedef double type __attribute__((vector_size(32))); };
typedef float Float4 __attribute__((vector_size(16)));
typedef float Float2 __attribute__((vector_size(8)));
typedef double Double2 __attribute__((vector_size(16)));

template <class T> using Vec = typename VecOf<T>::type;
template <class T> constexpr int kLanes = int(32 / sizeof(T));

// `count` elements from p (at most the vector's lanes), the other lanes zero.
template <class V, class T>
TG_INLINE V load(const T* p, int count) {
  V v = {};
  if (count * sizeof(T) >= sizeof(V)) std::memcpy(&v, p, sizeof(V));
  else std::memcpy(&v, p, size_t(count) * sizeof(T));
  return v;
}

// A float64 vector of the 4 floats (or fewer) at p, or the 4 doubles.
TG_INLINE Vec<double> load_wide(const float* p, int count) { return __builtin_convertvector(load<Float4>(p, count), Vec<double>); }
TG_INLINE Vec<double> load_wide(const double* p, int count) { return load<Vec<double>>(p, count); }

// The low (0) or high (1) half of a vector.
template <class H, class V>
TG_INLINE H half(const V& v, int which) {
  static_assert(2 * sizeof(H) == sizeof(V), "a half");
  H h;
  std::memcpy(&h, reinterpret_cast<const char*>(&v) + which * sizeof(H), sizeof(H));
  return h;
}

// Folds the lanes in halves: lane k with lane k + L/2, then k + L/4, ...
template <class Op>
TG_INLINE float fold(Vec<float> v, Op op) {
  const Float4 b = op(half<Float4>(v, 0), half<Float4>(v, 1));
  const Float2 c = op(half<Float2>(b, 0), half<Float2>(b, 1));
  return op(c[0], c[1]);
}
template <class Op>
TG_INLINE double fold(Vec<double> v, Op op) {
  const Double2 c = op(half<Double2>(v, 0), half<Double2>(v, 1));
  return op(c[0], c[1]);
}

// The sum over j in [0, n) of lanes(j, count), the vector of terms j .. j + count - 1 (count = the
// lanes but at a row's end): each lane a partial sum, then folded.
template <class A, class F>
TG_INLINE A sum(int64_t n, F&& lanes) {
  constexpr int L = kLanes<A>;
  Vec<A> acc = {};
  int64_t j = 0;
  for (; j + L <= n; j += L) acc += lanes(j, L);
  if (j < n) {
    Vec<A> v = lanes(j, int(n - j));
    for (int k = int(n - j); k < L; ++k) v[k] = A(0);  // adding +0 changes no partial (none is -0)
    acc += v;
  }
  return fold(acc, [](auto x, auto y) TG_LAMBDA { return x + y; });
}

// The largest of lanes(j, count) over [0, n), n >= 1. A NaN may be passed over: callers whose
// result must then be NaN get it through the NaN's other uses.
template <class A, class F>
TG_INLINE A max(int64_t n, F&& lanes) {
  constexpr int L = kLanes<A>;
  constexpr A lowest = -std::numeric_limits<A>::infinity();
  Vec<A> acc = lowest - Vec<A>{};
  int64_t j = 0;
  for (; j + L <= n; j += L) {
    const Vec<A> v = lanes(j, L);
    acc = v > acc ? v : acc;
  }
  if (j < n) {
    Vec<A> v = lanes(j, int(n - j));
    for (int k = int(n - j); k < L; ++k) v[k] = lowest;
    acc = v > acc ? v : acc;
  }
  return fold(acc, [](auto x, auto y) TG_LAMBDA { return y > x ? y : x; });
}

}  // namespace rows
}  // namespace tg
