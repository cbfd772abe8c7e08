// Connectionist temporal classification loss: the alpha (forward) and beta (backward) recursions
// over the blank-extended target l' (blank, l1, blank, l2, ..., blank) in log space, as ATen's
// LossCTC.cpp computes them, for one sequence at a time:
//   log_probs [t_max, n, classes] (contiguous), targets int64 (all sequences' labels, flat),
//   lengths [n, 3] int64: (input length, offset of the sequence's labels in targets, target length),
//   nll [n], log_alpha [n, t_max, 2 s_max + 1].
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "parallel.h"
#include "view.h"

namespace tg {

struct CtcGeometry {
  int64_t t_max = 0, n = 0, classes = 0, s_max = 0, blank = 0;
  int64_t width() const { return 2 * s_max + 1; }
};

// Checks every length, offset and label against the operands' sizes, so that no recursion can
// read outside them.
inline CtcGeometry ctc_geometry(const View& log_probs, const View& targets, const View& lengths, const View& log_alpha,
                                int64_t blank) {
  if (log_probs.ndim != 3 || !log_probs.contiguous()) raise(ErrorKind::Shape, "ctc_loss: log_probs must be a contiguous [T, N, C] tensor, got " + shape_str(log_probs));
  CtcGeometry g;
  g.t_max = log_probs.shape[0];
  g.n = log_probs.shape[1];
  g.classes = log_probs.shape[2];
  g.blank = blank;
  if (blank < 0 || blank >= g.classes) raise(ErrorKind::Range, "ctc_loss: blank must be in label range");
  if (lengths.ndim != 2 || lengths.shape[0] != g.n || lengths.shape[1] != 3 || !lengths.contiguous())
    raise(ErrorKind::Shape, "ctc_loss: lengths must be a contiguous [N, 3] tensor, got " + shape_str(lengths));
  if (log_alpha.ndim != 3 || log_alpha.shape[0] != g.n || log_alpha.shape[1] != g.t_max || log_alpha.shape[2] % 2 != 1 || !log_alpha.contiguous())
    raise(ErrorKind::Shape, "ctc_loss: log_alpha must be a contiguous [N, T, 2 S + 1] tensor, got " + shape_str(log_alpha));
  if (!targets.contiguous()) raise(ErrorKind::Shape, "ctc_loss: targets must be contiguous");
  g.s_max = (log_alpha.shape[2] - 1) / 2;
  const int64_t* len = lengths.ptr<const int64_t>();
  const int64_t* tg = targets.ptr<const int64_t>();
  for (int64_t b = 0; b < g.n; ++b) {
    const int64_t in = len[3 * b], off = len[3 * b + 1], tl = len[3 * b + 2];
    if (in < 0 || in > g.t_max) raise(ErrorKind::Range, "ctc_loss: input length " + std::to_string(in) + " is outside [0, " + std::to_string(g.t_max) + "]");
    if (tl < 0 || tl > g.s_max || off < 0 || off + tl > targets.numel())
      raise(ErrorKind::Range, "ctc_loss: target length " + std::to_string(tl) + " at offset " + std::to_string(off) + " does not fit the targets");
    for (int64_t s = 0; s < tl; ++s) {
      if (tg[off + s] < 0 || tg[off + s] >= g.classes)
        raise(ErrorKind::Index, "ctc_loss: target " + std::to_string(tg[off + s]) + " is out of bounds for " + std::to_string(g.classes) + " classes");
    }
  }
  return g;
}

// log(exp(a) + exp(b) + exp(c)), with -inf terms allowed (ATen's order of operations).
template <class T>
inline T log_add3(T a, T b, T c) {
  constexpr T neginf = -std::numeric_limits<T>::infinity();
  T m = std::max(a, std::max(b, c));
  if (m == neginf) m = 0;
  return std::log(std::exp(a - m) + std::exp(b - m) + std::exp(c - m)) + m;
}

// The label of position s of the extended target: blank at even s, label s / 2 at odd s.
inline int64_t ctc_label(const int64_t* labels, int64_t s, int64_t blank) { return s % 2 == 0 ? blank : labels[s / 2]; }

template <class T>
void ctc_loss_forward(const CtcGeometry& g, const T* lp, const int64_t* targets, const int64_t* lengths, T* nll, T* log_alpha) {
  constexpr T neginf = -std::numeric_limits<T>::infinity();
  const int64_t w = g.width(), lp_t = g.n * g.classes;
  parallel_for(g.n, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t in = lengths[3 * b], tl = lengths[3 * b + 2];
      const int64_t* labels = targets + lengths[3 * b + 1];
      const T* lpb = lp + b * g.classes;
      T* la = log_alpha + b * g.t_max * w;
      std::fill(la, la + g.t_max * w, neginf);
      if (in == 0) {
        nll[b] = tl == 0 ? T(0) : std::numeric_limits<T>::infinity();
        continue;
      }
      la[0] = lpb[g.blank];
      if (tl > 0) la[1] = lpb[labels[0]];
      for (int64_t t = 1; t < in; ++t) {
        const T* prev = la + (t - 1) * w;
        T* cur = la + t * w;
        for (int64_t s = 0; s < 2 * tl + 1; ++s) {
          const int64_t label = ctc_label(labels, s, g.blank);
          const T a2 = s > 0 ? prev[s - 1] : neginf;
          const T a3 = s > 1 && ctc_label(labels, s - 2, g.blank) != label ? prev[s - 2] : neginf;
          cur[s] = log_add3(prev[s], a2, a3) + lpb[t * lp_t + label];
        }
      }
      const T* last = la + (in - 1) * w;
      nll[b] = -log_add3(last[2 * tl], tl > 0 ? last[2 * tl - 1] : neginf, neginf);
    }
  });
}

// grad [t_max, n, classes] = (exp(lp) - exp(log(sum over s with l'(s) = c of alpha beta) + nll - lp)) g[b],
// zero past each input length, and zero for the whole sequence when zero_infinity and nll is inf.
template <class T>
void ctc_loss_backward(const CtcGeometry& g, const T* gout, const T* lp, const int64_t* targets, const int64_t* lengths,
                       const T* nll, const T* log_alpha, bool zero_infinity, T* grad) {
  constexpr T neginf = -std::numeric_limits<T>::infinity();
  const int64_t w = g.width(), lp_t = g.n * g.classes;
  parallel_for(g.n, 1, [&](int64_t b0, int64_t b1) {
    std::vector<T> beta(size_t(g.t_max * w));
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t in = lengths[3 * b], tl = lengths[3 * b + 2];
      const int64_t* labels = targets + lengths[3 * b + 1];
      const T* lpb = lp + b * g.classes;
      const T* la = log_alpha + b * g.t_max * w;
      T* gb = grad + b * g.classes;
      if (zero_infinity && nll[b] == std::numeric_limits<T>::infinity()) {
        for (int64_t t = 0; t < g.t_max; ++t) std::fill(gb + t * lp_t, gb + t * lp_t + g.classes, T(0));
        continue;
      }
      for (int64_t t = 0; t < in; ++t) std::fill(gb + t * lp_t, gb + t * lp_t + g.classes, neginf);  // collected alpha beta
      std::fill(beta.begin(), beta.end(), neginf);
      if (in > 0) {
        T* lb = beta.data() + (in - 1) * w;
        const T* lat = la + (in - 1) * w;
        T* gt = gb + (in - 1) * lp_t;
        lb[2 * tl] = lpb[(in - 1) * lp_t + g.blank];
        gt[g.blank] = lat[2 * tl] + lb[2 * tl];
        if (tl > 0) {
          const int64_t label = labels[tl - 1];
          lb[2 * tl - 1] = lpb[(in - 1) * lp_t + label];
          gt[label] = lat[2 * tl - 1] + lb[2 * tl - 1];
        }
      }
      for (int64_t t = in - 2; t >= 0; --t) {
        const T* next = beta.data() + (t + 1) * w;
        T* cur = beta.data() + t * w;
        const T* lat = la + t * w;
        T* gt = gb + t * lp_t;
        for (int64_t s = 2 * tl; s >= 0; --s) {
          const int64_t label = ctc_label(labels, s, g.blank);
          const T b2 = s < 2 * tl ? next[s + 1] : neginf;
          const T b3 = s < 2 * tl - 1 && ctc_label(labels, s + 2, g.blank) != label ? next[s + 2] : neginf;
          cur[s] = log_add3(next[s], b2, b3) + lpb[t * lp_t + label];
          const T ab = lat[s] + cur[s];
          T& acc = gt[label];
          if (acc == neginf) {
            acc = ab;
          } else {
            const T m = std::max(acc, ab);
            acc = std::log(std::exp(acc - m) + std::exp(ab - m)) + m;
          }
        }
      }
      const T gr = gout[b], loss = nll[b];
      for (int64_t t = 0; t < g.t_max; ++t) {
        T* gt = gb + t * lp_t;
        for (int64_t c = 0; c < g.classes; ++c) {
          gt[c] = t < in ? (std::exp(lpb[t * lp_t + c]) - std::exp(gt[c] + loss - lpb[t * lp_t + c])) * gr : T(0);
        }
      }
    }
  });
}

}  // namespace tg
