// How the C library's allocator treats tensor memory.
#pragma once
#include <string>

namespace tg {

// Keeps freed tensor memory in the process for reuse instead of handing it back to the kernel
// after every collection (glibc only; elsewhere, or with TENSORGRAD_MALLOC=system, nothing).
// Returns what it did, for backendInfo().malloc.
std::string tune_malloc();

}  // namespace tg
