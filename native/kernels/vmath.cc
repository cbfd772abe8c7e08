#include "vmath.h"

#include "rows.h"
#include "simd.h"

namespace tg {

#define TG_VMATH_ROW(NAME, FN, T) \
  TG_CLONES void NAME(T* o, const T* a, int64_t n) { for (int64_t i = 0; i < n; ++i) o[i] = FN(a[i]); }

namespace {

using vm::Float16;

TG_INLINE Float16 load16(const float* p) { return rows::load<Float16>(p, 16); }
TG_INLINE void store16(float* p, Float16 v) { std::memcpy(p, &v, sizeof v); }

// o[i] = f(a[i]) (or f(a[i], b[i])), 16 lanes at a time through f's Float16 form, the last few
// elements through its float form: the same operations, so the same bits.
template <class F>
TG_INLINE void lanes_row(float* o, const float* a, int64_t n, F&& f) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) store16(o + i, f(load16(a + i)));
  for (; i < n; ++i) o[i] = f(a[i]);
}
template <class F>
TG_INLINE void lanes_row(float* o, const float* a, const float* b, int64_t n, F&& f) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) store16(o + i, f(load16(a + i), load16(b + i)));
  for (; i < n; ++i) o[i] = f(a[i], b[i]);
}

// vgelu and vgelu_grad (vmath.h) for float, over either lane type.
constexpr float kSqrtHalfF = float(kSqrtHalf), kInvSqrt2PiF = float(kInvSqrt2Pi);
template <class F>
TG_INLINE F gelu_float(F x) {
  return x * 0.5f * (1.0f + vm::erf_float(x * kSqrtHalfF));
}
template <class F>
TG_INLINE F gelu_grad_float(F g, F x) {
  const F cdf = 0.5f * (1.0f + vm::erf_float(x * kSqrtHalfF)), pdf = vm::exp_float(-0.5f * x * x) * kInvSqrt2PiF;
  return g * (cdf + x * pdf);
}

}  // namespace

TG_CLONES void vexp_row(float* o, const float* a, int64_t n) { lanes_row(o, a, n, [](auto x) TG_LAMBDA { return vm::exp_float(x); }); }
TG_VMATH_ROW(vexp_row, vexp, double)
TG_VMATH_ROW(vtanh_row, vtanh, float)
TG_VMATH_ROW(vtanh_row, vtanh, double)
TG_VMATH_ROW(vsigmoid_row, vsigmoid, float)
TG_VMATH_ROW(vsigmoid_row, vsigmoid, double)
TG_CLONES void verf_row(float* o, const float* a, int64_t n) { lanes_row(o, a, n, [](auto x) TG_LAMBDA { return vm::erf_float(x); }); }
TG_CLONES void vgelu_row(float* o, const float* a, int64_t n) { lanes_row(o, a, n, [](auto x) TG_LAMBDA { return gelu_float(x); }); }
TG_CLONES void vgelu_grad_row(float* o, const float* g, const float* x, int64_t n) {
  lanes_row(o, g, x, n, [](auto gv, auto xv) TG_LAMBDA { return gelu_grad_float(gv, xv); });
}
// float64 erf is the C library's, one element at a time: no copy per instruction set to pick.
void verf_row(double* o, const double* a, int64_t n) { for (int64_t i = 0; i < n; ++i) o[i] = verf(a[i]); }
void vgelu_row(double* o, const double* a, int64_t n) { for (int64_t i = 0; i < n; ++i) o[i] = vgelu(a[i]); }
void vgelu_grad_row(double* o, const double* g, const double* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = vgelu_grad(g[i], x[i]);
}

template <class T>
inline double sum_partials(const T* a, int64_t n) {
  constexpr int kParts = 32;  // the folds below assume 32
  double part[kParts] = {};
  int64_t i = 0;
  for (; i + kParts <= n; i += kParts)
    for (int j = 0; j < kParts; ++j) part[j] += double(a[i + j]);
  for (; i < n; ++i) part[0] += double(a[i]);
  // Folded in halves, each step a loop of constant length that the compiler unrolls.
  for (int j = 0; j < 16; ++j) part[j] += part[j + 16];
  for (int j = 0; j < 8; ++j) part[j] += part[j + 8];
  for (int j = 0; j < 4; ++j) part[j] += part[j + 4];
  for (int j = 0; j < 2; ++j) part[j] += part[j + 2];
  return part[0] + part[1];
}

TG_CLONES double vsum_row(const float* a, int64_t n) { return sum_partials(a, n); }
TG_CLONES double vsum_row(const double* a, int64_t n) { return sum_partials(a, n); }

}  // namespace tg
