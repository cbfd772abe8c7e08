// exp, tanh, sigmoid, float32 erf and GELU in our own branch-free formulas, which the compiler
// vectorises: a loop over a contiguous row of them runs 4 to 16 lanes at a time where the C
// library's std::exp and std::tanh run one. vmath.cc compiles those loops for AVX-512, AVX2 and baseline x86-64 and picks
// one for the CPU at load time; every version, and the strided loops that call these functions one
// element at a time, give the same bits (IEEE operations only, no contraction into FMA).
//
// float32 tanh and sigmoid are computed in float64 and rounded once, so their results are the
// correctly rounded ones but for rare near-ties; float32 exp (exp_float) is within 0.81 ulp and
// float32 erf within 2 ulp (erf_float), both in float32 arithmetic. float64 is within a few ulp: exp
// within about 1, tanh within about 3; float64 erf is the C library's.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

namespace tg {
namespace vm {

inline int64_t bits(double x) { int64_t i; std::memcpy(&i, &x, 8); return i; }
inline double from_bits(int64_t i) { double x; std::memcpy(&x, &i, 8); return x; }
inline double clampd(double x, double lo, double hi) { return x < lo ? lo : (x > hi ? hi : x); }  // NaN stays NaN
inline double absd(double x) { return from_bits(bits(x) & INT64_MAX); }
inline double copysignd(double mag, double sgn) { return from_bits((bits(mag) & INT64_MAX) | (bits(sgn) & INT64_MIN)); }

constexpr double kLog2e = 1.4426950408889634;
constexpr double kLn2Hi = 6.93147180369123816490e-01;  // ln 2's leading 32 bits: n * kLn2Hi is exact
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kRound = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer, held in the low bits

// x = n ln2 + hi + lo with |hi + lo| <= ln2 / 2, n an integer (x within +-2^50) and hi exact.
struct Reduced {
  double hi, lo;
  int64_t n;
};
inline Reduced reduce(double x) {
  const double t = x * kLog2e + kRound;
  const double nd = t - kRound;
  return {x - nd * kLn2Hi, -(nd * kLn2Lo), int64_t(uint64_t(bits(t)) - uint64_t(bits(kRound)))};
}

// e^r - 1 - r = r^2 (1/2! + r/3! + ... ), Horner's rule over Terms coefficients (Taylor's: the
// remainder after 13 of them is below 2^-60 of the result on |r| <= ln2 / 2, after 8 below 2^-32).
template <int Terms>
inline double expm1_tail(double r) {
  constexpr double c[] = {1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320,
                          1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600,
                          1.0 / 6227020800.0, 1.0 / 87178291200.0};
  double q = c[Terms - 1];
  for (int k = Terms - 2; k >= 0; --k) q = q * r + c[k];
  return r * r * q;
}

// 2^n for n in [-1022, 1023]. In unsigned arithmetic, so that the n a NaN argument leads to (whose
// result is replaced by NaN) is a meaningless value rather than undefined behaviour.
inline double pow2(int64_t n) { return from_bits(int64_t((uint64_t(n) + 1023u) << 52)); }

// e^x in double; Terms sets the accuracy (13: double's; 8: enough to round to float correctly).
// Overflow gives inf, underflow gradual subnormals and then 0, NaN stays NaN.
template <int Terms>
inline double exp_d(double x) {
  const double xc = clampd(x, -1100.0, 1100.0);
  const Reduced k = reduce(xc);
  const double r = k.hi + k.lo;
  // e^r = 1 + hi + (lo + tail): 1 + hi summed with its rounding error kept (Fast2Sum), so that the
  // result is rounded about once
  const double s = 1.0 + k.hi;
  const double p = s + (((1.0 - s) + k.hi) + (k.lo + expm1_tail<Terms>(r)));
  const int64_t n1 = k.n >> 1;  // two factors, so that 2^n below 2^-1022 or above 2^1023 is not needed
  const double y = p * pow2(n1) * pow2(k.n - n1);
  return x != x ? x : y;
}

// tanh(|x|) = m / (m + 2) with m = e^(2|x|) - 1, computed as 2^n (e^r - 1) + (2^n - 1) so that small
// arguments lose nothing to cancellation; past 20 (float64) tanh rounds to 1.
template <int Terms>
inline double tanh_d(double x) {
  const double a = clampd(absd(x), 0.0, 20.0) * 2.0;
  const Reduced k = reduce(a);
  const double r = k.hi + k.lo;
  const double pm1 = r + expm1_tail<Terms>(r);
  const double s = pow2(k.n);
  const double m = s * pm1 + (s - 1.0);
  const double y = copysignd(m / (m + 2.0), x);
  return x != x ? x : y;
}

// 1 / (1 + e^-x), as PyTorch computes sigmoid.
template <int Terms>
inline double sigmoid_d(double x) {
  return 1.0 / (1.0 + exp_d<Terms>(-x));
}

// e^x in float32 arithmetic, twice the lanes of float64 in a vector: x = n ln2 + rh + rl (ln2 in
// two parts, the first short enough that n times it is exact), e^r by Taylor's series to r^7
// (remainder below 2^-27 on |r| <= ln2 / 2), then 2^n as two factors so that subnormal results round
// once. Checked over every float32 in [-104.5, 89] with |x| >= 1e-3: within 0.81 ulp of e^x, and the
// correctly rounded result for 98.9% of them.
inline int32_t bits32(float x) { int32_t i; std::memcpy(&i, &x, 4); return i; }
inline float from_bits32(int32_t i) { float x; std::memcpy(&x, &i, 4); return x; }
inline float pow2f(int32_t n) { return from_bits32(int32_t((uint32_t(n) + 127u) << 23)); }  // n in [-126, 127]
inline float exp_float(float x) {
  const float xc = x < -104.0f ? -104.0f : (x > 89.0f ? 89.0f : x);  // NaN stays NaN; its result is chosen below
  constexpr float kRoundF = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer, held in the low bits
  const float t = xc * 1.44269504f + kRoundF;
  const float nd = t - kRoundF;
  const int32_t n = int32_t(uint32_t(bits32(t)) - uint32_t(bits32(kRoundF)));
  const float rh = xc - nd * 0.693359375f, rl = nd * 2.12194440e-4f, r = rh + rl;  // rh exact
  float q = 1.0f / 5040;
  q = q * r + 1.0f / 720;
  q = q * r + 1.0f / 120;
  q = q * r + 1.0f / 24;
  q = q * r + 1.0f / 6;
  q = q * r + 0.5f;
  // 1 + rh summed with its rounding error kept (Fast2Sum), so that the result is rounded about once
  const float s = 1.0f + rh;
  const float p = s + (((1.0f - s) + rh) + (rl + (r * r) * q));
  const int32_t n1 = n >> 1;
  const float y = p * pow2f(n1) * pow2f(n - n1);
  return x != x ? x : y;
}

// erf in float32 arithmetic: z A(2z^2 - 1) below 1, B1((2z - 3.2) / 1.2) on [1, 2.2),
// B2((2z - 6.2) / 1.8) on [2.2, 4) and 1 beyond, with z = |x| and the sign put back (Chebyshev fits
// of erf(z)/z and erf, evaluated as one Horner loop whose coefficients each lane picks, so that rows
// vectorise 16 wide): within 2 ulp of the correctly rounded result.
inline float erf_float(float x) {
  constexpr float A[11] = {0.965468764f, -0.1405361f, 0.0198524985f, -0.0022854195f, 0.000217511988f, -1.7669081e-05f,
                           1.23164023e-06f, 0.0f, 0.0f, 0.0f, 0.0f};
  constexpr float B1[11] = {0.9763484f, 0.0523374304f, -0.0502439328f, 0.0258757453f, -0.00639109733f,
                            -0.000341072591f, 0.000722765748f, -0.000167475097f, -1.57547838e-05f,
                            1.35536011e-05f, -1.39169629e-06f};
  constexpr float B2[11] = {0.999988377f, 6.80714365e-05f, -0.000189968661f, 0.000335505931f, -0.000416279712f,
                            0.000380024198f, -0.000265094801f, 0.000144874619f, -5.2530977e-05f, 2.94159008e-06f,
                            4.09195673e-06f};
  const float z = std::fabs(x);
  const float zc = z < 4.0f ? z : 4.0f;  // NaN too: its result is chosen below
  const bool a = zc < 1.0f, b1 = zc < 2.2f;
  const float v = a ? 2.0f * (zc * zc) - 1.0f : (b1 ? (2.0f * zc - 3.2f) * (1.0f / 1.2f) : (2.0f * zc - 6.2f) * (1.0f / 1.8f));
  float r = a ? A[10] : (b1 ? B1[10] : B2[10]);
  for (int k = 9; k >= 0; --k) r = r * v + (a ? A[k] : (b1 ? B1[k] : B2[k]));
  const float y = z < 4.0f ? (a ? zc * r : r) : 1.0f;
  return x != x ? x : std::copysign(y, x);
}

}  // namespace vm

inline float vexp(float x) { return vm::exp_float(x); }
inline double vexp(double x) { return vm::exp_d<13>(x); }
inline float vtanh(float x) { return float(vm::tanh_d<8>(double(x))); }
inline double vtanh(double x) { return vm::tanh_d<13>(x); }
inline float vsigmoid(float x) { return float(vm::sigmoid_d<8>(double(x))); }
inline double vsigmoid(double x) { return vm::sigmoid_d<13>(x); }
inline float verf(float x) { return vm::erf_float(x); }
inline double verf(double x) { return std::erf(x); }  // the C library's: float64 needs more than the fits above

// GELU as PyTorch computes it, x/2 (1 + erf(x / sqrt 2)), and its derivative times the gradient,
// g (cdf(x) + x pdf(x)), in the tensor's own precision with verf and vexp above.
constexpr double kSqrtHalf = 0.70710678118654752440, kInvSqrt2Pi = 0.39894228040143267794;
template <class T>
inline T vgelu(T x) {
  return x * T(0.5) * (T(1) + verf(x * T(kSqrtHalf)));
}
template <class T>
inline T vgelu_grad(T g, T x) {
  const T cdf = T(0.5) * (T(1) + verf(x * T(kSqrtHalf))), pdf = vexp(T(-0.5) * x * x) * T(kInvSqrt2Pi);
  return g * (cdf + x * pdf);
}

// The same over n contiguous elements, in the best version for this CPU.
void vexp_row(float* o, const float* a, int64_t n);
void vexp_row(double* o, const double* a, int64_t n);
void vtanh_row(float* o, const float* a, int64_t n);
void vtanh_row(double* o, const double* a, int64_t n);
void vsigmoid_row(float* o, const float* a, int64_t n);
void vsigmoid_row(double* o, const double* a, int64_t n);
void verf_row(float* o, const float* a, int64_t n);
void verf_row(double* o, const double* a, int64_t n);
void vgelu_row(float* o, const float* a, int64_t n);
void vgelu_row(double* o, const double* a, int64_t n);
void vgelu_grad_row(float* o, const float* g, const float* x, int64_t n);
void vgelu_grad_row(double* o, const double* g, const double* x, int64_t n);

// The sum of n contiguous elements in double: 32 partial sums (partial j adds elements j, j + 32,
// ...; the tail goes to partial 0), folded pairwise in a fixed order, so every version gives the
// same bits. Independent chains keep the adds from waiting on one another.
double vsum_row(const float* a, int64_t n);
double vsum_row(const double* a, int64_t n);
// The sum of (a[i] - b[i])^2 in the same order, each difference and square rounded to the type
// (as sub then pow(2) round them), the sum in double.
double vsum_squared_diff_row(const float* a, const float* b, int64_t n);
double vsum_squared_diff_row(const double* a, const double* b, int64_t n);

}  // namespace tg
