// Optimizer steps, one pass over a parameter and its state, in the order of PyTorch's
// single-tensor implementations (torch/optim/sgd.py, adam.py, adamw.py, rmsprop.py, ...). Scalars
// that PyTorch computes as Python floats arrive as doubles (or are computed here, with the same C
// library's pow) and are rounded to the element type where its tensor ops would round them.
//
// The adaptive optimizers' steps (optim_steps.h) also fuse where PyTorch's vectorised CPU kernels
// fuse: add with alpha, addcmul and lerp are one fused multiply-add there (std::fma here), addcdiv
// is (value * t1) / t2, a scalar divided by a tensor is the tensor's reciprocal times the scalar;
// so a float32 step rounds as PyTorch's does on a CPU with FMA.
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "strided.h"

namespace tg {

struct SgdArgs {
  double lr, momentum, dampening, weight_decay;
  bool nesterov, maximize, first;  // first: the momentum buffer is created from this step's d_p
};

// True when every operand of a run steps by one element: the loop can use plain pointers.
template <class T, int N>
bool dense(const int64_t* st) {
  for (int k = 0; k < N; ++k)
    if (st[k] != int64_t(sizeof(T))) return false;
  return true;
}

// sgd_step over contiguous runs, the flags hoisted out of the loop so that it vectorises. The
// arithmetic is the strided loop's, with maximize's negation as an (exact) multiply by -1.
template <class T>
void sgd_dense(T* __restrict param, const T* __restrict grad, T* __restrict buf, int64_t n, const SgdArgs& a) {
  const T lr = T(a.lr), mom = T(a.momentum), keep = T(1 - a.dampening), wd = T(a.weight_decay);
  const T sign = a.maximize ? T(-1) : T(1);
  const bool decay = a.weight_decay != 0;
  if (a.momentum == 0) {
    if (decay) {
      for (int64_t i = 0; i < n; ++i) param[i] = param[i] - lr * (sign * grad[i] + wd * param[i]);
    } else {
      for (int64_t i = 0; i < n; ++i) param[i] = param[i] - lr * (sign * grad[i]);
    }
    return;
  }
  const bool first = a.first, nesterov = a.nesterov;
  for (int64_t i = 0; i < n; ++i) {
    T d = sign * grad[i];
    if (decay) d = d + wd * param[i];
    const T b = first ? d : buf[i] * mom + keep * d;
    buf[i] = b;
    param[i] = param[i] - lr * (nesterov ? d + mom * b : b);
  }
}

// Operands: param, grad, momentum buffer (ignored when momentum is 0).
template <class T>
void sgd_step(Strided<3>& s, const SgdArgs& a) {
  coalesce(s);
  const T lr = T(a.lr), mom = T(a.momentum), keep = T(1 - a.dampening), wd = T(a.weight_decay);
  for_each(s, [&](char** p, const int64_t* st, int64_t n) {
    if (dense<T, 3>(st)) {
      sgd_dense(reinterpret_cast<T*>(p[0]), reinterpret_cast<const T*>(p[1]), reinterpret_cast<T*>(p[2]), n, a);
      return;
    }
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

// adam_step's constants, rounded to the element type as PyTorch's tensor ops round them.
template <class T>
struct AdamConsts {
  T step_size, bc2_sqrt, eps, w1, beta2, w2, wd, shrink;
  explicit AdamConsts(const AdamArgs& a) {
    const double bc1 = 1 - std::pow(a.beta1, a.step), bc2 = 1 - std::pow(a.beta2, a.step);
    step_size = T(a.lr / bc1), bc2_sqrt = T(std::sqrt(bc2)), eps = T(a.eps);
    w1 = T(1 - a.beta1), beta2 = T(a.beta2), w2 = T(1 - a.beta2), wd = T(a.weight_decay);
    shrink = T(1 - a.lr * a.weight_decay);
  }
};

// adam_step over contiguous runs without amsgrad; the weight decay form is a template argument
// so that the loop has no branches and vectorises.
template <class T, bool Coupled, bool Decoupled>
void adam_run(T* __restrict param, const T* __restrict grad, T* __restrict m, T* __restrict v, int64_t n, T sign,
              const AdamConsts<T>& c) {
  for (int64_t i = 0; i < n; ++i) {
    T g = sign * grad[i];
    T x = param[i];
    if (Decoupled) x = x * c.shrink;
    if (Coupled) g = g + c.wd * x;
    const T mi = m[i] + c.w1 * (g - m[i]);
    const T vi = v[i] * c.beta2 + c.w2 * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] = x - c.step_size * mi / (std::sqrt(vi) / c.bc2_sqrt + c.eps);
  }
}

template <class T>
void adam_dense(T* param, const T* grad, T* m, T* v, int64_t n, const AdamArgs& a, const AdamConsts<T>& c) {
  const T sign = a.maximize ? T(-1) : T(1);
  if (a.weight_decay == 0) adam_run<T, false, false>(param, grad, m, v, n, sign, c);
  else if (a.decoupled) adam_run<T, false, true>(param, grad, m, v, n, sign, c);
  else adam_run<T, true, false>(param, grad, m, v, n, sign, c);
}

// Operands: param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq (ignored unless amsgrad).
template <class T>
void adam_step(Strided<5>& s, const AdamArgs& a) {
  coalesce(s);
  const AdamConsts<T> c(a);
  const T step_size = c.step_size, bc2_sqrt = c.bc2_sqrt, eps = c.eps, w1 = c.w1, beta2 = c.beta2, w2 = c.w2;
  const T wd = c.wd, shrink = c.shrink;
  for_each(s, [&](char** p, const int64_t* st, int64_t n) {
    if (!a.amsgrad && dense<T, 4>(st)) {
      adam_dense(reinterpret_cast<T*>(p[0]), reinterpret_cast<const T*>(p[1]), reinterpret_cast<T*>(p[2]),
                 reinterpret_cast<T*>(p[3]), n, a, c);
      return;
    }
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

// ---- the adaptive optimizers (optim_steps.h) ------------------------------------------------------

struct RmspropArgs {
  double lr, alpha, eps, weight_decay, momentum;
  bool centered, maximize;
};

struct AdagradArgs {
  double lr, lr_decay, eps, weight_decay, step;  // step: after this step's increment
  bool maximize;
};

struct AdadeltaArgs {
  double lr, rho, eps, weight_decay;
  bool maximize;
};

struct AdamaxArgs {
  double lr, beta1, beta2, eps, weight_decay, step;
  bool maximize;
};

struct NadamArgs {
  double lr, beta1, beta2, eps, weight_decay, step;
  double mu, mu_next, mu_product;  // mu_product: after this step's update
  bool decoupled, maximize;
};

struct RadamArgs {
  double lr, beta1, beta2, eps, weight_decay, step;
  bool decoupled, maximize;
};

struct AsgdArgs {
  double eta, lambd, mu, weight_decay;  // eta and mu: the state's, as stored
  bool maximize;
};

// The steps for every CPU (std::fma a library call where the compiler may not assume FMA), in a
// namespace of their own as optim_fma.cc's build is in its own.
namespace isa_base {
#include "optim_steps.h"  // NOLINT(bugprone-suspicious-include): templates meant for this namespace
}  // namespace isa_base
using isa_base::adadelta_step;
using isa_base::adagrad_step;
using isa_base::adamax_step;
using isa_base::asgd_step;
using isa_base::decayed_grad;
using isa_base::lerp_fma;
using isa_base::maximum_nan;
using isa_base::nadam_step;
using isa_base::radam_step;
using isa_base::rmsprop_step;

// The same steps compiled for AVX2 with FMA (optim_fma.cc), where fma is one instruction and the
// loops vectorise: the same results, faster. optim_fma() says whether this CPU runs them (false
// where they were not compiled in: then the *_fma functions run the steps above).
bool optim_fma();
template <class T> void rmsprop_step_fma(Strided<5>& s, const RmspropArgs& a);
template <class T> void adagrad_step_fma(Strided<3>& s, const AdagradArgs& a);
template <class T> void adadelta_step_fma(Strided<4>& s, const AdadeltaArgs& a);
template <class T> void adamax_step_fma(Strided<4>& s, const AdamaxArgs& a);
template <class T> void nadam_step_fma(Strided<4>& s, const NadamArgs& a);
template <class T> void radam_step_fma(Strided<4>& s, const RadamArgs& a);
template <class T> void asgd_step_fma(Strided<3>& s, const AsgdArgs& a);

}  // namespace tg
