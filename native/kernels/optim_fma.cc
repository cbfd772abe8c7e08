// The adaptive optimizer steps (optim_steps.h) compiled for AVX2 with FMA, run where the CPU has
// both (optim_fma()): std::fma is one instruction there and the loops vectorise. The results are
// the baseline build's, bit for bit (a fused multiply-add rounds once either way); only the speed
// differs. x86-64 with GCC, as gemm_avx2.cc; elsewhere the *_fma functions run the baseline steps.
#include "optim.h"

#include "cpu.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define TG_OPTIM_FMA 1
#endif

namespace tg {

#ifdef TG_OPTIM_FMA
// Every header before the target pragma: what they define stays baseline code.
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace isa_fma {
#include "optim_steps.h"  // NOLINT(bugprone-suspicious-include): this build's own copy of the steps
}  // namespace isa_fma
#define TG_STEPS isa_fma
#else
#define TG_STEPS isa_base
#endif

#define TG_OPTIM_FMA_STEP(NAME, N, ARGS)                                  \
  template <class T>                                                      \
  void NAME##_fma(Strided<N>& s, const ARGS& a) {                         \
    TG_STEPS::NAME<T>(s, a);                                              \
  }                                                                       \
  template void NAME##_fma<float>(Strided<N> & s, const ARGS& a);         \
  template void NAME##_fma<double>(Strided<N> & s, const ARGS& a);

TG_OPTIM_FMA_STEP(rmsprop_step, 5, RmspropArgs)
TG_OPTIM_FMA_STEP(adagrad_step, 3, AdagradArgs)
TG_OPTIM_FMA_STEP(adadelta_step, 4, AdadeltaArgs)
TG_OPTIM_FMA_STEP(adamax_step, 4, AdamaxArgs)
TG_OPTIM_FMA_STEP(nadam_step, 4, NadamArgs)
TG_OPTIM_FMA_STEP(radam_step, 4, RadamArgs)
TG_OPTIM_FMA_STEP(asgd_step, 3, AsgdArgs)

#ifdef TG_OPTIM_FMA
#pragma GCC pop_options
#endif

bool optim_fma() {
#ifdef TG_OPTIM_FMA
  static const bool ok = [] {
    const CpuInfo cpu = cpu_info();
    return cpu.avx2 && cpu.fma;
  }();
  return ok;
#else
  return false;
#endif
}

}  // namespace tg
