// What the CPU running us supports, from CPUID (x86-64) or compile-time facts elsewhere.
#pragma once
#include <string>

namespace tg {

struct CpuInfo {
  std::string vendor;  // "AuthenticAMD", "GenuineIntel", ... or the architecture name
  bool sse3 = false, ssse3 = false, sse41 = false, sse42 = false;
  bool avx = false, avx2 = false, fma = false;  // each enabled by the OS (XSAVE state) too
  bool avx512 = false;                          // F, BW, DQ and VL, enabled by the OS
  bool avx512bf16 = false;
  bool sse4a = false, fma4 = false, amd3dnow = false;  // AMD's own extensions (older AMD CPUs)
};
CpuInfo cpu_info();

}  // namespace tg
