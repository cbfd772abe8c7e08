#include "vmath.h"

#include "simd.h"

namespace tg {

#define TG_VMATH_ROW(NAME, FN, T) \
  TG_CLONES void NAME(T* o, const T* a, int64_t n) { for (int64_t i = 0; i < n; ++i) o[i] = FN(a[i]); }

TG_VMATH_ROW(vexp_row, vexp, float)
TG_VMATH_ROW(vexp_row, vexp, double)
TG_VMATH_ROW(vtanh_row, vtanh, float)
TG_VMATH_ROW(vtanh_row, vtanh, double)
TG_VMATH_ROW(vsigmoid_row, vsigmoid, float)
TG_VMATH_ROW(vsigmoid_row, vsigmoid, double)
TG_VMATH_ROW(verf_row, verf, float)
TG_VMATH_ROW(vgelu_row, vgelu, float)
TG_CLONES void vgelu_grad_row(float* o, const float* g, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = vgelu_grad(g[i], x[i]);
}
// float64 erf is the C library's, one element at a time: no copy per instruction set to pick.
void verf_row(double* o, const double* a, int64_t n) { for (int64_t i = 0; i < n; ++i) o[i] = verf(a[i]); }
void vgelu_row(double* o, const double* a, int64_t n) { for (int64_t i = 0; i < n; ++i) o[i] = vgelu(a[i]); }
void vgelu_grad_row(double* o, const double* g, const double* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = vgelu_grad(g[i], x[i]);
}

// The sum of f(i) for i in [0, n) in double, in vsum_row's order (see vmath.h).
template <class F>
TG_INLINE double sum_partials(int64_t n, F f) {
  constexpr int kParts = 32;  // the folds below assume 32
  double part[kParts] = {};
  int64_t i = 0;
  for (; i + kParts <= n; i += kParts)
    for (int j = 0; j < kParts; ++j) part[j] += f(i + j);
  for (; i < n; ++i) part[0] += f(i);
  // Folded in halves, each step a loop of constant length that the compiler unrolls.
  for (int j = 0; j < 16; ++j) part[j] += part[j + 16];
  for (int j = 0; j < 8; ++j) part[j] += part[j + 8];
  for (int j = 0; j < 4; ++j) part[j] += part[j + 4];
  for (int j = 0; j < 2; ++j) part[j] += part[j + 2];
  return part[0] + part[1];
}

template <class T>
TG_INLINE double sum_partials(const T* a, int64_t n) {
  return sum_partials(n, [a](int64_t i) TG_LAMBDA { return double(a[i]); });
}

// Each difference and square rounded to T, as the eager ops round them.
template <class T>
TG_INLINE double sum_squared_differences(const T* a, const T* b, int64_t n) {
  return sum_partials(n, [a, b](int64_t i) TG_LAMBDA {
    const T d = a[i] - b[i];
    return double(T(d * d));
  });
}

TG_CLONES double vsum_row(const float* a, int64_t n) { return sum_partials(a, n); }
TG_CLONES double vsum_row(const double* a, int64_t n) { return sum_partials(a, n); }
TG_CLONES double vsum_squared_diff_row(const float* a, const float* b, int64_t n) { return sum_squared_differences(a, b, n); }
TG_CLONES double vsum_squared_diff_row(const double* a, const double* b, int64_t n) { return sum_squared_differences(a, b, n); }

}  // namespace tg
