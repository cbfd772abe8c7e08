// torch.multinomial's draws, as PyTorch's CPU kernels make them for the same generator state.
//
// Without replacement, or for a single sample: the Gumbel trick in its exponential form. Every
// probability p gets an exponential sample q (drawn in memory order over all rows first), and the
// categories with the largest p / q are the samples (argmax for one sample, the largest n in
// descending order otherwise; equal keys by index).
// With replacement: each row's cumulative distribution, normalised by its sum, and one 53-bit
// uniform double per sample, placed by binary search (the first bucket whose cumulative value is
// not below it).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "random.h"
#include "sampling.h"
#include "view.h"

namespace tg {

// probs [rows, categories] (a 1-D input as one row), out int64 [rows, n]: rows and categories as
// views of at most 2 dims, checked by the caller to agree.
template <class T>
void multinomial(const View& out, const View& probs, Generator& g, bool replacement) {
  const int64_t rows = probs.ndim == 2 ? probs.shape[0] : 1, k = probs.shape[probs.ndim - 1];
  const int64_t n = out.shape[out.ndim - 1];
  const int64_t ps_row = probs.ndim == 2 ? probs.strides[0] : 0, ps = probs.strides[probs.ndim - 1];
  const int64_t os_row = out.ndim == 2 ? out.strides[0] : 0, os = out.strides[out.ndim - 1];
  const T* p = probs.ptr<T>();
  int64_t* o = out.ptr<int64_t>();
  // PyTorch checks every value, then every row's sum, before it draws
  for (int64_t r = 0; r < rows; ++r) {
    T sum = 0;
    for (int64_t j = 0; j < k; ++j) {
      const T v = p[r * ps_row + j * ps];
      if (!(v >= T(0)) || std::isinf(v)) raise(ErrorKind::Range, "multinomial: probability tensor contains either inf, nan or element < 0");
      sum += v;
    }
    if (!(sum > T(0))) raise(ErrorKind::Range, "multinomial: invalid multinomial distribution (sum of probabilities <= 0)");
  }
  if (replacement && n > 1) {
    std::vector<T> cum(size_t(k), T(0));
    for (int64_t r = 0; r < rows; ++r) {
      T sum = 0;
      for (int64_t j = 0; j < k; ++j) cum[size_t(j)] = sum += p[r * ps_row + j * ps];
      for (int64_t j = 0; j < k; ++j) cum[size_t(j)] /= sum;
      cum[size_t(k - 1)] = T(1);
      for (int64_t i = 0; i < n; ++i) {
        const double u = g.uniform_double();
        int64_t lo = 0, hi = k;
        while (hi - lo > 0) {
          const int64_t mid = lo + (hi - lo) / 2;
          if (double(cum[size_t(mid)]) < u) lo = mid + 1;
          else hi = mid;
        }
        o[r * os_row + i * os] = lo;
      }
    }
    return;
  }
  // the exponential samples, in the order empty_like(probs).exponential_() draws them: row-major
  // for a contiguous input (the caller passes a contiguous one)
  std::vector<T> keys(size_t(rows * k));
  for (auto& q : keys) q = T(-1.0 * std::log1p(-g.uniform_double()));
  std::vector<int64_t> order(static_cast<size_t>(k));
  for (int64_t r = 0; r < rows; ++r) {
    T* key = keys.data() + r * k;
    for (int64_t j = 0; j < k; ++j) key[j] = p[r * ps_row + j * ps] / key[j];
    if (n == 1) {
      int64_t best = 0;
      for (int64_t j = 1; j < k; ++j)
        if (key[j] > key[best]) best = j;
      o[r * os_row] = best;
      continue;
    }
    for (int64_t j = 0; j < k; ++j) order[size_t(j)] = j;
    std::partial_sort(order.begin(), order.begin() + n, order.end(),
                      [&](int64_t a, int64_t b) { return key[a] > key[b] || (key[a] == key[b] && a < b); });
    for (int64_t i = 0; i < n; ++i) o[r * os_row + i * os] = order[size_t(i)];
  }
}

}  // namespace tg
