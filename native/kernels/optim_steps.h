// The adaptive optimizers' steps (torch/optim/rmsprop.py, adagrad.py, adadelta.py, adamax.py,
// nadam.py, radam.py, asgd.py: their single-tensor implementations), one pass over a parameter and
// its state each, in PyTorch's order of operations (see optim.h).
//
// No include guard and no includes, on purpose: optim.h includes this in namespace tg::isa_base,
// and optim_fma.cc again in tg::isa_fma under an AVX2 + FMA target, so that each build's functions
// are its own (the linker can never take one build's copy of an inline function for the other's).
// It needs <cmath>, <type_traits>, <utility>, strided.h and optim.h's argument structs and dense().

// Calls f with one std::integral_constant<bool, b> per bool b, so that a step's branches on its
// options are resolved at compile time and its loop vectorises.
template <class F>
void with_flags(const F& f) {
  f();
}
template <class F, class... Bools>
void with_flags(const F& f, bool b, Bools... rest) {
  if (b) with_flags([&](auto... flags) { f(std::true_type{}, flags...); }, rest...);
  else with_flags([&](auto... flags) { f(std::false_type{}, flags...); }, rest...);
}

// f(param, grad, state...) on one contiguous run: elements passed by reference and f copied (its
// constants captured by value), so that nothing the loop stores can alias what it reads once, and
// the loop vectorises.
template <class F, class... P>
void dense_run(int64_t n, F f, P*... ptrs) {
  for (int64_t i = 0; i < n; ++i) f(ptrs[i]...);
}

template <class T, class F, size_t... K>
void run_row(char** p, const int64_t* st, int64_t n, const F& f, std::index_sequence<K...>) {
  if (dense<T, int(sizeof...(K))>(st)) return dense_run(n, f, reinterpret_cast<T*>(p[K])...);
  for (int64_t i = 0; i < n; ++i) f(*reinterpret_cast<T*>(p[K] + i * st[K])...);
}

// Calls f(param, grad, state...) with every element of the N operands, by reference.
template <class T, int N, class F>
void step_each(Strided<N>& s, const F& f) {
  coalesce(s);
  for_each(s, [&](char** p, const int64_t* st, int64_t n) { run_row<T>(p, st, n, f, std::make_index_sequence<size_t(N)>()); });
}

// torch.lerp with a scalar weight, as its vectorised kernel computes it.
template <class T>
T lerp_fma(T self, T end, T w) {
  return w < T(0.5) ? std::fma(w, end - self, self) : std::fma(w - T(1), end - self, end);
}

// torch.maximum: NaN if either is.
template <class T>
T maximum_nan(T a, T b) {
  return a > b ? a : b > a ? b : a != a ? a : b;
}

// The gradient every step starts from: times sign (-1 to maximize: exact), plus weight_decay *
// param when Decay.
template <bool Decay, class T>
T decayed_grad(T g, T param, T sign, T weight_decay) {
  g = sign * g;
  return Decay ? std::fma(param, weight_decay, g) : g;
}

template <class T>
T sign_of(bool maximize) {
  return maximize ? T(-1) : T(1);
}

// Operands: param, grad, square_avg, grad_avg (centered), momentum_buffer (momentum > 0).
template <class T>
void rmsprop_step(Strided<5>& s, const RmspropArgs& a) {
  const T alpha = T(a.alpha), w = T(1 - a.alpha), eps = T(a.eps), mom = T(a.momentum), neg_lr = T(-a.lr);
  const T sign = sign_of<T>(a.maximize), wd = T(a.weight_decay);
  with_flags([&](auto decay, auto centered, auto momentum) {
    step_each<T>(s, [=](T& param, T& grad, T& sq, T& ga, T& buf) {
      const T g = decayed_grad<decay.value>(grad, param, sign, wd);
      sq = std::fma(w * g, g, sq * alpha);
      T avg;
      if constexpr (centered.value) {
        ga = lerp_fma(ga, g, w);
        avg = std::sqrt(std::fma(-ga, ga, sq));
      } else {
        avg = std::sqrt(sq);
      }
      avg = avg + eps;
      if constexpr (momentum.value) {
        buf = buf * mom + g / avg;
        param = std::fma(buf, neg_lr, param);
      } else {
        param = param + neg_lr * g / avg;
      }
    });
  }, a.weight_decay != 0, a.centered, a.momentum > 0);
}

// Operands: param, grad, sum.
template <class T>
void adagrad_step(Strided<3>& s, const AdagradArgs& a) {
  const T neg_clr = T(-(a.lr / (1 + (a.step - 1) * a.lr_decay))), eps = T(a.eps);
  const T sign = sign_of<T>(a.maximize), wd = T(a.weight_decay);
  with_flags([&](auto decay) {
    step_each<T>(s, [=](T& param, T& grad, T& sum) {
      const T g = decayed_grad<decay.value>(grad, param, sign, wd);
      sum = std::fma(g, g, sum);
      param = param + neg_clr * g / (std::sqrt(sum) + eps);
    });
  }, a.weight_decay != 0);
}

// Operands: param, grad, square_avg, acc_delta.
template <class T>
void adadelta_step(Strided<4>& s, const AdadeltaArgs& a) {
  const T rho = T(a.rho), w = T(1 - a.rho), eps = T(a.eps), neg_lr = T(-a.lr);
  const T sign = sign_of<T>(a.maximize), wd = T(a.weight_decay);
  with_flags([&](auto decay) {
    step_each<T>(s, [=](T& param, T& grad, T& sq, T& acc) {
      const T g = decayed_grad<decay.value>(grad, param, sign, wd);
      sq = std::fma(w * g, g, sq * rho);
      const T std_ = std::sqrt(sq + eps);
      T delta = std::sqrt(acc + eps);
      delta = delta / std_;
      delta = delta * g;
      acc = std::fma(w * delta, delta, acc * rho);
      param = std::fma(delta, neg_lr, param);
    });
  }, a.weight_decay != 0);
}

// Operands: param, grad, exp_avg, exp_inf.
template <class T>
void adamax_step(Strided<4>& s, const AdamaxArgs& a) {
  const T w1 = T(1 - a.beta1), beta2 = T(a.beta2), eps = T(a.eps);
  const T neg_clr = T(-(a.lr / (1 - std::pow(a.beta1, a.step))));
  const T sign = sign_of<T>(a.maximize), wd = T(a.weight_decay);
  with_flags([&](auto decay) {
    step_each<T>(s, [=](T& param, T& grad, T& m, T& inf) {
      const T g = decayed_grad<decay.value>(grad, param, sign, wd);
      m = lerp_fma(m, g, w1);
      inf = maximum_nan(inf * beta2, std::abs(g) + eps);
      param = param + neg_clr * m / inf;
    });
  }, a.weight_decay != 0);
}

// Operands: param, grad, exp_avg, exp_avg_sq.
template <class T>
void nadam_step(Strided<4>& s, const NadamArgs& a) {
  const T w1 = T(1 - a.beta1), beta2 = T(a.beta2), w2 = T(1 - a.beta2), eps = T(a.eps);
  const T bc2 = T(1 - std::pow(a.beta2, a.step)), shrink = T(1 - a.lr * a.weight_decay);
  const T c_grad = T(-a.lr * (1.0 - a.mu) / (1.0 - a.mu_product));
  const T c_avg = T((-a.lr * a.mu_next) / (1.0 - a.mu_product * a.mu_next));
  const T sign = sign_of<T>(a.maximize), wd = T(a.weight_decay);
  with_flags([&](auto coupled, auto decoupled) {
    step_each<T>(s, [=](T& param, T& grad, T& m, T& v) {
      if constexpr (decoupled.value) param = param * shrink;
      const T g = decayed_grad<coupled.value>(grad, param, sign, wd);
      m = lerp_fma(m, g, w1);
      v = std::fma(w2 * g, g, v * beta2);
      const T denom = std::sqrt(v / bc2) + eps;
      param = param + c_grad * g / denom;
      param = param + c_avg * m / denom;
    });
  }, a.weight_decay != 0 && !a.decoupled, a.weight_decay != 0 && a.decoupled);
}

// Operands: param, grad, exp_avg, exp_avg_sq.
template <class T>
void radam_step(Strided<4>& s, const RadamArgs& a) {
  const double bc1 = 1 - std::pow(a.beta1, a.step), bc2 = 1 - std::pow(a.beta2, a.step);
  const double rho_inf = 2 / (1 - a.beta2) - 1;
  const double rho_t = rho_inf - 2 * a.step * std::pow(a.beta2, a.step) / bc2;
  const bool rectify = rho_t > 5.0;
  const double rect = rectify ? std::pow((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t), 0.5) : 0;
  const T w1 = T(1 - a.beta1), beta2 = T(a.beta2), w2 = T(1 - a.beta2), eps = T(a.eps), lr = T(a.lr);
  const T tbc1 = T(bc1), sqrt_bc2 = T(std::pow(bc2, 0.5)), trect = T(rect), shrink = T(1 - a.lr * a.weight_decay);
  const T sign = sign_of<T>(a.maximize), wd = T(a.weight_decay);
  with_flags([&](auto coupled, auto decoupled, auto rectified) {
    step_each<T>(s, [=](T& param, T& grad, T& m, T& v) {
      if constexpr (decoupled.value) param = param * shrink;
      const T g = decayed_grad<coupled.value>(grad, param, sign, wd);
      m = lerp_fma(m, g, w1);
      v = std::fma(w2 * g, g, v * beta2);
      T update = m / tbc1 * lr;
      if constexpr (rectified.value) update = update * ((T(1) / (std::sqrt(v) + eps)) * sqrt_bc2) * trect;
      param = param - update;
    });
  }, a.weight_decay != 0 && !a.decoupled, a.weight_decay != 0 && a.decoupled, rectify);
}

// Operands: param, grad, ax.
template <class T>
void asgd_step(Strided<3>& s, const AsgdArgs& a) {
  const T decay_by = T(1 - a.lambd * a.eta), neg_eta = T(-a.eta), mu = T(a.mu);
  const T sign = sign_of<T>(a.maximize), wd = T(a.weight_decay);
  with_flags([&](auto decay, auto average) {
    step_each<T>(s, [=](T& param, T& grad, T& ax) {
      const T g = decayed_grad<decay.value>(grad, param, sign, wd);
      param = param * decay_by;
      param = std::fma(g, neg_eta, param);
      ax = average.value ? ax + (param - ax) * mu : param;
    });
  }, a.weight_decay != 0, a.mu != 1);
}
