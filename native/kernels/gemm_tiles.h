// Our own register-tiled matrix product, C = alpha * op(A) * op(B) + beta * C (row-major), written
// once over an instruction set's vector traits `I` and compiled once per set: gemm_avx512.cc and
// gemm_avx2.cc include this file under their own `#pragma GCC target`. Everything here has internal
// linkage (an anonymous namespace), so the two copies never merge at link time.
//
// The shape: each MR x (NV vectors) tile of C stays in registers for a block of KC steps of the
// sum; every step loads NV vectors of a row of B, broadcasts MR elements of a column of A and does
// MR * NV fused multiply-adds. A is read where it lies, through its row and column strides (a
// transposed A costs nothing), so skinny products (the seed loop's 64x1000x100) skip the copying
// that a BLAS library's packing costs them. B is read in place when it is row-major and small;
// a transposed or large B is first copied, a KC x NC block at a time, into panels NR wide
// (zero-padded), which also keeps a B whose rows are a power-of-two apart off the same cache sets.
//
// Sums over k run in order within a tile, one fused multiply-add per step, so every x86-64 CPU
// with the same instruction set gives the same bits whatever the threads.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "gemm.h"

namespace tg {
namespace {

template <class I>
constexpr bool has_half(decltype(sizeof(typename I::Half))) { return true; }
template <class I>
constexpr bool has_half(...) { return false; }

template <class I>
struct Tiles {
  using T = typename I::T;
  using V = typename I::V;
  static constexpr int L = I::L, MR = I::MR, NV = I::NV, NR = NV * L;
  static constexpr int64_t KC = 256;
  // B's block, KC x NC, stays in the L2 cache (256 KB of it) while every row tile passes over it.
  static constexpr int64_t NC = std::max<int64_t>(NR, (int64_t(256) << 10) / int64_t(KC * sizeof(T)) / NR * NR);

  using TileFn = void (*)(int64_t kc, const T* a, int64_t rsa, int64_t csa, const T* b, int64_t ldb, T* c,
                          int64_t ldc, int last, T alpha, T beta);

  // C[R x (V vectors)] = alpha * A[R x kc] B[kc x ...] + beta * C; the last vector holds `last` lanes.
  template <int R, int W>
  static void tile(int64_t kc, const T* a, int64_t rsa, int64_t csa, const T* b, int64_t ldb, T* c, int64_t ldc,
                   int last, T alpha, T beta) {
    const typename I::Mask m = I::mask(last);
    // C's lines are fetched while the sum runs: a new output (fresh memory, not in any cache) would
    // otherwise stall the stores at the end, one miss per line.
    constexpr int kLine = 64 / int(sizeof(T));
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const T* row = c + r * ldc;
#pragma GCC unroll 16
      for (int j = 0; j < W * L; j += kLine) __builtin_prefetch(row + j, 1, 3);
      __builtin_prefetch(row + (W - 1) * L + last - 1, 1, 3);  // the row's last line, if the row is not aligned
    }
    V acc[R][W];
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 16
      for (int w = 0; w < W; ++w) acc[r][w] = I::zero();
    for (int64_t p = 0; p < kc; ++p) {
      const T* bp = b + p * ldb;
      const T* ap = a + p * csa;
      V bv[W];
#pragma GCC unroll 16
      for (int w = 0; w < W; ++w) bv[w] = w + 1 < W ? I::load(bp + w * L) : I::loadm(bp + w * L, m);
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r) {
        const V av = I::bcast(ap + r * rsa);
#pragma GCC unroll 16
        for (int w = 0; w < W; ++w) acc[r][w] = I::fma(av, bv[w], acc[r][w]);
      }
    }
    const V va = I::set1(alpha), vb = I::set1(beta);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 16
      for (int w = 0; w < W; ++w) {
        T* cp = c + r * ldc + w * L;
        V x = alpha == T(1) ? acc[r][w] : I::mul(acc[r][w], va);
        if (w + 1 < W) {
          if (beta != T(0)) x = I::fma(vb, I::load(cp), x);  // beta 0 never reads C (NaN there included)
          I::store(cp, x);
        } else {
          if (beta != T(0)) x = I::fma(vb, I::loadm(cp, m), x);
          I::storem(cp, x, m);
        }
      }
  }

  // table[r - 1][w - 1] = tile<r, w>
  struct Table {
    TileFn f[MR][NV];
    template <int R, int W>
    void fill() {
      f[R - 1][W - 1] = &tile<R, W>;
      if constexpr (W > 1) fill<R, W - 1>();
      else if constexpr (R > 1) fill<R - 1, NV>();
    }
    Table() { fill<MR, NV>(); }
  };

  // Copies B[pc.., jc..] (kc x nc) into panels of kc x NR, zero-padded to whole panels.
  static void pack(const GemmArgs& g, const T* b, int64_t pc, int64_t kc, int64_t jc, int64_t nc, T* out) {
    for (int64_t j0 = 0; j0 < nc; j0 += NR, out += kc * NR) {
      const int64_t w = std::min<int64_t>(NR, nc - j0);
      if (g.trans_b) {  // B(k, j) = b[j * ldb + k]: read each column of the panel along k
        for (int64_t j = 0; j < w; ++j) {
          const T* src = b + (jc + j0 + j) * g.ldb + pc;
          for (int64_t p = 0; p < kc; ++p) out[p * NR + j] = src[p];
        }
      } else {
        for (int64_t p = 0; p < kc; ++p) std::copy_n(b + (pc + p) * g.ldb + jc + j0, w, out + p * NR);
      }
      for (int64_t p = 0; p < kc; ++p) std::fill(out + p * NR + w, out + (p + 1) * NR, T(0));
    }
  }

  // Whether B is copied into panels: always when transposed; when row-major, once B is too large to
  // stay in the L2 cache between row tiles, or its rows are a multiple of 4 KB apart (each step of
  // the sum would then land on the same few cache sets), and there are enough rows of A to repay it.
  static bool packs(const GemmArgs& g) {
    if (g.trans_b) return true;
    const int64_t bytes = g.k * g.n * int64_t(sizeof(T));
    const bool aliased = (g.ldb * int64_t(sizeof(T))) % 4096 == 0 && g.k > 16;
    return g.m > 2 * MR && (bytes > (int64_t(512) << 10) || aliased);
  }

  // The calling thread's buffer for packed panels (KC x NC), made on its first use; null if that failed.
  static T* panel_buffer() {
    static thread_local std::unique_ptr<T, void (*)(void*)> buf(
        static_cast<T*>(std::aligned_alloc(64, size_t(KC * NC) * sizeof(T))), std::free);
    return buf.get();
  }

  // The tile for mr rows and nv vectors. A row's last few columns (up to half a vector) go to the
  // half-width tile where the set has one (I::Half): on CPUs that run a full-width vector as two
  // halves (AMD's Zen 4), a 4-column tail then costs half, where it took a seventh of a 100-wide product.
  static TileFn table_for(int mr, int nv, int last) {
    static const Table table;
    if constexpr (has_half<I>(0)) {
      if (nv == 1 && last <= L / 2) return Tiles<typename I::Half>::table_for(mr, 1, last);
    }
    return table.f[mr - 1][nv - 1];
  }

  // False, with nothing written, when B must be packed and no buffer could be had.
  static bool run(const GemmArgs& g, T alpha, const T* a, const T* b, T beta, T* c) {
    const int64_t rsa = g.trans_a ? 1 : g.lda, csa = g.trans_a ? g.lda : 1;
    const bool packed = packs(g);
    T* const buf = packed ? panel_buffer() : nullptr;
    if (packed && buf == nullptr) return false;
    for (int64_t pc = 0; pc < g.k; pc += KC) {
      const int64_t kc = std::min(KC, g.k - pc);
      const T be = pc == 0 ? beta : T(1);
      for (int64_t jc = 0; jc < g.n; jc += NC) {
        const int64_t nc = std::min(NC, g.n - jc);
        if (packed) pack(g, b, pc, kc, jc, nc, buf);
        for (int64_t ic = 0; ic < g.m; ic += MR) {
          const int mr = int(std::min<int64_t>(MR, g.m - ic));
          const T* ap = a + ic * rsa + pc * csa;
          for (int64_t j0 = 0; j0 < nc; j0 += NR) {
            const int64_t nr = std::min<int64_t>(NR, nc - j0);
            const int nv = int((nr + L - 1) / L), last = int(nr - (nv - 1) * L);
            const T* bp = packed ? buf + (j0 / NR) * kc * NR : b + pc * g.ldb + jc + j0;
            table_for(mr, nv, last)(kc, ap, rsa, csa, bp, packed ? NR : g.ldb, c + ic * g.ldc + jc + j0, g.ldc, last,
                                    alpha, be);
          }
        }
      }
    }
    return true;
  }
};

}  // namespace
}  // namespace tg
