// Reductions over some dimensions of a strided tensor.
//
// A Reduction describes the kept dimensions (the output's shape) as a Strided<K> over the outputs
// and the input's base, and the reduced dimensions as a Strided<1> of input strides. Each kernel
// walks the kept elements and, for each, the reduced region in row-major order.
#pragma once
#include <cmath>
#include <cstdint>
#include <vector>

#include "dtype.h"
#include "elementwise.h"
#include "strided.h"
#include "view.h"
#include "vmath.h"

namespace tg {

template <int K>  // K = outputs + 1; the input is the last operand of `kept`
struct Reduction {
  Strided<K> kept;
  Strided<1> red;  // red.data unused: each kept element supplies its own base
};

// The reduction of `in` into outs[0..K-2], each of in's ndim (the keepdim layout): a dim is reduced
// where an output has size 1 and the input does not; the others must agree. kept.ndim is -1 when
// there is nothing to compute; `nonempty` makes reducing an empty dim an IndexError (max, argmax).
template <int K>
Reduction<K> reduction(const View* const (&outs)[K - 1], const View& in, const char* op, bool nonempty) {
  Reduction<K> r;
  r.kept.ndim = 0;
  r.red.ndim = 0;
  r.kept.data[K - 1] = in.data;
  const int64_t in_bytes = dtype_size(in.dtype);
  for (int k = 0; k < K - 1; ++k) {
    if (outs[k]->ndim != in.ndim) raise(ErrorKind::Shape, std::string(op) + ": the output needs the input's ndim");
    r.kept.data[k] = outs[k]->data;
  }
  for (int d = 0; d < in.ndim; ++d) {
    const bool reduced = outs[0]->shape[d] == 1 && in.shape[d] != 1;
    for (int k = 0; k < K - 1; ++k)
      if (outs[k]->shape[d] != (reduced ? 1 : in.shape[d]))
        raise(ErrorKind::Shape, std::string(op) + ": an output of shape " + shape_str(*outs[k]) + " does not fit the input's " + shape_str(in));
    if (reduced) {
      r.red.shape[r.red.ndim] = in.shape[d];
      r.red.strides[0][r.red.ndim++] = in.strides[d] * in_bytes;
      continue;
    }
    const int j = r.kept.ndim++;
    r.kept.shape[j] = in.shape[d];
    for (int k = 0; k < K - 1; ++k) r.kept.strides[k][j] = outs[k]->strides[d] * dtype_size(outs[k]->dtype);
    r.kept.strides[K - 1][j] = in.strides[d] * in_bytes;
  }
  if (r.kept.numel() == 0) {
    r.kept.ndim = -1;  // nothing to compute
  } else if (nonempty && r.red.numel() == 0) {
    raise(ErrorKind::Index, std::string(op) + "(): cannot reduce over an empty dimension");
  }
  return r;
}

// Accumulator type: double for floats (more exact than the inputs), int64 for integers and bool.
template <class T> using acc_t = std::conditional_t<is_float_v<T>, double, int64_t>;

// Sums the reduced region starting at `base`. float and double accumulate in double, contiguous
// rows through vsum_row (partial sums, vectorised for the CPU); integers accumulate in uint64,
// which wraps. (GCC 12 at -O3 miscompiled an eight-partial form for bool -> int64 sums: keep the
// integer loop plain.)
template <class Tin, class Acc>
inline Acc sum_region(const Strided<1>& red, char* base) {
  using U = wrapping_t<Acc>;
  if constexpr (is_float_v<Tin>) {  // one contiguous row: straight to the vectorised loop
    if (red.ndim == 1 && red.strides[0][0] == sizeof(Tin)) return vsum_row(reinterpret_cast<const Tin*>(base), red.shape[0]);
  }
  U total = 0;
  for_each_range(red, &base, 0, red.numel(), [&](char** p, const int64_t* s, int64_t n) {
    if (s[0] == sizeof(Tin)) {
      const Tin* x = reinterpret_cast<const Tin*>(p[0]);
      if constexpr (is_float_v<Tin>) {
        total += vsum_row(x, n);
      } else {
        for (int64_t i = 0; i < n; ++i) total += U(Acc(x[i]));
      }
    } else {
      for (int64_t i = 0; i < n; ++i) total += U(Acc(*reinterpret_cast<const Tin*>(p[0] + i * s[0])));
    }
  });
  return Acc(total);
}

// out = scale * sum (scale = 1 for sum, 1/n for mean).
template <class Tin, class Tout>
void reduce_sum(Reduction<2>& r, double scale) {
  using Acc = acc_t<Tin>;
  coalesce(r.kept);
  coalesce(r.red);
  const auto finish = [scale](Acc a) {
    if constexpr (is_float_v<Tout>) return Tout(double(a) * scale);
    else return cast<Tout>(a);
  };
  // Reducing over outer dimensions of a row (a bias gradient, a mean over the batch): add whole
  // rows into a vector of sums instead of walking each column with a large stride.
  const bool rows = r.kept.ndim == 1 && r.kept.shape[0] > 1 && r.kept.strides[0][0] == sizeof(Tout) &&
                    r.kept.strides[1][0] == sizeof(Tin) && r.red.strides[0][r.red.ndim - 1] != sizeof(Tin);
  if (rows) {
    using U = wrapping_t<Acc>;
    const int64_t m = r.kept.shape[0];
    std::vector<U> acc(size_t(m), U(0));
    char* base = r.kept.data[1];
    for_each_range(r.red, &base, 0, r.red.numel(), [&](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        const Tin* x = reinterpret_cast<const Tin*>(p[0] + i * s[0]);
        for (int64_t j = 0; j < m; ++j) acc[size_t(j)] += U(Acc(x[j]));
      }
    });
    Tout* out = reinterpret_cast<Tout*>(r.kept.data[0]);
    for (int64_t j = 0; j < m; ++j) out[j] = finish(Acc(acc[size_t(j)]));
    return;
  }
  // Each output on its own, in parallel when there is enough work: the same bits on any threads.
  const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(1, r.red.numel()));
  run_rows(r.kept, [&](char** p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i)
      *reinterpret_cast<Tout*>(p[0] + i * s[0]) = finish(sum_region<Tin, Acc>(r.red, p[1] + i * s[1]));
  }, grain);
}

template <class T, class Tout>
void reduce_prod(Reduction<2>& r) {
  using Acc = acc_t<T>;
  coalesce(r.kept);
  coalesce(r.red);
  for_each(r.kept, [&](char** p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      Acc a = 1;
      char* base = p[1] + i * s[1];
      for_each_range(r.red, &base, 0, r.red.numel(), [&](char** q, const int64_t* qs, int64_t m) {
        for (int64_t k = 0; k < m; ++k) a = wmul(a, Acc(*reinterpret_cast<const T*>(q[0] + k * qs[0])));
      });
      *reinterpret_cast<Tout*>(p[0] + i * s[0]) = cast<Tout>(a);
    }
  });
}

// max / min with the index of the first extreme (of the first NaN, which wins, as in PyTorch).
// Outputs: WantVal and WantIdx select which of (values, indices) are present, in that order.
template <class T, bool IsMax, bool WantVal, bool WantIdx, int K>
void reduce_minmax(Reduction<K>& r) {
  static_assert(K == 1 + int(WantVal) + int(WantIdx), "operand count");
  // The region is walked unflattened: the index is the row-major position within it.
  coalesce(r.kept);
  coalesce(r.red);
  for_each(r.kept, [&](char** p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      char* base = p[K - 1] + i * s[K - 1];
      T best = *reinterpret_cast<const T*>(base);
      int64_t best_at = 0, pos = 0;
      bool done = false;
      for_each_range(r.red, &base, 0, r.red.numel(), [&](char** q, const int64_t* qs, int64_t m) {
        for (int64_t k = 0; k < m && !done; ++k, ++pos) {
          const T x = *reinterpret_cast<const T*>(q[0] + k * qs[0]);
          if constexpr (is_float_v<T>) {
            if (std::isnan(x)) { best = x; best_at = pos; done = true; break; }
          }
          if (IsMax ? x > best : x < best) { best = x; best_at = pos; }
        }
      });
      if constexpr (WantVal) *reinterpret_cast<T*>(p[0] + i * s[0]) = best;
      if constexpr (WantIdx) *reinterpret_cast<int64_t*>(p[WantVal ? 1 : 0] + i * s[WantVal ? 1 : 0]) = best_at;
    }
  });
}

// Variance with Bessel-style correction: sum((x - mean)^2) / max(0, n - correction), two passes.
template <class T>
void reduce_var(Reduction<2>& r, double correction) {
  coalesce(r.kept);
  coalesce(r.red);
  const int64_t count = r.red.numel();
  const double denom = std::fmax(0.0, double(count) - correction);
  for_each(r.kept, [&](char** p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      char* base = p[1] + i * s[1];
      const double mean = sum_region<T, double>(r.red, base) / double(count);
      double ss = 0;
      for_each_range(r.red, &base, 0, count, [&](char** q, const int64_t* qs, int64_t m) {
        for (int64_t k = 0; k < m; ++k) {
          const double d = double(*reinterpret_cast<const T*>(q[0] + k * qs[0])) - mean;
          ss += d * d;
        }
      });
      *reinterpret_cast<T*>(p[0] + i * s[0]) = T(ss / denom);
    }
  });
}

// all / any: bool output; non-zero inputs are true.
template <class T, bool IsAll>
void reduce_allany(Reduction<2>& r) {
  coalesce(r.kept);
  coalesce(r.red);
  for_each(r.kept, [&](char** p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      bool acc = IsAll;
      char* base = p[1] + i * s[1];
      for_each_range(r.red, &base, 0, r.red.numel(), [&](char** q, const int64_t* qs, int64_t m) {
        for (int64_t k = 0; k < m && acc == IsAll; ++k) {
          const bool nonzero = *reinterpret_cast<const T*>(q[0] + k * qs[0]) != T(0);
          if (nonzero != IsAll) acc = !IsAll;  // a zero decides all(), a non-zero decides any()
        }
      });
      *reinterpret_cast<bool_t*>(p[0] + i * s[0]) = acc ? 1 : 0;
    }
  });
}

}  // namespace tg
