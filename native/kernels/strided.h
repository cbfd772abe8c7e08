// N-dimensional strided iteration shared by the elementwise and reduction kernels.
//
// A Strided<N> describes N operands over one shape: a base pointer per operand (already at the
// operand's first element) and a byte stride per operand and dimension. Kernels supply an inner
// loop `f(char* ptr[N], const int64_t stride[N], int64_t n)` over one row of the innermost
// dimension; for_each() calls it row by row. Byte strides let operands of different element types
// (a comparison's bool output, a cast's source) share one loop.
#pragma once
#include <cstdint>

namespace tg {

constexpr int kMaxDims = 64;

template <int N>
struct Strided {
  int ndim = 0;
  int64_t shape[kMaxDims];
  int64_t strides[N][kMaxDims];  // in bytes
  char* data[N];

  int64_t numel() const {
    int64_t n = 1;
    for (int d = 0; d < ndim; ++d) n *= shape[d];
    return n;
  }
};

// Drops size-1 dimensions and merges neighbours that every operand steps over as one, so that a
// contiguous tensor of any shape becomes a single row the compiler can vectorise.
template <int N>
void coalesce(Strided<N>& s) {
  int nd = 0;
  for (int d = 0; d < s.ndim; ++d) {
    if (s.shape[d] == 1) continue;
    bool merge = nd > 0;
    for (int k = 0; merge && k < N; ++k) merge = s.strides[k][nd - 1] == s.strides[k][d] * s.shape[d];
    if (merge) {
      s.shape[nd - 1] *= s.shape[d];
      for (int k = 0; k < N; ++k) s.strides[k][nd - 1] = s.strides[k][d];
      continue;
    }
    s.shape[nd] = s.shape[d];
    for (int k = 0; k < N; ++k) s.strides[k][nd] = s.strides[k][d];
    ++nd;
  }
  if (nd == 0) {  // a single element
    s.shape[0] = 1;
    for (int k = 0; k < N; ++k) s.strides[k][0] = 0;
    nd = 1;
  }
  s.ndim = nd;
}

// Calls f over the elements [begin, end) of the row-major order of s.shape (s coalesced, ndim >= 1),
// starting from the base pointers `data` (s.data unless given).
template <int N, class F>
void for_each_range(const Strided<N>& s, char* const* data, int64_t begin, int64_t end, F&& f) {
  if (begin >= end) return;
  const int last = s.ndim - 1;
  const int64_t row = s.shape[last];
  int64_t idx[kMaxDims];
  char* ptr[N];
  for (int k = 0; k < N; ++k) ptr[k] = data[k];
  int64_t rem = begin;
  for (int d = last; d >= 0; --d) {
    idx[d] = rem % s.shape[d];
    rem /= s.shape[d];
    for (int k = 0; k < N; ++k) ptr[k] += idx[d] * s.strides[k][d];
  }
  int64_t inner[N];
  for (int k = 0; k < N; ++k) inner[k] = s.strides[k][last];
  int64_t todo = end - begin;
  while (true) {
    const int64_t n = row - idx[last] < todo ? row - idx[last] : todo;
    f(ptr, inner, n);
    todo -= n;
    if (todo == 0) return;
    // step to the start of the next row
    for (int k = 0; k < N; ++k) ptr[k] -= idx[last] * s.strides[k][last];
    idx[last] = 0;
    for (int d = last - 1; d >= 0; --d) {
      if (++idx[d] < s.shape[d]) {
        for (int k = 0; k < N; ++k) ptr[k] += s.strides[k][d];
        break;
      }
      for (int k = 0; k < N; ++k) ptr[k] -= (s.shape[d] - 1) * s.strides[k][d];
      idx[d] = 0;
    }
  }
}

template <int N, class F>
void for_each_range(const Strided<N>& s, int64_t begin, int64_t end, F&& f) {
  for_each_range(s, s.data, begin, end, f);
}

template <int N, class F>
void for_each(const Strided<N>& s, F&& f) {
  for_each_range(s, s.data, 0, s.numel(), f);
}

}  // namespace tg
