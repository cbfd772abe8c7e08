// exp, tanh and sigmoid in our own branch-free formulas, which the compiler vectorises: a loop over
// a contiguous row of them runs 4 to 16 lanes at a time where the C library's std::exp and
// std::tanh run one. vmath.cc compiles those loops for AVX-512, AVX2 and baseline x86-64 and picks
// one for the CPU at load time; every version, and the strided loops that call these functions one
// element at a time, give the same bits (IEEE operations only, no contraction into FMA).
//
// float32 is computed in float64 and rounded once, so its results are the correctly rounded ones
// but for rare near-ties. float64 is within a few ulp: exp within about 1, tanh within about 3.
#pragma once
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
  return {x - nd * kLn2Hi, -(nd * kLn2Lo), bits(t) - bits(kRound)};
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

// 2^n for n in [-1022, 1023].
inline double pow2(int64_t n) { return from_bits((n + 1023) << 52); }

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

}  // namespace vm

inline float vexp(float x) { return float(vm::exp_d<8>(double(x))); }
inline double vexp(double x) { return vm::exp_d<13>(x); }
inline float vtanh(float x) { return float(vm::tanh_d<8>(double(x))); }
inline double vtanh(double x) { return vm::tanh_d<13>(x); }
inline float vsigmoid(float x) { return float(vm::sigmoid_d<8>(double(x))); }
inline double vsigmoid(double x) { return vm::sigmoid_d<13>(x); }

// The same over n contiguous elements, in the best version for this CPU.
void vexp_row(float* o, const float* a, int64_t n);
void vexp_row(double* o, const double* a, int64_t n);
void vtanh_row(float* o, const float* a, int64_t n);
void vtanh_row(double* o, const double* a, int64_t n);
void vsigmoid_row(float* o, const float* a, int64_t n);
void vsigmoid_row(double* o, const double* a, int64_t n);

// The sum of n contiguous elements in double: 32 partial sums (partial j adds elements j, j + 32,
// ...; the tail goes to partial 0), folded pairwise in a fixed order, so every version gives the
// same bits. Independent chains keep the adds from waiting on one another.
double vsum_row(const float* a, int64_t n);
double vsum_row(const double* a, int64_t n);

}  // namespace tg
