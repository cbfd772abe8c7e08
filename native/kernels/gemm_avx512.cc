// The matrix-product tiles of gemm_tiles.h on AVX-512 (F, VL): 8 rows x 3 vectors of C in registers.
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
#pragma GCC target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")
#include "gemm_tiles.h"

namespace tg {
namespace {

// One set of vectors for Tiles: W-bit vectors (512, or 256 through AVX-512VL's masked forms) of
// LANES elements of TYPE, intrinsic suffix S (ps or pd), 8 rows x VECTORS vectors of C per tile.
#define TG_AVX512_SET(NAME, TYPE, VEC, MASK, LANES, VECTORS, W, S, ...)                   \
  struct NAME {                                                                           \
    using T = TYPE;                                                                       \
    using V = VEC;                                                                        \
    using Mask = MASK;                                                                    \
    __VA_ARGS__                                                                           \
    static constexpr int L = LANES, MR = 8, NV = VECTORS;                                 \
    static Mask mask(int n) { return Mask((1u << n) - 1); }                               \
    static V zero() { return _mm##W##_setzero_##S(); }                                    \
    static V set1(T x) { return _mm##W##_set1_##S(x); }                                   \
    static V load(const T* p) { return _mm##W##_loadu_##S(p); }                           \
    static V loadm(const T* p, Mask m) { return _mm##W##_maskz_loadu_##S(m, p); }         \
    static V bcast(const T* p) { return _mm##W##_set1_##S(*p); }                          \
    static V fma(V a, V b, V c) { return _mm##W##_fmadd_##S(a, b, c); }                   \
    static V mul(V a, V b) { return _mm##W##_mul_##S(a, b); }                             \
    static void store(T* p, V x) { _mm##W##_storeu_##S(p, x); }                           \
    static void storem(T* p, V x, Mask m) { _mm##W##_mask_storeu_##S(p, m, x); }          \
  };

// Half-width sets for the last columns of a row (see Tiles::table_for), and the full ones.
TG_AVX512_SET(F32Half, float, __m256, __mmask8, 8, 1, 256, ps)
TG_AVX512_SET(F64Half, double, __m256d, __mmask8, 4, 1, 256, pd)
TG_AVX512_SET(F32, float, __m512, __mmask16, 16, 3, 512, ps, using Half = F32Half;)
TG_AVX512_SET(F64, double, __m512d, __mmask8, 8, 3, 512, pd, using Half = F64Half;)

}  // namespace

bool gemm_avx512(const GemmArgs& g, float alpha, const float* a, const float* b, float beta, float* c) {
  return Tiles<F32>::run(g, alpha, a, b, beta, c);
}
bool gemm_avx512(const GemmArgs& g, double alpha, const double* a, const double* b, double beta, double* c) {
  return Tiles<F64>::run(g, alpha, a, b, beta, c);
}

}  // namespace tg

#pragma GCC pop_options
#endif
