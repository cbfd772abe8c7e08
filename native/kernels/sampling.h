// Random fills drawn as PyTorch's CPU kernels draw them (random.h has the generator and the
// transforms): elements in memory order, randint's range reduction, randperm's two shuffles.
#pragma once
#include <algorithm>
#include <cmath>
#include <type_traits>

#include "random.h"
#include "strided.h"
#include "view.h"

namespace tg {

// Writes f() to every element of out in memory order (dims by decreasing stride), the order in
// which PyTorch's TensorIterator visits them: a transposed tensor is filled as it lies in memory.
template <class T, class F>
void fill_in_memory_order(const View& out, F f) {
  int order[kMaxDims];
  for (int d = 0; d < out.ndim; ++d) order[d] = d;
  std::stable_sort(order, order + out.ndim, [&](int a, int b) { return out.strides[a] > out.strides[b]; });
  Strided<1> m;
  m.ndim = out.ndim;
  m.data[0] = out.data;
  for (int d = 0; d < out.ndim; ++d) {
    m.shape[d] = out.shape[order[d]];
    m.strides[0][d] = out.strides[order[d]] * int64_t(sizeof(T));
  }
  if (m.numel() == 0) return;
  coalesce(m);
  for_each(m, [&](char** p, const int64_t* st, int64_t n) {
    for (int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(p[0] + i * st[0]) = f();
  });
}

// Operand 0's dims sorted by decreasing stride (memory order), the others' strides following.
template <int N>
void order_by_memory(Strided<N>& s) {
  int order[kMaxDims];
  for (int d = 0; d < s.ndim; ++d) order[d] = d;
  std::stable_sort(order, order + s.ndim, [&](int a, int b) { return s.strides[0][a] > s.strides[0][b]; });
  Strided<N> copy = s;
  for (int d = 0; d < s.ndim; ++d) {
    s.shape[d] = copy.shape[order[d]];
    for (int k = 0; k < N; ++k) s.strides[k][d] = copy.strides[k][order[d]];
  }
}

template <class T>
void uniform_fill(const View& out, Generator& g, double from, double to) {
  const bool fused = fused_random_transforms();
  const T lo = T(from), hi = T(to);
  fill_in_memory_order<T>(out, [&] {
    if constexpr (std::is_same<T, float>::value) return uniform_from<T>(g.uniform_float(), lo, hi, fused);
    else return uniform_from<T>(g.uniform_double(), lo, hi, fused);
  });
}

// Contiguous tensors of 16 or more elements take the 16-wide fill; others draw one Box-Muller
// sample per element (normal_distribution<double>, with its cached second sample).
template <class T>
void normal_fill(const View& out, Generator& g, double mean, double std) {
  const bool fused = fused_random_transforms();
  if (out.numel() >= 16 && out.contiguous()) return normal_fill(out.ptr<T>(), out.numel(), g, T(mean), T(std), fused);
  fill_in_memory_order<T>(out, [&] {
    const double v = g.normal_double();
    return T(fused ? std::fma(v, std, mean) : v * std + mean);
  });
}

// Integers in [low, high): bounds are exact integers in [-2^63, 2^63] with low < high, whose
// difference can need 64 unsigned bits; below 2^32 one 32-bit draw per element, as PyTorch.
template <class T>
void randint_fill(const View& out, Generator& g, double low, double high) {
  const double limit = 9223372036854775808.0;
  if (!(high > low) || low != std::floor(low) || high != std::floor(high) || low < -limit || high > limit)
    raise(ErrorKind::Range, "randint: expected integers with low < high");
  // high - low in (0, 2^64], computed modulo 2^64 on the bounds' two's-complement bits (2^63 has
  // the bits of -2^63): 0 stands for the full 2^64.
  const auto bits = [limit](double v) { return v >= limit ? uint64_t(1) << 63 : uint64_t(int64_t(v)); };
  const uint64_t range = bits(high) - bits(low);
  const int64_t base = int64_t(low);
  fill_in_memory_order<T>(out, [&] {
    const uint64_t r = range == 0                        ? g.random64()
                       : range >= (uint64_t(1) << 32) ? g.random64() % range
                                                      : uint64_t(g.random() % range);
    return cast<T>(int64_t(uint64_t(base) + r));
  });
}

// A random permutation of [0, n): below UINT32_MAX / 20 PyTorch swaps forward with 32-bit draws;
// above it fills inside out with 64-bit draws.
inline void randperm_fill(int64_t* r, int64_t n, Generator& g) {
  if (n < 214748364) {
    for (int64_t i = 0; i < n; ++i) r[i] = i;
    for (int64_t i = 0; i + 1 < n; ++i) std::swap(r[i], r[int64_t(g.random() % uint32_t(n - i)) + i]);
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    const int64_t z = int64_t(g.random64() % uint64_t(i + 1));
    r[i] = r[z];
    r[z] = i;
  }
}

template <class T>
void bernoulli_fill(const View& out, Generator& g, double p) {
  if (!(p >= 0 && p <= 1)) raise(ErrorKind::Range, "bernoulli_: p must be in [0, 1]");
  if (!out.contiguous()) return fill_in_memory_order<T>(out, [&] { return T(g.uniform_double() < p ? 1 : 0); });
  // the same draws, generated a block at a time: two words per element, as uniform_double()
  T* o = out.ptr<T>();
  uint32_t words[1024];
  for (int64_t i = 0, n = out.numel(); i < n; i += 512) {
    const int64_t m = std::min<int64_t>(512, n - i);
    g.random_block(words, 2 * m);
    for (int64_t j = 0; j < m; ++j) {
      const uint64_t bits = (uint64_t(words[2 * j]) << 32) | words[2 * j + 1];
      o[i + j] = T(double(bits & ((uint64_t(1) << 53) - 1)) * (1.0 / double(uint64_t(1) << 53)) < p ? 1 : 0);
    }
  }
}

// Bernoulli draws with a probability per element (p broadcast to out), in out's memory order:
// a float32 p compares a 24-bit uniform float, a float64 p a 53-bit uniform double, as PyTorch's
// bernoulli_(Tensor p) does.
template <class T, class P>
void bernoulli_tensor_fill(const View& out, const View& p, Generator& g) {
  const View* v[2] = {&out, &p};
  Strided<2> s = broadcast<2>(v);
  if (s.numel() == 0) return;
  order_by_memory(s);
  coalesce(s);
  for_each(s, [&](char** ptr, const int64_t* st, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      const P q = *reinterpret_cast<const P*>(ptr[1] + i * st[1]);
      if (!(q >= P(0) && q <= P(1))) raise(ErrorKind::Range, "bernoulli: every probability must be in [0, 1]");
      const bool one = std::is_same<P, float>::value ? g.uniform_float() < float(q) : g.uniform_double() < double(q);
      *reinterpret_cast<T*>(ptr[0] + i * st[0]) = T(one ? 1 : 0);
    }
  });
}

// Exponential samples with rate lambda: -1/lambda * log1p(-u) for 53-bit uniform doubles u
// (PyTorch's exponential_distribution<double>), rounded to T.
template <class T>
void exponential_fill(const View& out, Generator& g, double lambda) {
  if (!(lambda > 0)) raise(ErrorKind::Range, "exponential_: lambda must be positive");
  fill_in_memory_order<T>(out, [&] { return T(-1.0 / lambda * std::log1p(-g.uniform_double())); });
}

// random_() without bounds: 64-bit draws for int64 and float64, 32-bit ones otherwise, reduced to
// [0, 2^63) for int64, [0, 2^31) for int32, [0, 2^mantissa] for floats, the low bit for bool.
template <class T>
void random_full_fill(const View& out, Generator& g) {
  fill_in_memory_order<T>(out, [&]() -> T {
    if constexpr (std::is_same<T, int64_t>::value) return T(g.random64() % (uint64_t(1) << 63));
    else if constexpr (std::is_same<T, double>::value) return T(g.random64() % ((uint64_t(1) << 53) + 1));
    else if constexpr (std::is_same<T, float>::value) return T(uint64_t(g.random()) % ((uint64_t(1) << 24) + 1));
    else if constexpr (std::is_same<T, int32_t>::value) return T(g.random() % (uint32_t(1) << 31));
    else return T(g.random() & 1);
  });
}

}  // namespace tg
