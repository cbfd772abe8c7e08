// mse_loss over two contiguous operands of the same shape, reduced by 'mean' or 'sum', and its
// gradient: what torch.nn.functional.mse_loss computes, in one pass each way instead of sub, pow
// and sum (three passes and two temporaries) forward and their three rules backward.
#pragma once
#include <cstdint>

#include "elementwise.h"
#include "parallel.h"
#include "view.h"
#include "vmath.h"

namespace tg {

// The element count of mse_loss's operands: `rows` contiguous views of one shape, and a 0-d loss
// (or its gradient); reduction 1 is 'mean', 2 'sum' ('none' is composed of other ops).
inline int64_t mse_loss_size(const View* const* rows, int count, const View& scalar, double reduction) {
  for (int k = 0; k < count; ++k)
    if (!same_shape(*rows[k], *rows[0]) || !rows[k]->contiguous()) raise(ErrorKind::Range, "mse_loss: operands must be contiguous and of one shape");
  if (scalar.ndim != 0) raise(ErrorKind::Shape, "mse_loss: the loss is 0-d");
  if (!(reduction == 1 || reduction == 2)) raise(ErrorKind::Range, "mse_loss: bad reduction");
  return rows[0]->numel();
}

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
