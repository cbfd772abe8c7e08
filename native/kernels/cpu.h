// What the CPU running us supports, from CPUID (x86-64) or compile-time facts elsewhere.
#pragma once
#include <string>

namespace tg {

struct CpuInfo {
  std::string vendor;  // "AuthenticAMD", "GenuineIntel", ... or the architecture name
  bool avx2 = false, fma = false, avx512 = false;  // avx512: F, BW, DQ and VL, enabled by the OS
};
CpuInfo cpu_info();

}  // namespace tg
