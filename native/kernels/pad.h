// Padding (F.pad): out has x's dims, each grown by left[d] elements before and out[d] - x[d] -
// left[d] after (negative amounts crop). Element o of a dim reads x at o - left[d], mapped back
// into [0, n) by the mode where it falls outside: constant (the value), reflect (mirrored about the
// edge element), replicate (the edge element), circular (wrapped). Both tensors are contiguous.
// The gradient (non-constant modes; constant padding's gradient is the opposite crop) adds each
// element of g back where it was read from.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "pool.h"
#include "view.h"

namespace tg {

enum class PadMode { Constant = 0, Reflect = 1, Replicate = 2, Circular = 3 };

struct PadGeometry {
  int ndim = 0;
  int64_t in[kMaxDims], out[kMaxDims], left[kMaxDims];
  PadMode mode = PadMode::Constant;
  int first = 0;  // the first dim that is padded or cropped: the dims before it are copied as they are
};

// Checks x and out (contiguous, the same ndim) and the left pads (one per dim, as doubles); for the
// modes that read inside x, that every element maps inside.
inline PadGeometry pad_geometry(const View& x, const View& out, const View& left, PadMode mode) {
  if (x.ndim != out.ndim || !x.contiguous() || !out.contiguous() || !left.contiguous() || left.ndim != 1 || left.shape[0] != x.ndim ||
      left.dtype != DType::Float64)
    raise(ErrorKind::Shape, "pad: expected contiguous input and output of the same ndim, and one float64 left pad per dim");
  PadGeometry g;
  g.ndim = x.ndim, g.mode = mode, g.first = x.ndim;
  const double* l = left.ptr<const double>();
  for (int d = 0; d < x.ndim; ++d) {
    g.in[d] = x.shape[d], g.out[d] = out.shape[d];
    if (!(l[d] >= -double(int64_t(1) << 50) && l[d] <= double(int64_t(1) << 50)) || l[d] != double(int64_t(l[d])))
      raise(ErrorKind::Range, "pad: the pads must be integers");
    g.left[d] = int64_t(l[d]);
    const int64_t right = g.out[d] - g.in[d] - g.left[d];
    if ((g.left[d] != 0 || right != 0) && g.first == x.ndim) g.first = d;
    if (mode == PadMode::Constant || (g.left[d] == 0 && right == 0) || g.out[d] == 0) continue;
    if (g.in[d] == 0) raise(ErrorKind::Range, "pad: cannot pad an empty dim in this mode");
    if (mode == PadMode::Reflect && (g.left[d] >= g.in[d] || right >= g.in[d]))
      raise(ErrorKind::Range, "pad: reflect padding must be smaller than the dim it pads");
    if (mode == PadMode::Circular && g.in[d] - std::max<int64_t>(-g.left[d], 0) - std::max<int64_t>(-right, 0) <= 0)
      raise(ErrorKind::Range, "pad: circular padding cannot crop a dim away");
  }
  return g;
}

// Where element o of a dim of out_n elements reads x (size n), or -1 for the constant value.
// Reflect and replicate map about x's own edges; circular, as PyTorch's, crops first (negative
// pads) and wraps around what is left.
inline int64_t pad_source(int64_t o, int64_t left, int64_t n, int64_t out_n, PadMode mode) {
  int64_t s = o - left;
  if (s >= 0 && s < n && mode != PadMode::Circular) return s;
  switch (mode) {
    case PadMode::Constant: return -1;
    case PadMode::Reflect: s = s < 0 ? -s : 2 * (n - 1) - s; break;
    case PadMode::Replicate: s = s < 0 ? 0 : n - 1; break;
    case PadMode::Circular: {
      const int64_t lo = std::max<int64_t>(-left, 0), kept = n - lo - std::max<int64_t>(left + n - out_n, 0);
      if (kept <= 0) return 0;
      s = lo + (((o - std::max<int64_t>(left, 0)) % kept) + kept) % kept;
      break;
    }
  }
  return std::min(std::max<int64_t>(s, 0), n - 1);  // reflect was checked: this changes nothing
}

// Visits out row by row (all dims but the last): f(row, x row offset or -1, the last dim's map).
template <class F>
void pad_rows(const PadGeometry& g, int64_t begin, int64_t end, const std::vector<int64_t>& last, F&& f) {
  const int nd = g.ndim;
  for (int64_t r = begin; r < end; ++r) {
    int64_t rest = r, offset = 0, stride = g.in[nd - 1];
    for (int d = nd - 2; d >= 0; --d) {
      const int64_t o = rest % g.out[d];
      rest /= g.out[d];
      const int64_t s = pad_source(o, g.left[d], g.in[d], g.out[d], g.mode);
      if (s < 0) {
        offset = -1;
        break;
      }
      offset += s * stride;
      stride *= g.in[d];
    }
    f(r, offset, last);
  }
}

inline std::vector<int64_t> pad_last_map(const PadGeometry& g) {
  const int d = g.ndim - 1;
  std::vector<int64_t> m(size_t(g.out[d]));
  for (int64_t o = 0; o < g.out[d]; ++o) m[size_t(o)] = pad_source(o, g.left[d], g.in[d], g.out[d], g.mode);
  return m;
}

template <class T>
void pad(const T* x, T* out, const PadGeometry& g, T value) {
  if (g.ndim == 0) {
    out[0] = x[0];
    return;
  }
  const int64_t w = g.out[g.ndim - 1];
  int64_t rows = 1;
  for (int d = 0; d < g.ndim - 1; ++d) rows *= g.out[d];
  const std::vector<int64_t> last = pad_last_map(g);
  parallel_for(rows, task_grain(w, 1), [&](int64_t begin, int64_t end) {
    pad_rows(g, begin, end, last, [&](int64_t r, int64_t offset, const std::vector<int64_t>& m) {
      T* o = out + r * w;
      if (offset < 0) {
        std::fill(o, o + w, value);
        return;
      }
      const T* line = x + offset;
      for (int64_t q = 0; q < w; ++q) o[q] = m[size_t(q)] < 0 ? value : line[m[size_t(q)]];
    });
  });
}

// dx = the sum of the g elements read from each x element. The dims before the first padded one
// split the work: their blocks never share an x element.
template <class T>
void pad_backward(const T* gout, T* dx, const PadGeometry& g) {
  if (g.ndim == 0) {
    dx[0] = gout[0];
    return;
  }
  const int nd = g.ndim;
  const int64_t w = g.out[nd - 1];
  int64_t blocks = 1, rows_per_block = 1, in_block = 1;
  for (int d = 0; d < nd - 1; ++d) (d < g.first ? blocks : rows_per_block) *= g.out[d];
  for (int d = std::min(g.first, nd - 1); d < nd; ++d) in_block *= g.in[d];
  const std::vector<int64_t> last = pad_last_map(g);
  parallel_for(blocks, task_grain(rows_per_block * w, 1), [&](int64_t begin, int64_t end) {
    std::fill(dx + begin * in_block, dx + end * in_block, T(0));
    pad_rows(g, begin * rows_per_block, end * rows_per_block, last, [&](int64_t r, int64_t offset, const std::vector<int64_t>& m) {
      if (offset < 0) return;
      const T* s = gout + r * w;
      T* line = dx + offset;
      for (int64_t q = 0; q < w; ++q)
        if (m[size_t(q)] >= 0) line[m[size_t(q)]] += s[q];
    });
  });
}

}  // namespace tg
