// nll_loss over [n, c] log-probabilities with [n] class-index targets and optional [c] class
// weights, and its backward: what torch.nn.functional.nll_loss computes for 1-D and 2-D inputs.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

#include "dtype.h"
#include "view.h"

namespace tg {

enum class LossReduction { None = 0, Mean = 1, Sum = 2 };

struct NllGeometry {
  int64_t n = 0, c = 0;
  int64_t input_stride[2] = {};  // rows, classes
  int64_t target_stride = 0;
  int64_t weight_stride = 0;
  int64_t out_stride = 0;  // reduction None: the [n] output's stride
  int64_t ignore_index = -100;
  LossReduction reduction = LossReduction::Mean;
};

// The geometry from the operands: rows [n, c] (the input, or its gradient), target [n], weight [c]
// or null, per_row [n] for reduction None and [] otherwise (the output, or its gradient), total [].
inline NllGeometry nll_geometry(const View& rows, const View& target, const View* weight, const View& per_row, const View& total,
                                double ignore_index, double reduction) {
  NllGeometry g;
  if (!(reduction == 0 || reduction == 1 || reduction == 2)) raise(ErrorKind::Range, "nll_loss: bad reduction");
  if (!(ignore_index >= -9007199254740992.0 && ignore_index <= 9007199254740992.0) || ignore_index != double(int64_t(ignore_index)))
    raise(ErrorKind::Type, "nll_loss: ignore_index must be an integer");
  g.reduction = LossReduction(int(reduction));
  g.ignore_index = int64_t(ignore_index);
  if (rows.ndim != 2) raise(ErrorKind::Shape, "nll_loss: expected [n, c] rows but got " + shape_str(rows));
  g.n = rows.shape[0], g.c = rows.shape[1];
  g.input_stride[0] = rows.strides[0], g.input_stride[1] = rows.strides[1];
  if (target.ndim != 1 || target.shape[0] != g.n) raise(ErrorKind::Shape, "nll_loss: expected a target of [" + std::to_string(g.n) + "]");
  g.target_stride = target.strides[0];
  if (weight != nullptr) {
    if (weight->ndim != 1 || weight->shape[0] != g.c) raise(ErrorKind::Shape, "nll_loss: expected a weight of [" + std::to_string(g.c) + "]");
    g.weight_stride = weight->strides[0];
  }
  const bool none = g.reduction == LossReduction::None;
  if (per_row.ndim != (none ? 1 : 0) || (none && per_row.shape[0] != g.n) || total.ndim != 0)
    raise(ErrorKind::Shape, "nll_loss: the output's shape does not fit the reduction");
  g.out_stride = none ? per_row.strides[0] : 0;
  return g;
}

// The class of row i, or -1 when the row is ignored; a target outside [0, c) that is not the
// ignore index throws std::out_of_range with PyTorch's message.
template <class I>
int64_t nll_class(const NllGeometry& g, const I* target, int64_t i) {
  const int64_t t = int64_t(target[i * g.target_stride]);
  if (t == g.ignore_index) return -1;
  if (t < 0 || t >= g.c) throw std::out_of_range("Target " + std::to_string(t) + " is out of bounds.");
  return t;
}

// out: [n] losses (None) or one value; total_weight: the sum of the weights of the rows counted.
template <class T, class I>
void nll_loss_forward(const NllGeometry& g, T* out, T* total_weight, const T* input, const I* target, const T* weight) {
  double total = 0, sum = 0;
  for (int64_t i = 0; i < g.n; ++i) {
    const int64_t t = nll_class(g, target, i);
    const double w = t < 0 ? 0.0 : weight != nullptr ? double(weight[t * g.weight_stride]) : 1.0;
    const double loss = t < 0 ? 0.0 : -w * double(input[i * g.input_stride[0] + t * g.input_stride[1]]);
    if (g.reduction == LossReduction::None) out[i * g.out_stride] = T(loss);
    sum += loss;
    total += w;
  }
  *total_weight = T(total);
  if (g.reduction == LossReduction::Sum) *out = T(sum);
  if (g.reduction == LossReduction::Mean) *out = T(sum / total);  // 0 / 0 is NaN, as in PyTorch
}

// gin: [n, c] with the input's geometry (input_stride), written whole: -weight[t] * grad
// (/ total_weight for Mean) at each row's target class, 0 elsewhere. grad: [n] (None, with
// out_stride) or one value.
template <class T, class I>
void nll_loss_backward(const NllGeometry& g, T* gin, const T* grad, const I* target, const T* weight, T total_weight) {
  for (int64_t i = 0; i < g.n; ++i) {
    T* row = gin + i * g.input_stride[0];
    for (int64_t j = 0; j < g.c; ++j) row[j * g.input_stride[1]] = T(0);
    const int64_t t = nll_class(g, target, i);
    if (t < 0) continue;
    // PyTorch's order: -(grad / total_weight), then times the class weight
    T v = g.reduction == LossReduction::None ? grad[i * g.out_stride] : *grad;
    if (g.reduction == LossReduction::Mean) v /= total_weight;
    row[t * g.input_stride[1]] = weight != nullptr ? weight[t * g.weight_stride] * -v : -v;
  }
}

}  // namespace tg
