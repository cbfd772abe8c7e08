// Random number generation: PyTorch's CPU generator (mt19937) and its transforms, reproduced so
// that the same seed and calls give the same float32 and float64 values as PyTorch 2.x on x86-64.
//
// The generator's whole state lives in a uint32 array owned by the JavaScript Generator object,
// so that getState / setState are plain copies and no generator state lives in native globals.
#pragma once
#include <cstdint>

namespace tg {

// Layout of the state array, in uint32 words.
namespace gen {
constexpr int kWords = 624;        // mt19937 state words [0, 624)
constexpr int kNext = 624;         // index of the next word to temper
constexpr int kLeft = 625;         // draws left before the next twist (PyTorch's left_)
constexpr int kSeedLo = 626;       // the 64-bit seed it was seeded with
constexpr int kSeedHi = 627;
constexpr int kHasDouble = 628;    // a cached second Box-Muller sample (double), if set
constexpr int kDoubleLo = 629;
constexpr int kDoubleHi = 630;
constexpr int kSize = 631;
}  // namespace gen

// PyTorch computes its transforms with fused multiply-adds where its AVX2 kernels have them
// (compiled in, or fused by its compiler), and without on CPUs below AVX2 or when
// ATEN_CPU_CAPABILITY=default. True when we should do as its AVX2 kernels do.
bool fused_random_transforms();

class Generator {
 public:
  explicit Generator(uint32_t* state) : s_(state) {}
  void seed(uint64_t seed);
  uint32_t random();        // 32 random bits
  void random_block(uint32_t* out, int64_t n);  // n calls of random(), in one loop
  uint64_t random64();      // 64 random bits: two draws, the first in the high half
  float uniform_float();    // [0, 1): 24 bits of random()
  double uniform_double();  // [0, 1): 53 bits of random64()
  // Box-Muller on two double uniforms (the first gives the angle), caching the second sample
  // as PyTorch's normal_distribution<double> does; returns the standard normal value.
  double normal_double();

 private:
  void twist();
  uint32_t* s_;
};

// PyTorch's uniform_real_distribution: x in [0, 1) scaled to [from, to), as T; a result that
// rounds to `to` becomes `from`.
template <class T>
T uniform_from(T x, T from, T to, bool fused);

// normal_ on a contiguous buffer of n >= 16 elements: uniforms first, then Box-Muller 16 at a
// time (the last 16 drawn and transformed again when n is not a multiple of 16).
void normal_fill(float* data, int64_t n, Generator& g, float mean, float std, bool fused);
void normal_fill(double* data, int64_t n, Generator& g, double mean, double std, bool fused);

}  // namespace tg
