#include "gemm_simd.h"

#include <cstdlib>
#include <cstring>

#include "cpu.h"

namespace tg {

GemmIsa gemm_isa() {
  static const GemmIsa isa = [] {
#ifdef TG_GEMM_SIMD
    const CpuInfo cpu = cpu_info();
    GemmIsa best = cpu.avx512 && cpu.fma ? GemmIsa::Avx512 : cpu.avx2 && cpu.fma ? GemmIsa::Avx2 : GemmIsa::None;
    const char* want = std::getenv("TENSORGRAD_GEMM");
    if (want != nullptr && std::strcmp(want, "avx2") == 0 && best == GemmIsa::Avx512) best = GemmIsa::Avx2;
    if (want != nullptr && std::strcmp(want, "blas") == 0) best = GemmIsa::None;
    return best;
#else
    return GemmIsa::None;
#endif
  }();
  return isa;
}

const char* gemm_isa_name(GemmIsa isa) {
  return isa == GemmIsa::Avx512 ? "avx512" : isa == GemmIsa::Avx2 ? "avx2" : "blas";
}

namespace {

template <class T>
bool dispatch(GemmIsa isa, const GemmArgs& g, T alpha, const T* a, const T* b, T beta, T* c) {
#ifdef TG_GEMM_SIMD
  if (isa == GemmIsa::Avx512) return gemm_avx512(g, alpha, a, b, beta, c);
  if (isa == GemmIsa::Avx2) return gemm_avx2(g, alpha, a, b, beta, c);
#endif
  (void)isa, (void)g, (void)alpha, (void)a, (void)b, (void)beta, (void)c;
  return false;
}

}  // namespace

bool gemm_simd(GemmIsa isa, const GemmArgs& g, float alpha, const float* a, const float* b, float beta, float* c) {
  return dispatch(isa, g, alpha, a, b, beta, c);
}
bool gemm_simd(GemmIsa isa, const GemmArgs& g, double alpha, const double* a, const double* b, double beta, double* c) {
  return dispatch(isa, g, alpha, a, b, beta, c);
}

}  // namespace tg
