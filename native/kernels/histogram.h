// Counting and binary search: histc (equal-width bins), bincount (occurrences of each
// non-negative integer, optionally weighted) and searchsorted (where values would be inserted into
// sorted sequences). Inputs are packed row-major first; outputs are contiguous.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "dtype.h"
#include "view.h"

namespace tg {

inline void expect_contiguous(const View& v, const char* op) {
  if (!v.contiguous()) raise(ErrorKind::Shape, std::string(op) + ": the output must be contiguous");
}

// out[b] counts the elements of `in` in bin b of [lo, hi] cut into out.numel() equal bins, each
// bin [left, right) but the last [left, hi]; elements outside and NaN are not counted. The bin is
// found in T as PyTorch's CPU kernel finds it: (x - lo) * bins / (hi - lo), truncated.
template <class T>
void histc(const View& out, const View& in, double lo_, double hi_) {
  expect_contiguous(out, "histc");
  std::vector<char> buf;
  const View a = packed(in, buf);
  const int64_t bins = out.numel();
  T* h = out.ptr<T>();
  std::fill(h, h + bins, T(0));
  if (bins == 0) return;
  const T lo = T(lo_), hi = T(hi_);
  const T* x = a.ptr<T>();
  for (int64_t i = 0, n = a.numel(); i < n; ++i) {
    const T e = x[i];
    if (!(e >= lo && e <= hi)) continue;
    int64_t pos = cast<int64_t>((e - lo) * T(bins) / (hi - lo));
    pos = std::min(std::max<int64_t>(pos, 0), bins - 1);  // x == hi lands in the last bin
    h[pos] += T(1);
  }
}

// out[v] = how many times v occurs in `in` (1-D, integers), or the sum of their weights.
template <class Tin, class Tout>
void bincount(const View& out, const View& in, const View* weights) {
  expect_contiguous(out, "bincount");
  std::vector<char> ib, wb;
  const View a = packed(in, ib);
  View w;
  if (weights != nullptr) {
    w = packed(*weights, wb);
    if (w.numel() != a.numel()) raise(ErrorKind::Shape, "bincount: weights should be 1-d and have the same length as input");
  }
  const int64_t bins = out.numel();
  Tout* o = out.ptr<Tout>();
  std::fill(o, o + bins, Tout(0));
  const Tin* x = a.ptr<Tin>();
  for (int64_t i = 0, n = a.numel(); i < n; ++i) {
    const int64_t v = int64_t(x[i]);
    if (v < 0 || v >= bins) raise(ErrorKind::Range, "bincount: value " + std::to_string(v) + " is outside [0, " + std::to_string(bins) + ")");
    o[v] += weights == nullptr ? Tout(1) : w.ptr<Tout>()[i];
  }
}

// The first position in bd[0..m) (read through sorter when given) whose value is >= v (or > v when
// `right`), by bisection with PyTorch's comparisons: a NaN boundary counts as below every value.
template <class T>
int64_t bisect(const T* bd, const int64_t* sorter, int64_t m, T v, bool right) {
  int64_t lo = 0, hi = m;
  while (lo < hi) {
    const int64_t mid = lo + ((hi - lo) >> 1);
    const T b = sorter ? bd[sorter[mid]] : bd[mid];
    if (right ? !(b > v) : !(b >= v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// out[..., j] = where values[..., j] goes in boundaries[..., :] (one 1-D sequence for all values,
// or one per row of values' leading dims); sorter (int64, boundaries' shape) sorts unsorted rows.
template <class T, class Tout>
void searchsorted(const View& out, const View& boundaries, const View& values, const View* sorter, bool right) {
  expect_contiguous(out, "searchsorted");
  if (out.numel() != values.numel()) raise(ErrorKind::Shape, "searchsorted: the output must have the values' shape");
  if (boundaries.ndim == 0) raise(ErrorKind::Shape, "searchsorted: the boundaries must have at least one dim");
  std::vector<char> bb, vb, sb;
  const View b = packed(boundaries, bb), v = packed(values, vb);
  const int64_t m = b.shape[b.ndim - 1];
  int64_t rows = 1;
  for (int d = 0; d < b.ndim - 1; ++d) rows *= b.shape[d];
  const int64_t per_row = boundaries.ndim == 1 ? v.numel() : (v.ndim == 0 ? 1 : v.shape[v.ndim - 1]);
  if (boundaries.ndim > 1 && rows * per_row != v.numel()) raise(ErrorKind::Shape, "searchsorted: boundaries and values have different leading dims");
  const int64_t* s = nullptr;
  if (sorter != nullptr) {
    const View sv = packed(*sorter, sb);
    if (!same_shape(sv, boundaries)) raise(ErrorKind::Shape, "searchsorted: boundary and sorter must have the same size");
    s = sv.ptr<int64_t>();
    for (int64_t i = 0, n = sv.numel(); i < n; ++i)
      if (s[i] < 0 || s[i] >= m) raise(ErrorKind::Range, "searchsorted(): sorter index out of range");
  }
  const T* bd = b.ptr<T>();
  const T* x = v.ptr<T>();
  Tout* o = out.ptr<Tout>();
  for (int64_t i = 0, n = v.numel(); i < n; ++i) {
    const int64_t row = boundaries.ndim == 1 ? 0 : i / per_row;
    o[i] = Tout(bisect(bd + row * m, s == nullptr ? nullptr : s + row * m, m, x[i], right));
  }
}

}  // namespace tg
