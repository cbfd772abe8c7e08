// Optimizer steps, one pass over a parameter and its state, in the order of PyTorch's
// single-tensor implementations (torch/optim/sgd.py, adam.py, adamw.py). Scalars that PyTorch
// computes as Python floats arrive as doubles and are rounded to the element type where its
// tensor ops would round them.
#pragma once
#include <cmath>
#include <cstdint>

#include "strided.h"

namespace tg {

struct SgdArgs {
  double lr, momentum, dampening, weight_decay;
  bool nesterov, maximize, first;  // first: the momentum buffer is created from this step's d_p
};

// Operands: param, grad, momentum buffer (ignored when momentum is 0).
template <class T>
void sgd_step(Strided<3>& s, const SgdArgs& a) {
  coalesce(s);
  const T lr = T(a.lr), mom = T(a.momentum), keep = T(1 - a.dampening), wd = T(a.weight_decay);
  for_each(s, [&](char** p, const int64_t* st, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      T& param = *reinterpret_cast<T*>(p[0] + i * st[0]);
      T d = *reinterpret_cast<const T*>(p[1] + i * st[1]);
      if (a.maximize) d = -d;
      if (a.weight_decay != 0) d = d + wd * param;
      if (a.momentum != 0) {
        T& buf = *reinterpret_cast<T*>(p[2] + i * st[2]);
        buf = a.first ? d : buf * mom + keep * d;
        d = a.nesterov ? d + mom * buf : buf;
      }
      param = param - lr * d;
    }
  });
}

struct AdamArgs {
  double lr, beta1, beta2, eps, weight_decay;
  double step;  // the step number after this step's increment
  bool amsgrad, maximize, decoupled;  // decoupled: AdamW's weight decay
};

// Operands: param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq (ignored unless amsgrad).
template <class T>
void adam_step(Strided<5>& s, const AdamArgs& a) {
  coalesce(s);
  const double bc1 = 1 - std::pow(a.beta1, a.step), bc2 = 1 - std::pow(a.beta2, a.step);
  const T step_size = T(a.lr / bc1), bc2_sqrt = T(std::sqrt(bc2)), eps = T(a.eps);
  const T w1 = T(1 - a.beta1), beta2 = T(a.beta2), w2 = T(1 - a.beta2), wd = T(a.weight_decay);
  const T shrink = T(1 - a.lr * a.weight_decay);
  for_each(s, [&](char** p, const int64_t* st, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      T& param = *reinterpret_cast<T*>(p[0] + i * st[0]);
      T g = *reinterpret_cast<const T*>(p[1] + i * st[1]);
      T& m = *reinterpret_cast<T*>(p[2] + i * st[2]);
      T& v = *reinterpret_cast<T*>(p[3] + i * st[3]);
      if (a.maximize) g = -g;
      if (a.weight_decay != 0) {
        if (a.decoupled) param = param * shrink;
        else g = g + wd * param;
      }
      m = m + w1 * (g - m);  // lerp toward g by 1 - beta1 (< 0.5: PyTorch's first form)
      v = v * beta2 + w2 * g * g;
      T second = v;
      if (a.amsgrad) {
        T& vmax = *reinterpret_cast<T*>(p[4] + i * st[4]);
        vmax = vmax > v ? vmax : v;
        second = vmax;
      }
      const T denom = std::sqrt(second) / bc2_sqrt + eps;
      param = param - step_size * m / denom;
    }
  });
}

}  // namespace tg
