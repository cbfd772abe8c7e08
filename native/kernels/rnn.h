// Recurrent layers (Elman RNN with tanh or relu, LSTM, GRU): one direction of one layer over a whole
// sequence, forward and backward, each in one call. As cuDNN and PyTorch do, the input projection of
// every step is one large product up front (and its gradients one product each at the end of the
// backward); only the recurrent product h W_hh^T and the gate arithmetic run step by step.
//
// Gates in PyTorch's order: LSTM i, f, g, o (c' = f c + i g, h' = o tanh(c')); GRU r, z, n with
// n = tanh(W_in x + b_in + r (W_hn h + b_hn)) and h' = n + z (h - n).
//
// Layouts (all contiguous, row-major): x [T, B, I]; h0, c0 [B, H]; w_ih [G, I], w_hh [G, H] with
// G = gates * H; y [T, B, H] of every step's h, by time index (a reverse layer runs t = T-1 .. 0),
// followed for LSTM by the final c ([T + 1, B, H]). The workspace ws [T, B, W] keeps what the
// backward needs per step: LSTM the activated i, f, g, o, c and tanh(c) (W = 6H); GRU r, z, n and
// W_hn h + b_hn (W = 4H); RNN the pre-activation (W = H).
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "gemm.h"
#include "parallel.h"
#include "vmath.h"

namespace tg {

enum class RnnMode : int { Tanh = 0, Relu = 1, Lstm = 2, Gru = 3 };

inline int64_t rnn_gates(RnnMode m) { return m == RnnMode::Lstm ? 4 : m == RnnMode::Gru ? 3 : 1; }
inline int64_t rnn_ws_width(RnnMode m, int64_t h) { return m == RnnMode::Lstm ? 6 * h : m == RnnMode::Gru ? 4 * h : h; }

struct RnnDims {
  int64_t steps = 0, batch = 0, input = 0, hidden = 0;
  RnnMode mode = RnnMode::Tanh;
  bool reverse = false;
  int64_t gates() const { return rnn_gates(mode) * hidden; }
  int64_t width() const { return rnn_ws_width(mode, hidden); }
  // the time index of step s, and of the step before it
  int64_t time(int64_t s) const { return reverse ? steps - 1 - s : s; }
  int64_t before(int64_t t) const { return reverse ? t + 1 : t - 1; }
};

template <class T>
struct RnnForwardArgs {
  const T *x, *h0, *c0, *w_ih, *w_hh, *b_ih, *b_hh;  // c0 for LSTM only; biases may be null
  T *y, *ws;
};

template <class T>
struct RnnBackwardArgs {
  const T *dy, *y, *ws, *x, *h0, *c0, *w_ih, *w_hh;
  T *dx, *dh0, *dc0, *dw_ih, *dw_hh, *db_ih, *db_hh;  // null where not wanted
};

// c = op(a) op(b) + beta c, row-major; nothing to do for an empty product.
template <class T>
void rnn_mm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c,
            int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == T(0) ? T(0) : c[i * ldc + j] * beta;
    return;
  }
  GemmArgs g;
  g.trans_a = ta, g.trans_b = tb, g.m = m, g.n = n, g.k = k, g.lda = lda, g.ldb = ldb, g.ldc = ldc;
  gemm<T>(g, T(1), a, b, beta, c);
}

// Rows of one step's pointwise work per task: threads pay off only for large batches.
inline int64_t rnn_grain(int64_t gates) { return std::max<int64_t>(1, 16384 / std::max<int64_t>(gates, 1)); }

// One batch row of a step's gate arithmetic, forward. g: the row's workspace (pre-activations in),
// q: GRU's W_hh h + b_hh, hp/cp: the previous h and c, h: the new h.
template <class T>
void rnn_cell_row(RnnMode mode, int64_t H, T* g, const T* q, const T* hp, const T* cp, T* h) {
  switch (mode) {
    case RnnMode::Tanh:
      vtanh_row(h, g, H);
      break;
    case RnnMode::Relu:
      for (int64_t j = 0; j < H; ++j) h[j] = g[j] < T(0) ? T(0) : g[j];
      break;
    case RnnMode::Lstm: {
      vsigmoid_row(g, g, 2 * H);
      vtanh_row(g + 2 * H, g + 2 * H, H);
      vsigmoid_row(g + 3 * H, g + 3 * H, H);
      T* c = g + 4 * H;
      T* tc = g + 5 * H;
      for (int64_t j = 0; j < H; ++j) c[j] = g[H + j] * cp[j] + g[j] * g[2 * H + j];
      vtanh_row(tc, c, H);
      for (int64_t j = 0; j < H; ++j) h[j] = g[3 * H + j] * tc[j];
      break;
    }
    case RnnMode::Gru: {
      for (int64_t j = 0; j < 2 * H; ++j) g[j] += q[j];
      vsigmoid_row(g, g, 2 * H);
      T* n = g + 2 * H;
      T* hn = g + 3 * H;
      for (int64_t j = 0; j < H; ++j) {
        hn[j] = q[2 * H + j];
        n[j] += g[j] * hn[j];
      }
      vtanh_row(n, n, H);
      for (int64_t j = 0; j < H; ++j) h[j] = n[j] + g[H + j] * (hp[j] - n[j]);
      break;
    }
  }
}

template <class T>
void rnn_forward(const RnnDims& d, const RnnForwardArgs<T>& a) {
  const int64_t B = d.batch, H = d.hidden, G = d.gates(), W = d.width(), rows = d.steps * B;
  const bool gru = d.mode == RnnMode::Gru;
  rnn_mm<T>(false, true, rows, G, d.input, a.x, d.input, a.w_ih, d.input, T(0), a.ws, W);
  if (a.b_ih != nullptr) {
    // GRU keeps b_hh with W_hh h (r multiplies it); the others add both biases here
    std::vector<T> bias(a.b_ih, a.b_ih + G);
    if (!gru)
      for (int64_t j = 0; j < G; ++j) bias[size_t(j)] += a.b_hh[j];
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < G; ++j) a.ws[r * W + j] += bias[size_t(j)];
  }
  std::vector<T> q(gru ? size_t(B * G) : 0);
  // W_hh^T, row-major [H, G]: the step products then read it in place, where a transposed operand
  // would be copied into panels at every step
  std::vector<T> w_hh_t(size_t(H * G));
  for (int64_t g = 0; g < G; ++g)
    for (int64_t j = 0; j < H; ++j) w_hh_t[size_t(j * G + g)] = a.w_hh[g * H + j];
  for (int64_t s = 0; s < d.steps; ++s) {
    const int64_t t = d.time(s), tp = d.before(t);
    const T* hprev = s == 0 ? a.h0 : a.y + tp * B * H;
    T* wt = a.ws + t * B * W;
    if (gru) {
      for (int64_t b = 0; b < B; ++b)
        for (int64_t j = 0; j < G; ++j) q[size_t(b * G + j)] = a.b_hh != nullptr ? a.b_hh[j] : T(0);
      rnn_mm<T>(false, false, B, G, H, hprev, H, w_hh_t.data(), G, T(1), q.data(), G);
    } else {
      rnn_mm<T>(false, false, B, G, H, hprev, H, w_hh_t.data(), G, T(1), wt, W);
    }
    parallel_for(B, rnn_grain(G), [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) {
        const T* cp = d.mode != RnnMode::Lstm ? nullptr : s == 0 ? a.c0 + b * H : a.ws + (tp * B + b) * W + 4 * H;
        rnn_cell_row<T>(d.mode, H, wt + b * W, gru ? q.data() + b * G : nullptr, hprev + b * H, cp, a.y + (t * B + b) * H);
      }
    });
  }
  if (d.mode == RnnMode::Lstm) {
    const int64_t last = d.time(d.steps - 1);
    for (int64_t b = 0; b < B; ++b) std::memcpy(a.y + (d.steps * B + b) * H, a.ws + (last * B + b) * W + 4 * H, size_t(H) * sizeof(T));
  }
}

// One batch row of a step's gate arithmetic, backward: dh (the gradient reaching this step's h,
// from the output and the next step) in; dgx and dgh (the gradients of the input and recurrent
// pre-activations; the same row but for GRU) out; dc (LSTM) carried through; for GRU, dh_direct
// gets dh z, the part of the previous h's gradient that skips W_hh.
template <class T>
void rnn_cell_backward_row(RnnMode mode, int64_t H, const T* g, const T* h, const T* hp, const T* cp, const T* dh, T* dc, T* dgx,
                           T* dgh, T* dh_direct) {
  switch (mode) {
    case RnnMode::Tanh:
      for (int64_t j = 0; j < H; ++j) dgx[j] = dh[j] * (T(1) - h[j] * h[j]);
      break;
    case RnnMode::Relu:
      for (int64_t j = 0; j < H; ++j) dgx[j] = h[j] > T(0) ? dh[j] : T(0);
      break;
    case RnnMode::Lstm: {
      const T *i = g, *f = g + H, *gg = g + 2 * H, *o = g + 3 * H, *tc = g + 5 * H;
      for (int64_t j = 0; j < H; ++j) {
        const T dcj = dc[j] + dh[j] * o[j] * (T(1) - tc[j] * tc[j]);
        dgx[j] = dcj * gg[j] * i[j] * (T(1) - i[j]);
        dgx[H + j] = dcj * cp[j] * f[j] * (T(1) - f[j]);
        dgx[2 * H + j] = dcj * i[j] * (T(1) - gg[j] * gg[j]);
        dgx[3 * H + j] = dh[j] * tc[j] * o[j] * (T(1) - o[j]);
        dc[j] = dcj * f[j];
      }
      break;
    }
    case RnnMode::Gru: {
      const T *r = g, *z = g + H, *n = g + 2 * H, *hn = g + 3 * H;
      for (int64_t j = 0; j < H; ++j) {
        const T dn = dh[j] * (T(1) - z[j]) * (T(1) - n[j] * n[j]);
        const T dr = dn * hn[j] * r[j] * (T(1) - r[j]);
        const T dz = dh[j] * (hp[j] - n[j]) * z[j] * (T(1) - z[j]);
        dgx[j] = dgh[j] = dr;
        dgx[H + j] = dgh[H + j] = dz;
        dgx[2 * H + j] = dn;
        dgh[2 * H + j] = dn * r[j];
        dh_direct[j] = dh[j] * z[j];
      }
      break;
    }
  }
}

// Column sums of a [rows, n] matrix into out.
template <class T>
void rnn_colsum(const T* a, int64_t rows, int64_t n, T* out) {
  std::fill(out, out + n, T(0));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < n; ++j) out[j] += a[r * n + j];
}

template <class T>
void rnn_backward(const RnnDims& d, const RnnBackwardArgs<T>& a) {
  const int64_t B = d.batch, H = d.hidden, G = d.gates(), W = d.width(), I = d.input, rows = d.steps * B;
  const RnnMode mode = d.mode;
  const bool gru = mode == RnnMode::Gru, lstm = mode == RnnMode::Lstm;
  std::vector<T> dgx(size_t(rows * G)), dgh_own(gru ? size_t(rows * G) : 0), dh(size_t(B * H), T(0)), dhs(size_t(B * H));
  std::vector<T> dc(lstm ? size_t(B * H) : 0);
  T* dgh = gru ? dgh_own.data() : dgx.data();
  if (lstm) std::memcpy(dc.data(), a.dy + d.steps * B * H, size_t(B * H) * sizeof(T));
  for (int64_t s = d.steps - 1; s >= 0; --s) {
    const int64_t t = d.time(s), tp = d.before(t);
    const T* hprev = s == 0 ? a.h0 : a.y + tp * B * H;
    parallel_for(B, rnn_grain(G), [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) {
        const int64_t row = t * B + b;
        T* dhb = dhs.data() + b * H;
        for (int64_t j = 0; j < H; ++j) dhb[j] = a.dy[row * H + j] + dh[size_t(b * H + j)];
        const T* cp = !lstm ? nullptr : s == 0 ? a.c0 + b * H : a.ws + (tp * B + b) * W + 4 * H;
        rnn_cell_backward_row<T>(mode, H, a.ws + row * W, a.y + row * H, hprev + b * H, cp, dhb, lstm ? dc.data() + b * H : nullptr,
                                 dgx.data() + row * G, dgh + row * G, dh.data() + b * H);
      }
    });
    // the previous h's gradient through W_hh (added to GRU's direct part)
    rnn_mm<T>(false, false, B, H, G, dgh + t * B * G, G, a.w_hh, H, gru ? T(1) : T(0), dh.data(), H);
  }
  if (a.dh0 != nullptr) std::memcpy(a.dh0, dh.data(), size_t(B * H) * sizeof(T));
  if (a.dc0 != nullptr) std::memcpy(a.dc0, dc.data(), size_t(B * H) * sizeof(T));
  if (a.dx != nullptr) rnn_mm<T>(false, false, rows, I, G, dgx.data(), G, a.w_ih, I, T(0), a.dx, I);
  if (a.dw_ih != nullptr) rnn_mm<T>(true, false, G, I, rows, dgx.data(), G, a.x, I, T(0), a.dw_ih, I);
  if (a.dw_hh != nullptr) {
    // step t's previous h is h0 for the first step, else y at the time index before it
    const int64_t first = d.time(0);
    rnn_mm<T>(true, false, G, H, B, dgh + first * B * G, G, a.h0, H, T(0), a.dw_hh, H);
    const int64_t rest = (d.steps - 1) * B;
    if (d.reverse)
      rnn_mm<T>(true, false, G, H, rest, dgh, G, a.y + B * H, H, T(1), a.dw_hh, H);
    else
      rnn_mm<T>(true, false, G, H, rest, dgh + B * G, G, a.y, H, T(1), a.dw_hh, H);
  }
  if (a.db_ih != nullptr) rnn_colsum(dgx.data(), rows, G, a.db_ih);
  if (a.db_hh != nullptr) rnn_colsum(dgh, rows, G, a.db_hh);
}

}  // namespace tg
