#include "gemm.h"

#include "cpu.h"
#include "dtype.h"
#include "gemm_simd.h"
#include "parallel.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <type_traits>
#include <vector>

// Which BLAS: chosen at build time (scripts/find-blas.js for node-gyp, CMakeLists.txt for cmake-js).
#if defined(TG_BLAS_ACCELERATE)
#include <Accelerate/Accelerate.h>
#define TG_HAVE_BLAS 1
#elif defined(TG_BLAS_MKL)
#include <mkl.h>
#define TG_HAVE_BLAS 1
#elif defined(TG_BLAS_BLIS)
#include <blis.h>  // BLIS's CBLAS layer is declared here
#define TG_HAVE_BLAS 1
#elif defined(TG_BLAS_CBLAS)
#include <cblas.h>
#define TG_HAVE_BLAS 1
#endif

#if defined(TG_BLAS_OPENBLAS)
// OpenBLAS's kernel-set selection (driver/others/dynamic.c, present in DYNAMIC_ARCH builds): quit
// forgets the set in use, init picks one again (OPENBLAS_CORETYPE, else its CPU detection). Weak,
// so that a build against an OpenBLAS without them still links; they are then null.
extern "C" {
void gotoblas_dynamic_init(void) __attribute__((weak));
void gotoblas_dynamic_quit(void) __attribute__((weak));
}
#endif

namespace tg {
namespace {

// ---- our own kernel: packed panels, four rows of C per pass over a panel of B --------------------

template <class T>
T at(const T* x, int64_t ld, bool trans, int64_t row, int64_t col) {
  return trans ? x[col * ld + row] : x[row * ld + col];
}

template <class T>
void gemm_own(const GemmArgs& g, T alpha, const T* a, const T* b, T beta, T* c) {
  // Integer products wrap around (signed overflow would be undefined behaviour).
  using U = wrapping_t<T>;
  for (int64_t i = 0; i < g.m; ++i)
    for (int64_t j = 0; j < g.n; ++j) {
      T& cij = c[i * g.ldc + j];
      cij = beta == T(0) ? T(0) : T(U(cij) * U(beta));  // beta 0 ignores C, NaN included, as BLAS does
    }
  if (g.k == 0 || alpha == T(0)) return;
  constexpr int64_t MC = 64, KC = 256, NC = 512;
  std::vector<U> ap(size_t(MC * KC)), bp(size_t(KC * NC));
  for (int64_t jc = 0; jc < g.n; jc += NC) {
    const int64_t nc = std::min(NC, g.n - jc);
    for (int64_t pc = 0; pc < g.k; pc += KC) {
      const int64_t kc = std::min(KC, g.k - pc);
      for (int64_t p = 0; p < kc; ++p)
        for (int64_t j = 0; j < nc; ++j) bp[size_t(p * nc + j)] = U(at(b, g.ldb, g.trans_b, pc + p, jc + j));
      for (int64_t ic = 0; ic < g.m; ic += MC) {
        const int64_t mc = std::min(MC, g.m - ic);
        for (int64_t i = 0; i < mc; ++i)
          for (int64_t p = 0; p < kc; ++p)
            ap[size_t(i * kc + p)] = U(at(a, g.lda, g.trans_a, ic + i, pc + p)) * U(alpha);
        int64_t i = 0;
        for (; i + 4 <= mc; i += 4) {
          U* c0 = reinterpret_cast<U*>(c + (ic + i) * g.ldc + jc);
          U* c1 = c0 + g.ldc;
          U* c2 = c1 + g.ldc;
          U* c3 = c2 + g.ldc;
          for (int64_t p = 0; p < kc; ++p) {
            const U a0 = ap[size_t(i * kc + p)], a1 = ap[size_t((i + 1) * kc + p)];
            const U a2 = ap[size_t((i + 2) * kc + p)], a3 = ap[size_t((i + 3) * kc + p)];
            const U* bq = &bp[size_t(p * nc)];
            for (int64_t j = 0; j < nc; ++j) {
              c0[j] += a0 * bq[j];
              c1[j] += a1 * bq[j];
              c2[j] += a2 * bq[j];
              c3[j] += a3 * bq[j];
            }
          }
        }
        for (; i < mc; ++i) {
          U* c0 = reinterpret_cast<U*>(c + (ic + i) * g.ldc + jc);
          for (int64_t p = 0; p < kc; ++p) {
            const U a0 = ap[size_t(i * kc + p)];
            const U* bq = &bp[size_t(p * nc)];
            for (int64_t j = 0; j < nc; ++j) c0[j] += a0 * bq[j];
          }
        }
      }
    }
  }
}

// The least work (multiply-adds) a thread is given when a product is split: the seed loop's
// 64x1000x100 products (6.4M) run in 0.56x the time on two threads; below about 1M, waking the
// second thread costs more than it saves.
constexpr int64_t kSplitGrain = int64_t(1) << 20;

// Runs C = alpha op(A) op(B) + beta C as blocks of rows or of columns (whichever splits more
// evenly) on the current pool's threads, each block one single-threaded call of our own kernels
// or BLAS: the BLAS library keeps no threads of its own, so there is one pool, with nothing
// spinning between calls.
template <class T, class Blas>
void gemm_blocks(const GemmArgs& g, T alpha, const T* a, const T* b, T beta, T* c, Blas&& blas) {
  constexpr int64_t kRowUnit = 8, kColUnit = 16;  // whole register tiles of the kernels
  const ThreadPool* pool = current_pool();
  const int64_t threads = pool == nullptr ? 1 : pool->threads();
  // multiply-adds per unit, in double: the sizes BLAS takes (up to 2^31 each) would overflow int64
  const double k = double(std::max<int64_t>(g.k, 1));
  auto plan = [&](int64_t span, int64_t other, int64_t unit, int64_t* units, int64_t* grain) {
    *units = (span + unit - 1) / unit;
    const double per_unit = double(unit) * double(std::max<int64_t>(other, 1)) * k;
    *grain = per_unit >= double(kSplitGrain) ? 1 : int64_t(std::ceil(double(kSplitGrain) / per_unit));
    const int64_t chunks = std::max<int64_t>(1, std::min(threads, *units / *grain));
    return double(std::min(span, (*units + chunks - 1) / chunks * unit)) * double(other);  // the largest block
  };
  int64_t row_units, row_grain, col_units, col_grain;
  const double by_row_work = plan(g.m, g.n, kRowUnit, &row_units, &row_grain);
  const double by_col_work = plan(g.n, g.m, kColUnit, &col_units, &col_grain);
  const bool by_rows = by_row_work <= by_col_work;
  const int64_t unit = by_rows ? kRowUnit : kColUnit, span = by_rows ? g.m : g.n;
  parallel_for(by_rows ? row_units : col_units, by_rows ? row_grain : col_grain, [&](int64_t u0, int64_t u1) {
    const int64_t lo = u0 * unit, hi = std::min(span, u1 * unit);
    GemmArgs p = g;
    if (by_rows) {
      p.m = hi - lo;
      blas(p, alpha, a + (g.trans_a ? lo : lo * g.lda), b, beta, c + lo * g.ldc);
    } else {
      p.n = hi - lo;
      blas(p, alpha, a, b + (g.trans_b ? lo * g.ldb : lo), beta, c + lo);
    }
  });
}

#ifdef TG_HAVE_BLAS
bool fits_blas_int(const GemmArgs& g) {
  const int64_t most = std::max({g.m, g.n, g.k, g.lda, g.ldb, g.ldc});
  return most <= INT_MAX;
}
CBLAS_TRANSPOSE flag(bool trans) { return trans ? CblasTrans : CblasNoTrans; }

void blas_call(const GemmArgs& p, float al, const float* pa, const float* pb, float be, float* pc) {
  cblas_sgemm(CblasRowMajor, flag(p.trans_a), flag(p.trans_b), int(p.m), int(p.n), int(p.k), al, pa, int(p.lda), pb,
              int(p.ldb), be, pc, int(p.ldc));
}
void blas_call(const GemmArgs& p, double al, const double* pa, const double* pb, double be, double* pc) {
  cblas_dgemm(CblasRowMajor, flag(p.trans_a), flag(p.trans_b), int(p.m), int(p.n), int(p.k), al, pa, int(p.lda), pb,
              int(p.ldb), be, pc, int(p.ldc));
}
#endif

// float and double: our own vectorised kernels where the CPU runs them (gemm_simd.h; on the seed
// loop's skinny products and on square ones alike they match or beat OpenBLAS 0.3.21-0.3.31 on one
// core), else the BLAS library, else our scalar kernel. Each block of a split product is one
// single-threaded call.
template <class T>
void gemm_float(const GemmArgs& g, T alpha, const T* a, const T* b, T beta, T* c) {
#ifdef TG_HAVE_BLAS
  const bool blas = fits_blas_int(g);
#else
  const bool blas = false;
#endif
  auto other = [blas](const GemmArgs& p, T al, const T* pa, const T* pb, T be, T* pc) {
#ifdef TG_HAVE_BLAS
    if (blas) return blas_call(p, al, pa, pb, be, pc);
#endif
    (void)blas;
    gemm_own(p, al, pa, pb, be, pc);
  };
  const GemmIsa isa = gemm_isa();
  if (isa != GemmIsa::None && g.k > 0) {
    gemm_blocks(g, alpha, a, b, beta, c, [&](const GemmArgs& p, T al, const T* pa, const T* pb, T be, T* pc) {
      if (!gemm_simd(isa, p, al, pa, pb, be, pc)) other(p, al, pa, pb, be, pc);  // no memory for its panels
    });
  } else if (blas) {
    gemm_blocks(g, alpha, a, b, beta, c, other);
  } else {
    gemm_own(g, alpha, a, b, beta, c);
  }
}

}  // namespace

template <>
void gemm<float>(const GemmArgs& g, float alpha, const float* a, const float* b, float beta, float* c) {
  gemm_float(g, alpha, a, b, beta, c);
}

template <>
void gemm<double>(const GemmArgs& g, double alpha, const double* a, const double* b, double beta, double* c) {
  gemm_float(g, alpha, a, b, beta, c);
}

template <>
void gemm<int32_t>(const GemmArgs& g, int32_t alpha, const int32_t* a, const int32_t* b, int32_t beta, int32_t* c) {
  gemm_own(g, alpha, a, b, beta, c);
}

template <>
void gemm<int64_t>(const GemmArgs& g, int64_t alpha, const int64_t* a, const int64_t* b, int64_t beta, int64_t* c) {
  gemm_own(g, alpha, a, b, beta, c);
}

BlasInfo blas_info() {
  BlasInfo info;
#if defined(TG_BLAS_OPENBLAS)
  info.name = "OpenBLAS";
  info.config = openblas_get_config();
  info.core = openblas_get_corename();
  info.threads = openblas_get_num_threads();
#elif defined(TG_BLAS_ACCELERATE)
  info.name = "Accelerate";
#elif defined(TG_BLAS_MKL)
  info.name = "MKL";
  char version[256] = {0};
  mkl_get_version_string(version, int(sizeof version) - 1);
  info.config = version;
  info.threads = mkl_get_max_threads();
#elif defined(TG_BLAS_BLIS)
  info.name = "BLIS";
  info.config = std::string("BLIS ") + bli_info_get_version_str();
  info.threads = int(std::max<dim_t>(1, bli_thread_get_num_threads()));
#elif defined(TG_BLAS_CBLAS)
  info.name = "CBLAS";
#else
  info.name = "none";
#endif
  return info;
}

namespace {

// Whether this CPU runs OpenBLAS's kernel set `core` (one of dynamic.c's corenames): the
// instruction sets its kernels use. A name not listed is taken to run.
bool runs_core(const std::string& core, const CpuInfo& cpu) {
  struct Need { const char* core; bool ok; };
  const bool avx2 = cpu.avx2 && cpu.fma;
  const Need table[] = {
      {"Prescott", cpu.sse3},
      {"Atom", cpu.ssse3},
      {"Core2", cpu.ssse3},
      {"Penryn", cpu.sse41},
      {"Dunnington", cpu.sse41},
      {"Nehalem", cpu.sse42},
      {"Nano", cpu.ssse3},
      {"Athlon", cpu.amd3dnow},
      {"Opteron", cpu.amd3dnow},
      {"Opteron_SSE3", cpu.amd3dnow && cpu.sse3},
      {"Barcelona", cpu.sse4a && cpu.sse3},
      {"Bobcat", cpu.sse4a && cpu.ssse3},
      {"Sandybridge", cpu.avx},
      {"Bulldozer", cpu.avx && cpu.fma4},
      {"Piledriver", cpu.avx && cpu.fma4 && cpu.fma},
      {"Steamroller", cpu.avx && cpu.fma4 && cpu.fma},
      {"Excavator", avx2 && cpu.fma4},
      {"Haswell", avx2},
      {"Zen", avx2},
      {"SkylakeX", cpu.avx512},
      {"Cooperlake", cpu.avx512bf16},
      {"SapphireRapids", cpu.avx512bf16},
  };
  for (const Need& n : table)
    if (core == n.core) return n.ok;
  return true;
}

}  // namespace

std::string blas_replace_unrunnable_core() {
#if defined(TG_BLAS_OPENBLAS)
  const std::string core = openblas_get_corename();
  if (runs_core(core, cpu_info()) || gotoblas_dynamic_init == nullptr || gotoblas_dynamic_quit == nullptr) return "";
  const char* set = std::getenv("OPENBLAS_CORETYPE");
  const std::string named = set != nullptr ? set : "";
  unsetenv("OPENBLAS_CORETYPE");
  gotoblas_dynamic_quit();
  gotoblas_dynamic_init();
  if (set != nullptr) setenv("OPENBLAS_CORETYPE", named.c_str(), 1);  // as the user left it
  return core;
#else
  return "";
#endif
}

void blas_set_num_threads(int n) {
#if defined(TG_BLAS_OPENBLAS)
  openblas_set_num_threads(n);
#elif defined(TG_BLAS_MKL)
  mkl_set_num_threads(n);
#elif defined(TG_BLAS_BLIS)
  bli_thread_set_num_threads(n);
#else
  (void)n;
#endif
}

}  // namespace tg
