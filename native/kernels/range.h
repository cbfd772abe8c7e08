// arange and linspace, computed the way PyTorch's CPU kernels compute them on x86-64 with AVX2:
// multiply-adds fused (its compiler contracts them), and arange filled in SIMD vectors of 32
// bytes, two per step, each vector as base + k * step. Float32 results then match bit for bit.
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "dtype.h"

namespace tg {

template <class T>
void arange(T* out, int64_t n, double start, double step) {
  if constexpr (is_float_v<T>) {
    const auto at = [&](int64_t i) { return T(std::fma(step, double(i), start)); };
    constexpr int64_t lanes = 32 / sizeof(T);
    int64_t i = 0;
    for (; i + 2 * lanes <= n; i += 2 * lanes) {
      for (int64_t v = i; v < i + 2 * lanes; v += lanes) {
        const T base = at(v);
        for (int64_t k = 0; k < lanes; ++k) out[v + k] = T(std::fma(double(k), step, double(base)));
      }
    }
    for (; i < n; ++i) out[i] = at(i);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = cast<T>(start + step * double(i));
  }
}

template <class T>
void linspace(T* out, int64_t n, double start, double end) {
  const int64_t half = n / 2;
  if constexpr (is_float_v<T>) {
    const T s = T(start), e = T(end);
    const T step = (e - s) / T(n - 1);
    for (int64_t i = 0; i < n; ++i)
      out[i] = i < half ? std::fma(step, T(i), s) : std::fma(-step, T(n - i - 1), e);
  } else {
    const T s = cast<T>(start), e = cast<T>(end);
    const double step = (double(e) - double(s)) / double(n - 1);
    for (int64_t i = 0; i < n; ++i)
      out[i] = cast<T>(i < half ? std::fma(step, double(i), double(s)) : std::fma(-step, double(n - i - 1), double(e)));
  }
}

}  // namespace tg
