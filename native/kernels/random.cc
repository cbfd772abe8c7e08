#include "random.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "cpu.h"

namespace tg {

namespace {
constexpr int kN = 624, kM = 397;
constexpr uint32_t kMatrixA = 0x9908b0dfu, kUpper = 0x80000000u, kLower = 0x7fffffffu;

inline float bits_to_float(uint32_t b) {
  float f;
  std::memcpy(&f, &b, sizeof f);
  return f;
}
inline uint32_t float_bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}
}  // namespace

bool fused_random_transforms() {
  static const bool fused = [] {
    const char* cap = std::getenv("ATEN_CPU_CAPABILITY");
    if (cap != nullptr && std::strcmp(cap, "default") == 0) return false;
    const CpuInfo cpu = cpu_info();
    return cpu.avx2 && cpu.fma;
  }();
  return fused;
}

// ---- mt19937 ---------------------------------------------------------------------------------------

void Generator::seed(uint64_t seed) {
  s_[gen::kSeedLo] = uint32_t(seed);
  s_[gen::kSeedHi] = uint32_t(seed >> 32);
  s_[0] = uint32_t(seed & 0xffffffffu);
  for (int j = 1; j < kN; ++j) s_[j] = 1812433253u * (s_[j - 1] ^ (s_[j - 1] >> 30)) + uint32_t(j);
  s_[gen::kLeft] = 1;
  s_[gen::kNext] = 0;
  s_[gen::kHasDouble] = 0;
}

void Generator::twist() {
  // the same recurrence as one loop over i with indices mod kN, split where they wrap
  auto step = [this](int i, int i1, int im) {
    const uint32_t y = (s_[i] & kUpper) | (s_[i1] & kLower);
    s_[i] = s_[im] ^ (y >> 1) ^ ((y & 1u) ? kMatrixA : 0u);
  };
  int i = 0;
  for (; i < kN - kM; ++i) step(i, i + 1, i + kM);
  for (; i < kN - 1; ++i) step(i, i + 1, i + kM - kN);
  step(kN - 1, 0, kM - 1);
  s_[gen::kLeft] = kN;
  s_[gen::kNext] = 0;
}

void Generator::random_block(uint32_t* out, int64_t n) {
  while (n > 0) {
    const uint32_t left = s_[gen::kLeft], next = s_[gen::kNext];
    // between twists, next + left stays kN + 1; a state edited otherwise goes one draw at a time
    if (left < 2 || left > uint32_t(kN) || next + left != uint32_t(kN) + 1) {
      *out++ = random();
      --n;
      continue;
    }
    const int64_t m = std::min<int64_t>(n, int64_t(left) - 1);
    for (int64_t i = 0; i < m; ++i) {
      uint32_t y = s_[next + i];
      y ^= y >> 11;
      y ^= (y << 7) & 0x9d2c5680u;
      y ^= (y << 15) & 0xefc60000u;
      y ^= y >> 18;
      out[i] = y;
    }
    s_[gen::kLeft] = left - uint32_t(m);
    s_[gen::kNext] = next + uint32_t(m);
    out += m;
    n -= m;
  }
}

uint32_t Generator::random() {
  // A state array edited from JavaScript may hold any counters: keep them in range.
  if (s_[gen::kLeft] == 0 || s_[gen::kLeft] > uint32_t(kN)) s_[gen::kLeft] = 1;
  if (--s_[gen::kLeft] == 0) twist();
  const uint32_t at = s_[gen::kNext] % kN;
  s_[gen::kNext] = at + 1;
  uint32_t y = s_[at];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
  return y;
}

uint64_t Generator::random64() {
  const uint64_t hi = random();
  const uint64_t lo = random();
  return (hi << 32) | lo;
}

float Generator::uniform_float() {
  return float(random() & ((1u << 24) - 1)) * (1.0f / float(1u << 24));
}

double Generator::uniform_double() {
  return double(random64() & ((uint64_t(1) << 53) - 1)) * (1.0 / double(uint64_t(1) << 53));
}

double Generator::normal_double() {
  if (s_[gen::kHasDouble]) {
    s_[gen::kHasDouble] = 0;
    const uint64_t bits = (uint64_t(s_[gen::kDoubleHi]) << 32) | s_[gen::kDoubleLo];
    double v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
  const double u1 = uniform_double();
  const double u2 = uniform_double();
  const double r = std::sqrt(-2.0 * std::log1p(-u2));
  const double theta = 2.0 * M_PI * u1;
  const double cached = r * std::sin(theta);
  uint64_t bits;
  std::memcpy(&bits, &cached, sizeof bits);
  s_[gen::kHasDouble] = 1;
  s_[gen::kDoubleLo] = uint32_t(bits);
  s_[gen::kDoubleHi] = uint32_t(bits >> 32);
  return r * std::cos(theta);
}

template <class T>
T uniform_from(T x, T from, T to, bool fused) {
  const T range = to - from;
  const T r = fused ? std::fma(x, range, from) : T(x * range) + from;
  return r == to ? from : r;
}
template float uniform_from<float>(float, float, float, bool);
template double uniform_from<double>(double, double, double, bool);

// ---- the 16-wide normal fill ---------------------------------------------------------------------
//
// PyTorch's AVX2 kernel computes log, sin and cos with avx_mathfun.h's Cephes-based polynomials,
// and its compiler fused some of their multiply-adds. These scalar versions do the same
// operations in the same order, with fmaf exactly where that build has an FMA, so each lane's
// result is bit-identical. (This file is compiled with -ffp-contract=off so that nothing else
// gets fused.)

namespace {

float avx_log(float x) {
  const float p[9] = {bits_to_float(0x3D9021BB), bits_to_float(0xBDEBD1B8), bits_to_float(0x3DEF251A),
                      bits_to_float(0xBDFE5D4F), bits_to_float(0x3E11E9BF), bits_to_float(0xBE2AAE50),
                      bits_to_float(0x3E4CCEAC), bits_to_float(0xBE7FFFFC), bits_to_float(0x3EAAAAAA)};
  const float sqrthf = bits_to_float(0x3F3504F3), q1 = bits_to_float(0xB95E8083), q2 = bits_to_float(0x3F318000);
  const bool invalid = !(x > 0.0f);
  const float min_norm = bits_to_float(0x00800000);
  x = x > min_norm ? x : min_norm;
  const int ei = int(float_bits(x) >> 23) - 127;
  const float m = bits_to_float((float_bits(x) & ~0x7F800000u) | float_bits(0.5f));
  float e = float(ei) + 1.0f;
  if (m < sqrthf) {
    e -= 1.0f;
    x = (m - 1.0f) + m;
  } else {
    x = m - 1.0f;
  }
  const float z = x * x;
  float y = p[0];
  for (int k = 1; k < 9; ++k) y = std::fma(y, x, p[k]);
  y = y * x;
  y = std::fma(y, z, e * q1);
  y = y - 0.5f * z;
  const float r = std::fma(e, q2, x + y);
  return invalid ? std::nanf("") : r;
}

void avx_sincos(float t, float* s, float* c) {
  const float dp1 = bits_to_float(0xBF490000), dp2 = bits_to_float(0xB97DA000), dp3 = bits_to_float(0xB3222169);
  const float fopi = bits_to_float(0x3FA2F983);
  const float s0 = bits_to_float(0xB94CA1F9), s1 = bits_to_float(0x3C08839E), s2 = bits_to_float(0xBE2AAAA3);
  const float c0 = bits_to_float(0x37CCF5CE), c1 = bits_to_float(0xBAB6061A), c2 = bits_to_float(0x3D2AAAA5);
  uint32_t sign_s = float_bits(t) & 0x80000000u;
  float x = std::fabs(t);
  int32_t j = int32_t(std::trunc(x * fopi));
  j = (j + 1) & ~1;
  const float y = float(j);
  x = std::fma(y, dp1, x);  // dp1..dp3 hold -DP1..-DP3
  x = std::fma(y, dp2, x);
  x = std::fma(y, dp3, x);
  sign_s ^= uint32_t(j & 4) << 29;
  const uint32_t sign_c = uint32_t(~(j - 2) & 4) << 29;
  const bool poly_sin = (j & 2) == 0;
  const float z = x * x;
  float yc = std::fma(std::fma(c0, z, c1), z, c2);
  yc = yc * z;
  yc = std::fma(yc, z, -(0.5f * z));
  yc = yc + 1.0f;
  float ys = std::fma(std::fma(s0, z, s1), z, s2);
  ys = ys * z;
  ys = std::fma(ys, x, x);
  *s = bits_to_float(float_bits(poly_sin ? ys : yc) ^ sign_s);
  *c = bits_to_float(float_bits(poly_sin ? yc : ys) ^ sign_c);
}

// Pairs element j (radius from 1 - d[j]) with j + 8 (angle from d[j + 8]): cos for the first
// eight outputs, sin for the second.
void fill16(float* d, float mean, float std, bool fused) {
  for (int j = 0; j < 8; ++j) {
    const float u1 = 1.0f - d[j], u2 = d[j + 8];
    float s, c, radius;
    if (fused) {
      radius = std::sqrt(-2.0f * avx_log(u1));
      const float theta = 6.2831855f * u2;
      avx_sincos(theta, &s, &c);
    } else {
      radius = std::sqrt(-2.0f * std::log(u1));
      const float theta = float(6.283185307179586 * double(u2));
      s = std::sin(theta);
      c = std::cos(theta);
    }
    d[j] = std::fma(radius * c, std, mean);
    d[j + 8] = std::fma(radius * s, std, mean);
  }
}

void fill16(double* d, double mean, double std, bool /*fused*/) {
  for (int j = 0; j < 8; ++j) {
    const double u1 = 1.0 - d[j], u2 = d[j + 8];
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double theta = 6.283185307179586 * u2;
    d[j] = std::fma(radius * std::cos(theta), std, mean);
    d[j + 8] = std::fma(radius * std::sin(theta), std, mean);
  }
}

template <class T>
void normal_fill_impl(T* data, int64_t n, Generator& g, T mean, T std, bool fused) {
  const auto uniform = [&g]() -> T {
    if constexpr (sizeof(T) == 4) return g.uniform_float();
    else return g.uniform_double();
  };
  for (int64_t i = 0; i < n; ++i) data[i] = uniform();
  for (int64_t i = 0; i + 16 <= n; i += 16) fill16(data + i, mean, std, fused);
  if (n % 16 != 0) {
    T* tail = data + n - 16;
    for (int j = 0; j < 16; ++j) tail[j] = uniform();
    fill16(tail, mean, std, fused);
  }
}

}  // namespace

void normal_fill(float* data, int64_t n, Generator& g, float mean, float std, bool fused) {
  normal_fill_impl(data, n, g, mean, std, fused);
}

void normal_fill(double* data, int64_t n, Generator& g, double mean, double std, bool fused) {
  normal_fill_impl(data, n, g, mean, std, fused);
}

}  // namespace tg
