// The matrix-product tiles of gemm_tiles.h on AVX2 with FMA: 6 rows x 2 vectors of C in registers
// (12 of the 16 vector registers, with 2 for B and 1 for A).
#include "gemm_simd.h"

#ifdef TG_GEMM_SIMD
// Every header before the target pragma: what they define must stay baseline x86-64 code, since
// the linker may keep this file's copy of an inline function for the whole addon.
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>

#pragma GCC push_options
#pragma GCC target("avx2,fma")
#include "gemm_tiles.h"

namespace tg {
namespace {

// Masks for the last, partial vector of a row: lanes [0, n) set.
alignas(32) const int32_t kMask32[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
alignas(32) const int64_t kMask64[8] = {-1, -1, -1, -1, 0, 0, 0, 0};

struct F32 {
  using T = float;
  using V = __m256;
  using Mask = __m256i;
  static constexpr int L = 8, MR = 6, NV = 2;
  static Mask mask(int n) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMask32 + 8 - n)); }
  static V zero() { return _mm256_setzero_ps(); }
  static V set1(T x) { return _mm256_set1_ps(x); }
  static V load(const T* p) { return _mm256_loadu_ps(p); }
  static V loadm(const T* p, Mask m) { return _mm256_maskload_ps(p, m); }
  static V bcast(const T* p) { return _mm256_broadcast_ss(p); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static void store(T* p, V x) { _mm256_storeu_ps(p, x); }
  static void storem(T* p, V x, Mask m) { _mm256_maskstore_ps(p, m, x); }
};

struct F64 {
  using T = double;
  using V = __m256d;
  using Mask = __m256i;
  static constexpr int L = 4, MR = 6, NV = 2;
  static Mask mask(int n) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMask64 + 4 - n)); }
  static V zero() { return _mm256_setzero_pd(); }
  static V set1(T x) { return _mm256_set1_pd(x); }
  static V load(const T* p) { return _mm256_loadu_pd(p); }
  static V loadm(const T* p, Mask m) { return _mm256_maskload_pd(p, m); }
  static V bcast(const T* p) { return _mm256_broadcast_sd(p); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static void store(T* p, V x) { _mm256_storeu_pd(p, x); }
  static void storem(T* p, V x, Mask m) { _mm256_maskstore_pd(p, m, x); }
};

}  // namespace

bool gemm_avx2(const GemmArgs& g, float alpha, const float* a, const float* b, float beta, float* c) {
  return Tiles<F32>::run(g, alpha, a, b, beta, c);
}
bool gemm_avx2(const GemmArgs& g, double alpha, const double* a, const double* b, double beta, double* c) {
  return Tiles<F64>::run(g, alpha, a, b, beta, c);
}

}  // namespace tg

#pragma GCC pop_options
#endif
