#include "vmath.h"

// One copy of each loop per instruction set, chosen once by the dynamic loader (GCC's function
// multiversioning, through an ifunc): x86-64 with glibc. Elsewhere, the one baseline copy.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define TG_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define TG_CLONES
#endif

namespace tg {

#define TG_VMATH_ROW(NAME, FN, T) \
  TG_CLONES void NAME(T* o, const T* a, int64_t n) { for (int64_t i = 0; i < n; ++i) o[i] = FN(a[i]); }

TG_VMATH_ROW(vexp_row, vexp, float)
TG_VMATH_ROW(vexp_row, vexp, double)
TG_VMATH_ROW(vtanh_row, vtanh, float)
TG_VMATH_ROW(vtanh_row, vtanh, double)
TG_VMATH_ROW(vsigmoid_row, vsigmoid, float)
TG_VMATH_ROW(vsigmoid_row, vsigmoid, double)

}  // namespace tg
