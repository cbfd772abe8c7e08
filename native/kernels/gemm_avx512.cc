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

// Half-width (256-bit, AVX-512VL masks) sets for the last columns of a row: see Tiles::table_for.
struct F32Half {
  using T = float;
  using V = __m256;
  using Mask = __mmask8;
  static constexpr int L = 8, MR = 8, NV = 1;
  static Mask mask(int n) { return Mask((1u << n) - 1); }
  static V zero() { return _mm256_setzero_ps(); }
  static V set1(T x) { return _mm256_set1_ps(x); }
  static V load(const T* p) { return _mm256_loadu_ps(p); }
  static V loadm(const T* p, Mask m) { return _mm256_maskz_loadu_ps(m, p); }
  static V bcast(const T* p) { return _mm256_broadcast_ss(p); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static void store(T* p, V x) { _mm256_storeu_ps(p, x); }
  static void storem(T* p, V x, Mask m) { _mm256_mask_storeu_ps(p, m, x); }
};

struct F64Half {
  using T = double;
  using V = __m256d;
  using Mask = __mmask8;
  static constexpr int L = 4, MR = 8, NV = 1;
  static Mask mask(int n) { return Mask((1u << n) - 1); }
  static V zero() { return _mm256_setzero_pd(); }
  static V set1(T x) { return _mm256_set1_pd(x); }
  static V load(const T* p) { return _mm256_loadu_pd(p); }
  static V loadm(const T* p, Mask m) { return _mm256_maskz_loadu_pd(m, p); }
  static V bcast(const T* p) { return _mm256_broadcast_sd(p); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static void store(T* p, V x) { _mm256_storeu_pd(p, x); }
  static void storem(T* p, V x, Mask m) { _mm256_mask_storeu_pd(p, m, x); }
};

struct F32 {
  using T = float;
  using V = __m512;
  using Half = F32Half;
  using Mask = __mmask16;
  static constexpr int L = 16, MR = 8, NV = 3;
  static Mask mask(int n) { return Mask((1u << n) - 1); }
  static V zero() { return _mm512_setzero_ps(); }
  static V set1(T x) { return _mm512_set1_ps(x); }
  static V load(const T* p) { return _mm512_loadu_ps(p); }
  static V loadm(const T* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static V bcast(const T* p) { return _mm512_set1_ps(*p); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static void store(T* p, V x) { _mm512_storeu_ps(p, x); }
  static void storem(T* p, V x, Mask m) { _mm512_mask_storeu_ps(p, m, x); }
};

struct F64 {
  using T = double;
  using V = __m512d;
  using Half = F64Half;
  using Mask = __mmask8;
  static constexpr int L = 8, MR = 8, NV = 3;
  static Mask mask(int n) { return Mask((1u << n) - 1); }
  static V zero() { return _mm512_setzero_pd(); }
  static V set1(T x) { return _mm512_set1_pd(x); }
  static V load(const T* p) { return _mm512_loadu_pd(p); }
  static V loadm(const T* p, Mask m) { return _mm512_maskz_loadu_pd(m, p); }
  static V bcast(const T* p) { return _mm512_set1_pd(*p); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  static void store(T* p, V x) { _mm512_storeu_pd(p, x); }
  static void storem(T* p, V x, Mask m) { _mm512_mask_storeu_pd(p, m, x); }
};

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
