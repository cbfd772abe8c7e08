// mse_loss over two contiguous operands of the same shape, reduced by 'mean' or 'sum', and its
// gradient: what torch.nn.functional.mse_loss computes, in one pass each way instead of sub, pow
// and sum (three passes and two temporaries) forward and their three rules backward.
#pragma once
#include <cstdint>

#include "elementwise.h"
#include "parallel.h"
#include "vmath.h"

namespace tg {

// sum((a - b)^2), divided by n for 'mean': each difference and square rounded to T as the eager
// ops round them, the sum in double (vsum_squared_diff_row), the result rounded once. The mean of
// nothing is NaN, as in PyTorch.
template <class T>
T mse_loss_forward(const T* a, const T* b, int64_t n, bool mean) {
  const double sum = vsum_squared_diff_row(a, b, n);
  return T(mean ? sum / double(n) : sum);
}

// The input's gradient ((a - b) * norm) * g, each step rounded to T as in PyTorch's
// mse_loss_backward, with norm = 2 / n for 'mean' and 2 for 'sum'. The target's is its negation.
template <class T>
void mse_loss_backward(T* gin, const T* a, const T* b, int64_t n, bool mean, T g) {
  const T norm = T(mean ? 2.0 / double(n) : 2.0);
  parallel_for(n, kElementwiseGrain, [=](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) gin[i] = T(T(a[i] - b[i]) * norm) * g;
  });
}

}  // namespace tg
