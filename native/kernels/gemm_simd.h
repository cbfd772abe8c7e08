// Our own vectorised float and double matrix products (gemm_tiles.h), compiled for AVX-512 and for
// AVX2 with FMA (gemm_avx512.cc, gemm_avx2.cc) and picked for the CPU at run time; x86-64 with GCC.
#pragma once
#include "gemm.h"

namespace tg {

enum class GemmIsa { None, Avx2, Avx512 };

// The set our products run on: the best this CPU has, or the lower one TENSORGRAD_GEMM names
// ('avx2', or 'blas' for none of ours); None where neither was compiled in or the CPU has neither.
GemmIsa gemm_isa();
// 'avx512', 'avx2', or 'blas' for None (the BLAS library, or our scalar kernel without one).
const char* gemm_isa_name(GemmIsa isa);

// C = alpha * op(A) * op(B) + beta * C on `isa`'s kernels (k >= 1); false, with nothing written,
// when they cannot run it (no such kernels, or no memory for a packed panel).
bool gemm_simd(GemmIsa isa, const GemmArgs& g, float alpha, const float* a, const float* b, float beta, float* c);
bool gemm_simd(GemmIsa isa, const GemmArgs& g, double alpha, const double* a, const double* b, double beta, double* c);

// Each set's entry points (defined only where TG_GEMM_SIMD is).
bool gemm_avx512(const GemmArgs& g, float alpha, const float* a, const float* b, float beta, float* c);
bool gemm_avx512(const GemmArgs& g, double alpha, const double* a, const double* b, double beta, double* c);
bool gemm_avx2(const GemmArgs& g, float alpha, const float* a, const float* b, float beta, float* c);
bool gemm_avx2(const GemmArgs& g, double alpha, const double* a, const double* b, double beta, double* c);

}  // namespace tg

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define TG_GEMM_SIMD 1
#endif
