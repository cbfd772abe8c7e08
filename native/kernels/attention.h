// Scaled dot-product attention, forward and backward, one call each over every batch item (every
// batch x head): per item and block of query rows, S = scale * Q K^T (gemm), the mask (bool: false
// drops a key; float: added) and the causal limit (key j visible from query i when j <= i, upper-left
// aligned as PyTorch's reference), a row softmax whose log-sum-exp is kept, the dropout factors
// (0 or 1 / (1 - p), drawn by the caller), then O = P V (gemm). The backward recomputes P from Q, K
// and the log-sum-exp, so nothing of size L x S outlives a call:
//   dV = Pd^T dO,  dPd = dO V^T,  D_i = sum_j Pd_ij dPd_ij,  dS = P (drop dPd - D),
//   dQ = scale dS K,  dK = scale dS^T Q.
// A row with no visible key gives zeros and a zero gradient (PyTorch's safe softmax), with a
// log-sum-exp of -inf.
//
// Operands are [..., rows, cols] views sharing out's batch dims (the caller expands broadcast ones,
// stride 0); matrices that are neither row- nor column-major are packed per item.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "gemm.h"
#include "matmul.h"
#include "parallel.h"
#include "view.h"

namespace tg {

// The mask and dropout factors of a block of rows: at the block's first row, with row and column
// strides in elements. bools (true: attend) or adds (added to the scores), or neither.
template <class T>
struct AttentionMasks {
  const uint8_t* bools = nullptr;
  const T* adds = nullptr;
  int64_t mrs = 0, mcs = 0;
  const T* drop = nullptr;
  int64_t drs = 0, dcs = 0;
  bool causal = false;
  int64_t row0 = 0;  // the block's first query row (for the causal limit)
};

// attention.cc, per instruction set. Forward: s (rows x cols, contiguous) holds the scaled scores;
// it becomes the attention weights after dropout, and lse[i] each row's log-sum-exp.
void attention_softmax_rows(float* s, int64_t rows, int64_t cols, const AttentionMasks<float>& m, float* lse);
void attention_softmax_rows(double* s, int64_t rows, int64_t cols, const AttentionMasks<double>& m, double* lse);
// Backward: s holds the scaled scores again and dp = dO V^T; s becomes Pd (the weights after
// dropout) and dp becomes dS.
void attention_grad_rows(float* s, float* dp, int64_t rows, int64_t cols, const AttentionMasks<float>& m, const float* lse);
void attention_grad_rows(double* s, double* dp, int64_t rows, int64_t cols, const AttentionMasks<double>& m, const double* lse);

// One operand's matrix of batch item b: its offset (elements) and row and column strides.
struct AttentionOperand {
  const View* v = nullptr;
  int64_t rs = 0, cs = 0;
  int64_t offset(const View& out, int64_t b) const {
    int64_t off = 0;
    for (int d = out.ndim - 3; d >= 0; --d) {
      off += (b % out.shape[d]) * v->strides[d];
      b /= out.shape[d];
    }
    return off;
  }
};

struct AttentionGeometry {
  int64_t batch = 0, l = 0, s = 0, e = 0, ev = 0;
  // q, k, v, out, lse, mask, drop, dout, dq, dk, dv
  enum { Q, K, V, Out, Lse, Mask, Drop, DOut, DQ, DK, DV, Count };
  AttentionOperand op[Count];
  const View* out = nullptr;  // whose batch dims the others share
};

// Checks operand `k` (null: absent) is [batch..., rows, cols] (cols < 0: [batch..., rows]).
inline void attention_operand(AttentionGeometry& g, int k, const View* v, int64_t rows, int64_t cols, const char* name) {
  if (v == nullptr) return;
  const View& out = *g.out;
  const int nd = out.ndim - 2 + (cols < 0 ? 1 : 2);
  bool ok = v->ndim == nd && v->size(out.ndim - 2) == rows && (cols < 0 || v->size(-1) == cols);
  for (int d = 0; ok && d < out.ndim - 2; ++d) ok = v->shape[d] == out.shape[d];
  if (!ok) raise(ErrorKind::Shape, std::string("scaled_dot_product_attention: ") + name + " of shape " + shape_str(*v) + " does not fit the output " + shape_str(out));
  g.op[k].v = v;
  g.op[k].rs = v->strides[out.ndim - 2];
  g.op[k].cs = cols < 0 ? 0 : v->strides[out.ndim - 1];
}

// The geometry of q [..., L, E], k [..., S, E], v [..., S, Ev] and out [..., L, Ev] (views of one ndim).
inline AttentionGeometry attention_geometry(const View& q, const View& k, const View& v, const View& out) {
  if (out.ndim < 2 || q.ndim != out.ndim || k.ndim != out.ndim || v.ndim != out.ndim)
    raise(ErrorKind::Shape, "scaled_dot_product_attention: q, k, v and out need the same number of dims, at least 2");
  AttentionGeometry g;
  g.out = &out;
  g.l = q.size(-2), g.e = q.size(-1), g.s = k.size(-2), g.ev = v.size(-1);
  g.batch = 1;
  for (int d = 0; d < out.ndim - 2; ++d) g.batch *= out.shape[d];
  attention_operand(g, AttentionGeometry::Q, &q, g.l, g.e, "q");
  attention_operand(g, AttentionGeometry::K, &k, g.s, g.e, "k");
  attention_operand(g, AttentionGeometry::V, &v, g.s, g.ev, "v");
  attention_operand(g, AttentionGeometry::Out, &out, g.l, g.ev, "out");
  return g;
}

// A matrix for gemm: the pointer and its layout, packed into buf when it has neither.
template <class T>
const T* attention_matrix(const T* p, int64_t rows, int64_t cols, int64_t rs, int64_t cs, bool* trans, int64_t* ld, std::vector<T>& buf) {
  if (matrix_layout(rows, cols, rs, cs, trans, ld)) return p;
  *trans = false;
  *ld = std::max<int64_t>(1, cols);
  return pack_matrix(p, rows, cols, rs, cs, buf);
}

// c (m x n, row stride ldc) = alpha * a (m x k) b (k x n) + beta c, each of a and b given by its
// strides (ra, ca) and (rb, cb).
template <class T>
void attention_mm(int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t ra, int64_t ca, const T* b, int64_t rb, int64_t cb,
                  T beta, T* c, int64_t ldc, std::vector<T>& pa, std::vector<T>& pb) {
  if (m == 0 || n == 0) return;
  GemmArgs g;
  g.m = m, g.n = n, g.k = k;
  g.ldc = std::max<int64_t>(ldc, std::max<int64_t>(1, n));
  a = attention_matrix(a, m, k, ra, ca, &g.trans_a, &g.lda, pa);
  b = attention_matrix(b, k, n, rb, cb, &g.trans_b, &g.ldb, pb);
  gemm<T>(g, alpha, a, b, beta, c);
}

// Query rows per block: the scores of a block stay within about 256 KB of floats.
inline int64_t attention_block_rows(int64_t l, int64_t s) { return std::max<int64_t>(1, std::min<int64_t>(l, 65536 / std::max<int64_t>(s, 1))); }

// f(b0, b1) over the batch items: split across the pool's threads (each item's products then on
// one thread) when there are enough items, else all here with the products free to split.
template <class F>
void attention_batches(const AttentionGeometry& g, F&& f) {
  ThreadPool* pool = current_pool();
  const int threads = pool == nullptr ? 1 : pool->threads();
  if (threads > 1 && g.batch >= threads) {
    const double work = double(std::max<int64_t>(1, g.l)) * double(std::max<int64_t>(1, g.s)) * double(std::max<int64_t>(1, g.e + g.ev));
    const int64_t grain = std::max<int64_t>(1, int64_t(double(int64_t(1) << 19) / work));
    parallel_for(g.batch, grain, [&](int64_t b0, int64_t b1) {
      ScopedPool alone(nullptr);  // no nested split inside a piece
      f(b0, b1);
    });
  } else {
    f(0, g.batch);
  }
}

// The masks of item b's rows from row i0.
template <class T>
AttentionMasks<T> attention_masks(const AttentionGeometry& g, int64_t b, int64_t i0, bool causal) {
  AttentionMasks<T> m;
  m.causal = causal, m.row0 = i0;
  const AttentionOperand& mk = g.op[AttentionGeometry::Mask];
  if (mk.v != nullptr) {
    const int64_t off = mk.offset(*g.out, b) + i0 * mk.rs;
    if (mk.v->dtype == DType::Bool) m.bools = mk.v->ptr<const uint8_t>() + off;
    else m.adds = mk.v->ptr<const T>() + off;
    m.mrs = mk.rs, m.mcs = mk.cs;
  }
  const AttentionOperand& dr = g.op[AttentionGeometry::Drop];
  if (dr.v != nullptr) m.drop = dr.v->ptr<const T>() + dr.offset(*g.out, b) + i0 * dr.rs, m.drs = dr.rs, m.dcs = dr.cs;
  return m;
}

template <class T>
const T* attention_at(const AttentionGeometry& g, int k, int64_t b, int64_t row) {
  const AttentionOperand& o = g.op[k];
  return o.v->ptr<const T>() + o.offset(*g.out, b) + row * o.rs;
}

// out = softmax(scale q k^T + mask) v, and lse (g's Lse operand, [..., L], contiguous rows).
template <class T>
void attention_forward(const AttentionGeometry& g, T scale, bool causal) {
  using G = AttentionGeometry;
  const int64_t rb = attention_block_rows(g.l, g.s);
  attention_batches(g, [&](int64_t b0, int64_t b1) {
    std::vector<T> scores(size_t(rb * g.s)), pa, pb;
    for (int64_t b = b0; b < b1; ++b) {
      const T* k = attention_at<T>(g, G::K, b, 0);
      const T* v = attention_at<T>(g, G::V, b, 0);
      for (int64_t i0 = 0; i0 < g.l; i0 += rb) {
        const int64_t rows = std::min(rb, g.l - i0);
        const T* q = attention_at<T>(g, G::Q, b, i0);
        attention_mm<T>(rows, g.s, g.e, scale, q, g.op[G::Q].rs, g.op[G::Q].cs, k, g.op[G::K].cs, g.op[G::K].rs, T(0), scores.data(), g.s, pa, pb);
        T* lse = const_cast<T*>(attention_at<T>(g, G::Lse, b, i0));
        attention_softmax_rows(scores.data(), rows, g.s, attention_masks<T>(g, b, i0, causal), lse);
        T* out = const_cast<T*>(attention_at<T>(g, G::Out, b, i0));
        attention_mm<T>(rows, g.ev, g.s, T(1), scores.data(), g.s, 1, v, g.op[G::V].rs, g.op[G::V].cs, T(0), out, g.op[G::Out].rs, pa, pb);
      }
    }
  });
}

// dq, dk, dv (those given; each [..., rows, cols] contiguous over out's batch dims) from dout.
template <class T>
void attention_backward(const AttentionGeometry& g, T scale, bool causal) {
  using G = AttentionGeometry;
  const int64_t rb = attention_block_rows(g.l, g.s);
  const bool want_q = g.op[G::DQ].v != nullptr, want_k = g.op[G::DK].v != nullptr, want_v = g.op[G::DV].v != nullptr;
  attention_batches(g, [&](int64_t b0, int64_t b1) {
    std::vector<T> s(size_t(rb * g.s)), dp(size_t(rb * g.s)), pa, pb;
    for (int64_t b = b0; b < b1; ++b) {
      const T* k = attention_at<T>(g, G::K, b, 0);
      const T* v = attention_at<T>(g, G::V, b, 0);
      T* dk = want_k ? const_cast<T*>(attention_at<T>(g, G::DK, b, 0)) : nullptr;
      T* dv = want_v ? const_cast<T*>(attention_at<T>(g, G::DV, b, 0)) : nullptr;
      if (g.l == 0) {  // no query: no gradient reaches k and v
        for (T* d : {dk, dv}) {
          const int64_t cols = d == dk ? g.e : g.ev;
          if (d != nullptr) std::fill(d, d + g.s * cols, T(0));
        }
      }
      for (int64_t i0 = 0; i0 < g.l; i0 += rb) {
        const int64_t rows = std::min(rb, g.l - i0);
        const T beta = i0 == 0 ? T(0) : T(1);  // dk and dv add up over the blocks
        const T* q = attention_at<T>(g, G::Q, b, i0);
        const T* dout = attention_at<T>(g, G::DOut, b, i0);
        const int64_t qrs = g.op[G::Q].rs, qcs = g.op[G::Q].cs, ors = g.op[G::DOut].rs, ocs = g.op[G::DOut].cs;
        attention_mm<T>(rows, g.s, g.e, scale, q, qrs, qcs, k, g.op[G::K].cs, g.op[G::K].rs, T(0), s.data(), g.s, pa, pb);
        attention_mm<T>(rows, g.s, g.ev, T(1), dout, ors, ocs, v, g.op[G::V].cs, g.op[G::V].rs, T(0), dp.data(), g.s, pa, pb);
        attention_grad_rows(s.data(), dp.data(), rows, g.s, attention_masks<T>(g, b, i0, causal), attention_at<T>(g, G::Lse, b, i0));
        if (want_v) attention_mm<T>(g.s, g.ev, rows, T(1), s.data(), 1, g.s, dout, ors, ocs, beta, dv, g.ev, pa, pb);
        if (want_q) {
          T* dq = const_cast<T*>(attention_at<T>(g, G::DQ, b, i0));
          attention_mm<T>(rows, g.e, g.s, scale, dp.data(), g.s, 1, k, g.op[G::K].rs, g.op[G::K].cs, T(0), dq, g.e, pa, pb);
        }
        if (want_k) attention_mm<T>(g.s, g.e, rows, scale, dp.data(), 1, g.s, q, qrs, qcs, beta, dk, g.e, pa, pb);
      }
    }
  });
}

}  // namespace tg
