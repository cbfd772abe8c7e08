// gemm(out, a, b, alpha, beta): out[i] = alpha * a[i] @ b[i] + beta * out[i] for every batch
// index i. meta: batch ndim and sizes, M, N, K, then for a ([.., M, K]), b ([.., K, N]) and out
// ([.., M, N]) each: offset, batch strides, row stride, column stride (elements).
//
// A transposed view (column stride 1) goes to BLAS as a transpose flag, not a copy; only operands
// that are neither row- nor column-major are packed first.
#include <vector>

#include "../kernels/gemm.h"
#include "args.h"
#include "binding.h"

namespace tg {
namespace {

struct Matrix {
  char* base = nullptr;        // first element of batch 0
  int64_t batch[kMaxDims];     // batch strides, bytes
  int64_t rs = 0, cs = 0;      // row and column strides, elements
};

Matrix read_matrix(Meta& meta, const Buf& buf, int nb, const int64_t* batch, int64_t rows, int64_t cols) {
  int64_t shape[kMaxDims + 2];
  for (int d = 0; d < nb; ++d) shape[d] = batch[d];
  shape[nb] = rows;
  shape[nb + 1] = cols;
  int64_t strides[kMaxDims + 2];
  Matrix m;
  m.base = meta.operand(buf, nb + 2, shape, strides);
  const int64_t size = dtype_size(buf.dtype);
  for (int d = 0; d < nb; ++d) m.batch[d] = strides[d];
  m.rs = strides[nb] / size;
  m.cs = strides[nb + 1] / size;
  return m;
}

// How BLAS can read a rows x cols matrix with these strides: row-major (trans false) or
// column-major (trans true), with its leading dimension. False if neither.
bool layout(int64_t rows, int64_t cols, int64_t rs, int64_t cs, bool* trans, int64_t* ld) {
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

template <class T>
const T* pack(const T* x, int64_t rows, int64_t cols, int64_t rs, int64_t cs, std::vector<T>& buf) {
  buf.resize(size_t(rows * cols));
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) buf[size_t(i * cols + j)] = x[i * rs + j * cs];
  return buf.data();
}

template <class T>
void run(int nb, const int64_t* batch, int64_t m, int64_t n, int64_t k, const Matrix& a, const Matrix& b,
         const Matrix& c, T alpha, T beta) {
  GemmArgs g;
  g.m = m;
  g.n = n;
  g.k = k;
  g.ldc = m <= 1 ? std::max<int64_t>(1, n) : c.rs;
  const bool a_ok = layout(m, k, a.rs, a.cs, &g.trans_a, &g.lda);
  const bool b_ok = layout(k, n, b.rs, b.cs, &g.trans_b, &g.ldb);
  std::vector<T> pa, pb;
  int64_t nbatch = 1;
  for (int d = 0; d < nb; ++d) nbatch *= batch[d];
  for (int64_t i = 0; i < nbatch; ++i) {
    int64_t rem = i, oa = 0, ob = 0, oc = 0;
    for (int d = nb - 1; d >= 0; --d) {
      const int64_t idx = rem % batch[d];
      rem /= batch[d];
      oa += idx * a.batch[d];
      ob += idx * b.batch[d];
      oc += idx * c.batch[d];
    }
    const T* pa_ = reinterpret_cast<const T*>(a.base + oa);
    const T* pb_ = reinterpret_cast<const T*>(b.base + ob);
    GemmArgs gi = g;
    if (!a_ok) {
      pa_ = pack(pa_, m, k, a.rs, a.cs, pa);
      gi.trans_a = false;
      gi.lda = std::max<int64_t>(1, k);
    }
    if (!b_ok) {
      pb_ = pack(pb_, k, n, b.rs, b.cs, pb);
      gi.trans_b = false;
      gi.ldb = std::max<int64_t>(1, n);
    }
    gemm<T>(gi, alpha, pa_, pb_, beta, reinterpret_cast<T*>(c.base + oc));
  }
}

Napi::Value gemm_binding(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Buf out = buf_arg(info, 0, "out"), a = buf_arg(info, 1, "a"), b = buf_arg(info, 2, "b");
  Meta meta(info);
  const double alpha = number_arg(info, 3, "alpha"), beta = number_arg(info, 4, "beta");
  expect_same_dtype(env, a, b, "gemm");
  expect_same_dtype(env, out, a, "gemm");
  if (out.dtype == DType::Bool) fail(env, ErrorKind::DType, "gemm: bool tensors are not supported");
  int64_t batch[kMaxDims];
  const int nb = int(meta.next(0, kMaxDims - 2, "batch ndim"));
  for (int d = 0; d < nb; ++d) batch[d] = meta.next(0, int64_t(1) << 53, "batch size");
  const int64_t m = meta.next(0, int64_t(1) << 53, "M");
  const int64_t n = meta.next(0, int64_t(1) << 53, "N");
  const int64_t k = meta.next(0, int64_t(1) << 53, "K");
  const Matrix ma = read_matrix(meta, a, nb, batch, m, k);
  const Matrix mb = read_matrix(meta, b, nb, batch, k, n);
  const Matrix mc = read_matrix(meta, out, nb, batch, m, n);
  meta.done();
  if (!((mc.cs == 1 || n <= 1) && (mc.rs >= n || m <= 1)))
    fail(env, ErrorKind::Range, "gemm: out must be row-major (column stride 1, row stride >= N)");
  int64_t total = m * n;
  for (int d = 0; d < nb; ++d) total *= batch[d];
  if (total == 0) return env.Undefined();
  TG_DISPATCH(out.dtype, T, {
    if constexpr (!std::is_same<T, bool_t>::value) run<T>(nb, batch, m, n, k, ma, mb, mc, cast<T>(alpha), cast<T>(beta));
  });
  return env.Undefined();
}

}  // namespace

void register_gemm(Napi::Env env, Napi::Object exports) {
  exports.Set("gemm", Napi::Function::New(env, gemm_binding, "gemm"));
}

}  // namespace tg
