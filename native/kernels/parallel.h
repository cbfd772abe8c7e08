// parallel_for: splits [0, n) into chunks of at least `grain` elements for the kernel threads.
#pragma once
#include <cstdint>

namespace tg {

// Our own loops run on the calling thread; matrix products use the BLAS library's threads.
template <class F>
void parallel_for(int64_t n, int64_t /*grain*/, F&& f) {
  if (n > 0) f(int64_t(0), n);
}

}  // namespace tg
