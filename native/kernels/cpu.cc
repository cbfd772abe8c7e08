#include "cpu.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#include <cstring>
#endif

namespace tg {

CpuInfo cpu_info() {
  CpuInfo info;
#if defined(__x86_64__) && defined(__GNUC__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  __cpuid(0, a, b, c, d);
  char vendor[13];
  std::memcpy(vendor, &b, 4);
  std::memcpy(vendor + 4, &d, 4);
  std::memcpy(vendor + 8, &c, 4);
  vendor[12] = 0;
  info.vendor = vendor;
  const unsigned max_leaf = a;
  __cpuid(1, a, b, c, d);
  const bool osxsave = (c >> 27) & 1;
  info.fma = (c >> 12) & 1;
  info.sse3 = c & 1;
  info.ssse3 = (c >> 9) & 1;
  info.sse41 = (c >> 19) & 1;
  info.sse42 = (c >> 20) & 1;
  unsigned xcr0 = 0;
  if (osxsave) {
    unsigned hi = 0;
    __asm__ volatile("xgetbv" : "=a"(xcr0), "=d"(hi) : "c"(0));
  }
  const bool os_avx = (xcr0 & 0x6) == 0x6;       // XMM and YMM state
  const bool os_avx512 = (xcr0 & 0xe6) == 0xe6;  // plus opmask and ZMM state
  info.avx = os_avx && ((c >> 28) & 1);
  if (max_leaf >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    info.avx2 = os_avx && ((b >> 5) & 1);
    const bool f = (b >> 16) & 1, dq = (b >> 17) & 1, bw = (b >> 30) & 1, vl = (b >> 31) & 1;
    info.avx512 = os_avx512 && f && dq && bw && vl;
    if (a >= 1) {
      __cpuid_count(7, 1, a, b, c, d);
      info.avx512bf16 = info.avx512 && ((a >> 5) & 1);
    }
  }
  info.fma = info.fma && os_avx;
  __cpuid(0x80000000, a, b, c, d);
  if (a >= 0x80000001) {
    __cpuid(0x80000001, a, b, c, d);
    info.sse4a = (c >> 6) & 1;
    info.fma4 = os_avx && ((c >> 16) & 1);
    info.amd3dnow = (d >> 31) & 1;
  }
#elif defined(__aarch64__)
  info.vendor = "arm64";
#else
  info.vendor = "unknown";
#endif
  return info;
}

}  // namespace tg
