#include "memory.h"

#include <cstdlib>
#include <cstring>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tg {

// V8 frees the buffers of collected tensors in bulk, megabytes at a time. glibc's defaults then
// return the top of the heap to the kernel (trim) and serve every buffer over 128 KB-32 MB from a
// fresh mmap, so the next step's outputs are page-faulted in again, one 4 KB page at a time: at
// 131k float32 elements that is most of an add's time. The settings below are those NumPy users
// tune with MALLOC_*_ variables: blocks up to 32 MB (glibc's largest threshold) come from the
// heap, and the heap is never trimmed, so freed memory is reused while it is still mapped and hot.
// The heap's peak stays what the program's live tensors need; it is not given back until exit.
std::string tune_malloc() {
#if defined(__GLIBC__)
  const char* choice = std::getenv("TENSORGRAD_MALLOC");
  if (choice != nullptr && std::strcmp(choice, "system") == 0) return "system (TENSORGRAD_MALLOC=system)";
  // A setting the user made in the environment wins over ours.
  const bool user_set = std::getenv("MALLOC_MMAP_THRESHOLD_") || std::getenv("MALLOC_TRIM_THRESHOLD_") ||
                        std::getenv("MALLOC_TOP_PAD_") || std::getenv("GLIBC_TUNABLES");
  if (user_set) return "system (MALLOC_* or GLIBC_TUNABLES set in the environment)";
  const bool ok = mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 0x7fffffff) == 1 &&
                  mallopt(M_TOP_PAD, 64 << 20) == 1;
  return ok ? "glibc, kept for reuse (mmap threshold 32 MB, no trim)" : "system (mallopt refused)";
#else
  return "system";
#endif
}

}  // namespace tg
