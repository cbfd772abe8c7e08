// Random number generation: PyTorch's CPU generator (mt19937) and its transforms.
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
constexpr int kHasFloat = 631;     // a cached float sample, if set
constexpr int kFloatBits = 632;
constexpr int kSize = 633;
}  // namespace gen

class Generator {
 public:
  explicit Generator(uint32_t* state) : s_(state) {}
  void seed(uint64_t seed);
  uint32_t random();    // 32 random bits
  uint64_t random64();  // 64 random bits: two draws, the first in the high half
  double uniform_double();  // [0, 1) from 53 bits of random64()
  float uniform_float();    // [0, 1) from 24 bits of random()
  double normal_double();   // Box-Muller on two double uniforms, caching the second sample

 private:
  void twist();
  uint32_t* s_;
};

}  // namespace tg
