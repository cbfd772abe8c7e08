// The elementwise formulas with parameters: torch.add's alpha, pow's exactly computed exponents,
// clamp's NaN rules, and the backward formulas of threshold (relu) and clamp. Each is a functor
// over T the elementwise loops (elementwise.h) call per element.
#pragma once
#include <cmath>
#include <limits>

#include "elementwise.h"

namespace tg {

// a + alpha * b (sub: a - alpha * b), in T's arithmetic (integers wrap), as torch.add / torch.sub.
template <class T, bool Sub>
struct AddScaled {
  T alpha;
  T operator()(T a, T b) const {
    const T scaled = wmul(alpha, b);
    return Sub ? wsub(a, scaled) : wadd(a, scaled);
  }
};

// Calls apply(f) with f(x) = x^e computed as PyTorch computes these exponents (x*x, x*x*x, sqrt,
// 1/sqrt, 1/x, 1/(x*x)), so that results match it exactly; false for any other exponent.
template <class T, class Apply>
bool pow_special(double e, Apply&& apply) {
  if (e == 2) return apply([](T x) { return x * x; }), true;
  if (e == 3) return apply([](T x) { return x * x * x; }), true;
  if (e == 0.5) return apply([](T x) { return std::sqrt(x); }), true;
  if (e == -0.5) return apply([](T x) { return T(1) / std::sqrt(x); }), true;
  if (e == -1) return apply([](T x) { return T(1) / x; }), true;
  if (e == -2) return apply([](T x) { return T(1) / (x * x); }), true;
  return false;
}

// min(max(x, lo), hi) with the bounds in T (+-inf: none): a NaN element stays NaN, and a NaN
// bound gives NaN everywhere, as in PyTorch (integer tensors never see a NaN bound: they are
// promoted to float first).
template <class T>
struct Clamp {
  T lo, hi;
  bool nan;
  Clamp(double l, double h) : lo(clamp_bound<T>(l)), hi(clamp_bound<T>(h)), nan(std::isnan(l) || std::isnan(h)) {}
  T operator()(T x) const {
    if (nan) {
      if constexpr (is_float_v<T>) return std::numeric_limits<T>::quiet_NaN();
      else return x;
    }
    const T r = x < lo ? lo : x;  // NaN compares false: stays NaN
    return r > hi ? hi : r;
  }
};

// relu's and threshold's backward: 0 where x <= threshold, else g (a NaN x passes the gradient,
// as in PyTorch). Compared in x's dtype, as PyTorch compares.
template <class T>
struct ThresholdBackward {
  T threshold;
  T operator()(T g, T x) const { return x <= threshold ? T(0) : g; }
};

// clamp's backward: g where lo <= x <= hi, else 0 (a NaN x: 0).
template <class T>
struct ClampBackward {
  T lo, hi;
  ClampBackward(double l, double h) : lo(clamp_bound<T>(l)), hi(clamp_bound<T>(h)) {}
  T operator()(T g, T x) const {
    const bool keep = (x >= lo) & (x <= hi);  // no branches: vectorised
    return keep ? g : T(0);
  }
};

}  // namespace tg
