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

// One set of vectors for Tiles: 256-bit vectors of LANES elements of TYPE, intrinsic suffix S (ps
// or pd), masks for a row's last vector from MASKS, 6 rows x 2 vectors of C per tile.
#define TG_AVX2_SET(NAME, TYPE, VEC, LANES, S, MASKS)                                                           \
  struct NAME {                                                                                                 \
    using T = TYPE;                                                                                             \
    using V = VEC;                                                                                              \
    using Mask = __m256i;                                                                                       \
    static constexpr int L = LANES, MR = 6, NV = 2;                                                             \
    static Mask mask(int n) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(MASKS + LANES - n)); } \
    static V zero() { return _mm256_setzero_##S(); }                                                            \
    static V set1(T x) { return _mm256_set1_##S(x); }                                                           \
    static V load(const T* p) { return _mm256_loadu_##S(p); }                                                  \
    static V loadm(const T* p, Mask m) { return _mm256_maskload_##S(p, m); }                                    \
    static V bcast(const T* p) { return _mm256_set1_##S(*p); }                                                  \
    static V fma(V a, V b, V c) { return _mm256_fmadd_##S(a, b, c); }                                           \
    static V mul(V a, V b) { return _mm256_mul_##S(a, b); }                                                     \
    static void store(T* p, V x) { _mm256_storeu_##S(p, x); }                                                  \
    static void storem(T* p, V x, Mask m) { _mm256_maskstore_##S(p, m, x); }                                    \
  };

TG_AVX2_SET(F32, float, __m256, 8, ps, kMask32)
TG_AVX2_SET(F64, double, __m256d, 4, pd, kMask64)

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
