#include "random.h"

#include <cmath>
#include <cstring>

namespace tg {

namespace {
constexpr int kN = 624, kM = 397;
constexpr uint32_t kMatrixA = 0x9908b0dfu, kUpper = 0x80000000u, kLower = 0x7fffffffu;
}  // namespace

void Generator::seed(uint64_t seed) {
  s_[gen::kSeedLo] = uint32_t(seed);
  s_[gen::kSeedHi] = uint32_t(seed >> 32);
  s_[0] = uint32_t(seed & 0xffffffffu);
  for (int j = 1; j < kN; ++j) s_[j] = 1812433253u * (s_[j - 1] ^ (s_[j - 1] >> 30)) + uint32_t(j);
  s_[gen::kLeft] = 1;
  s_[gen::kNext] = 0;
  s_[gen::kHasDouble] = 0;
  s_[gen::kHasFloat] = 0;
}

void Generator::twist() {
  for (int i = 0; i < kN; ++i) {
    const uint32_t y = (s_[i] & kUpper) | (s_[(i + 1) % kN] & kLower);
    s_[i] = s_[(i + kM) % kN] ^ (y >> 1) ^ ((y & 1u) ? kMatrixA : 0u);
  }
  s_[gen::kLeft] = kN;
  s_[gen::kNext] = 0;
}

uint32_t Generator::random() {
  if (--s_[gen::kLeft] == 0) twist();
  // A state array edited from JavaScript may hold any index: keep it inside the words.
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

double Generator::uniform_double() {
  return double(random64() & ((uint64_t(1) << 53) - 1)) * (1.0 / double(uint64_t(1) << 53));
}

float Generator::uniform_float() {
  return float(double(random() & ((1u << 24) - 1)) * (1.0 / double(1u << 24)));
}

double Generator::normal_double() {
  if (s_[gen::kHasDouble]) {
    s_[gen::kHasDouble] = 0;
    double v;
    const uint64_t bits = (uint64_t(s_[gen::kDoubleHi]) << 32) | s_[gen::kDoubleLo];
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

}  // namespace tg
