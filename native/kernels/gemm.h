// Matrix products: C = alpha * op(A) * op(B) + beta * C, row-major, op(X) = X or X^T.
#pragma once
#include <cstdint>
#include <string>

namespace tg {

struct GemmArgs {
  bool trans_a = false, trans_b = false;
  int64_t m = 0, n = 0, k = 0;
  int64_t lda = 0, ldb = 0, ldc = 0;
};

// float and double go to the BLAS library when there is one (and sizes fit its int), else to
// our own blocked kernel; integer types always use our own.
template <class T>
void gemm(const GemmArgs& g, T alpha, const T* a, const T* b, T beta, T* c);

// Which BLAS the addon was built with and what it reports about itself.
struct BlasInfo {
  std::string name;      // "OpenBLAS", "Accelerate", "MKL", "BLIS", "CBLAS" (another one), "none"
  std::string config;    // the library's configuration string, if it has one
  std::string core;      // the kernel set it chose for this CPU, if it says
  int threads = 1;
};
BlasInfo blas_info();

// OpenBLAS runs the kernel set OPENBLAS_CORETYPE names, whether or not the CPU has the
// instructions it needs (the name may come from /proc/cpuinfo, which under an emulator such as
// qemu-user describes the host, not the CPU being emulated). When the set in use needs instructions
// (AVX-512, AVX2, AVX, AMD's FMA4 or 3DNow!, SSE4.2, ...) that CPUID says this CPU (and its OS)
// lacks, this re-runs OpenBLAS's own CPU
// detection, ignoring OPENBLAS_CORETYPE, and returns the name of the set it replaced; otherwise
// (or when the library cannot re-detect) it returns "". Call it before any product runs.
std::string blas_replace_unrunnable_core();
void blas_set_num_threads(int n);

}  // namespace tg
