// Batched matrix products over strided operands: out[i] = alpha * a[i] @ b[i] + beta * out[i] for
// every batch index i, a [..., M, K] and b [..., K, N] broadcast over out's [..., M, N] batch dims.
//
// A transposed view (column stride 1) goes to gemm() as a transpose flag, not a copy; only
// matrices that are neither row- nor column-major are packed first.
#pragma once
#include <algorithm>
#include <vector>

#include "gemm.h"
#include "view.h"

namespace tg {

// How BLAS can read a rows x cols matrix with these strides (elements): row-major (trans false)
// or column-major (trans true), with its leading dimension. False if neither.
inline bool matrix_layout(int64_t rows, int64_t cols, int64_t rs, int64_t cs, bool* trans, int64_t* ld) {
  if ((cs == 1 || cols <= 1) && (rs >= cols || rows <= 1)) {
    *trans = false;
    *ld = rows <= 1 ? std::max<int64_t>(1, cols) : std::max<int64_t>(rs, std::max<int64_t>(1, cols));
    return true;
  }
  if ((rs == 1 || rows <= 1) && (cs >= rows || cols <= 1)) {
    *trans = true;
    *ld = cols <= 1 ? std::max<int64_t>(1, rows) : std::max<int64_t>(cs, std::max<int64_t>(1, rows));
    return true;
  }
  return false;
}

// A rows x cols strided matrix copied row-major into buf.
template <class T>
const T* pack_matrix(const T* x, int64_t rows, int64_t cols, int64_t rs, int64_t cs, std::vector<T>& buf) {
  buf.resize(size_t(rows * cols));
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) buf[size_t(i * cols + j)] = x[i * rs + j * cs];
  return buf.data();
}

// The batch strides (elements) of v's leading dims broadcast over `out`'s batch dims.
inline void batch_strides(const View& v, const View& out, int64_t* strides, const char* name) {
  const int nb = out.ndim - 2, lead = nb - (v.ndim - 2);
  if (lead < 0) raise(ErrorKind::Shape, std::string("matmul: ") + name + " has more batch dims than the output");
  for (int d = 0; d < nb; ++d) {
    const int vd = d - lead;
    if (vd < 0 || (v.shape[vd] == 1 && out.shape[d] != 1)) strides[d] = 0;
    else if (v.shape[vd] == out.shape[d]) strides[d] = v.strides[vd];
    else raise(ErrorKind::Shape, std::string("matmul: ") + name + " of shape " + shape_str(v) + " does not broadcast to " + shape_str(out));
  }
}

template <class T>
void matmul(const View& out, const View& a, const View& b, T alpha, T beta) {
  if (a.ndim < 2 || b.ndim < 2 || out.ndim < 2) raise(ErrorKind::Shape, "matmul: operands need at least two dims");
  const int64_t m = out.size(-2), n = out.size(-1), k = a.size(-1);
  if (a.size(-2) != m || b.size(-2) != k || b.size(-1) != n)
    raise(ErrorKind::Shape, "matmul: shapes " + shape_str(a) + " and " + shape_str(b) + " do not give " + shape_str(out));
  if (!((out.stride(-1) == 1 || n <= 1) && (out.stride(-2) >= n || m <= 1)))
    raise(ErrorKind::Range, "matmul: out must be row-major (column stride 1, row stride >= N)");
  const int nb = out.ndim - 2;
  int64_t sa[kMaxDims], sb[kMaxDims];
  batch_strides(a, out, sa, "a");
  batch_strides(b, out, sb, "b");
  if (out.numel() == 0) return;
  GemmArgs g;
  g.m = m, g.n = n, g.k = k;
  g.ldc = m <= 1 ? std::max<int64_t>(1, n) : out.stride(-2);
  const bool a_ok = matrix_layout(m, k, a.stride(-2), a.stride(-1), &g.trans_a, &g.lda);
  const bool b_ok = matrix_layout(k, n, b.stride(-2), b.stride(-1), &g.trans_b, &g.ldb);
  std::vector<T> pa, pb;
  const int64_t nbatch = out.numel() / (m * n);
  for (int64_t i = 0; i < nbatch; ++i) {
    int64_t rem = i, oa = 0, ob = 0, oc = 0;
    for (int d = nb - 1; d >= 0; --d) {
      const int64_t idx = rem % out.shape[d];
      rem /= out.shape[d];
      oa += idx * sa[d], ob += idx * sb[d], oc += idx * out.strides[d];
    }
    const T* ma = a.ptr<const T>() + oa;
    const T* mb = b.ptr<const T>() + ob;
    GemmArgs gi = g;
    if (!a_ok) ma = pack_matrix(ma, m, k, a.stride(-2), a.stride(-1), pa), gi.trans_a = false, gi.lda = std::max<int64_t>(1, k);
    if (!b_ok) mb = pack_matrix(mb, k, n, b.stride(-2), b.stride(-1), pb), gi.trans_b = false, gi.ldb = std::max<int64_t>(1, n);
    gemm<T>(gi, alpha, ma, mb, beta, out.ptr<T>() + oc);
  }
}

}  // namespace tg
