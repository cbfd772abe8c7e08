// Sorting and selection along one dim: sort, topk, kthvalue, median and mode. NaN orders above
// every number (as in NumPy and PyTorch). Where PyTorch's CPU kernels leave the order of ties to
// their algorithm (std::sort, std::nth_element, std::partial_sort, a median-of-three quickselect)
// the same algorithm runs here on the same sequence of (value, index) pairs, so that the same tie
// is reported: the standard library's algorithms are deterministic for a given input.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "elementwise.h"
#include "parallel.h"
#include "view.h"

namespace tg {

template <class T> inline bool nan_(T x) {
  if constexpr (is_float_v<T>) return std::isnan(x);
  else return false;
}
// a before b ascending (NaN last) and descending (NaN first).
template <class T> inline bool asc(T a, T b) { return (!nan_(a) && nan_(b)) || a < b; }
template <class T> inline bool desc(T a, T b) { return (nan_(a) && !nan_(b)) || a > b; }

// A line along `dim` of operand k: its first element, its stride in bytes and its length.
struct Line {
  char* p;
  int64_t step;
  int64_t n;
  template <class T> T& at(int64_t j) const { return *reinterpret_cast<T*>(p + j * step); }
};

// The length of v along dim (a 0-d view is one line of one element).
inline int64_t length_along(const View& v, int dim) { return v.ndim == 0 ? 1 : v.shape[dim]; }
// The input's line length, 1 for a dim out of range (which along_lines then refuses).
inline int64_t line_length(const View& in, int dim) { return dim < 0 || dim >= in.ndim ? 1 : in.shape[dim]; }

// Calls f(lines) for every position of the dims other than `dim`, in parallel: lines[k] is
// operand k's line there. Operands share the last one's (the input's) shape in every other dim;
// along `dim` each has the length `lengths` gives (checked here). A 0-d input is one line of one
// element. f must not throw: it may run on the pool's threads, so kernels check beforehand.
template <int N, class F>
void along_lines(const View* const (&v)[N], int dim, const int64_t (&lengths)[N], F f) {
  const View& in = *v[N - 1];
  if (in.ndim == 0 ? dim != 0 : (dim < 0 || dim >= in.ndim)) raise(ErrorKind::Range, "dim " + std::to_string(dim) + " is out of range");
  for (int k = 0; k < N; ++k) {
    bool ok = v[k]->ndim == in.ndim && length_along(*v[k], dim) == lengths[k];
    for (int d = 0; ok && d < in.ndim; ++d) ok = d == dim || v[k]->shape[d] == in.shape[d];
    if (!ok) raise(ErrorKind::Shape, "an output " + shape_str(*v[k]) + " does not fit the input " + shape_str(in) + " along dim " + std::to_string(dim));
  }
  Strided<N> s;
  s.ndim = 0;
  Line base[N];
  for (int k = 0; k < N; ++k) {
    s.data[k] = v[k]->data;
    base[k] = {v[k]->data, in.ndim == 0 ? 0 : v[k]->strides[dim] * dtype_size(v[k]->dtype), lengths[k]};
  }
  for (int d = 0; d < in.ndim; ++d) {
    if (d == dim) continue;
    s.shape[s.ndim] = in.shape[d];
    for (int k = 0; k < N; ++k) s.strides[k][s.ndim] = v[k]->strides[d] * dtype_size(v[k]->dtype);
    ++s.ndim;
  }
  if (s.numel() == 0) return;
  for (int k = 0; k < N; ++k)
    if (base[k].n == 0) return;
  coalesce(s);
  parallel_for(s.numel(), std::max<int64_t>(1, kElementwiseGrain / base[N - 1].n), [&](int64_t b, int64_t e) {
    for_each_range(s, b, e, [&](char** p, const int64_t* st, int64_t count) {
      Line l[N];
      for (int64_t i = 0; i < count; ++i) {
        for (int k = 0; k < N; ++k) l[k] = {p[k] + i * st[k], base[k].step, base[k].n};
        f(l);
      }
    });
  });
}

template <class T> using Pairs = std::vector<std::pair<T, int64_t>>;

template <class T> void read_pairs(const Line& in, Pairs<T>& q) {
  q.resize(size_t(in.n));
  for (int64_t j = 0; j < in.n; ++j) q[size_t(j)] = {in.at<T>(j), j};
}

template <class T> void write_pairs(const Pairs<T>& q, const Line& values, const Line& indices) {
  for (int64_t j = 0; j < values.n; ++j) values.at<T>(j) = q[size_t(j)].first, indices.at<int64_t>(j) = q[size_t(j)].second;
}

// values, indices: the input sorted along dim and where each element came from. PyTorch's unstable
// sort is a vectorised quicksort for numbers (its order of ties depends on the CPU) and std::sort
// for bool; here numbers always sort stably, and bool takes std::sort unless `stable`.
template <class T>
void sort(const View& values, const View& indices, const View& in, int dim, bool descending, bool stable) {
  const View* v[3] = {&values, &indices, &in};
  const int64_t n = line_length(in, dim);
  along_lines<3>(v, dim, {n, n, n}, [&](const Line* l) {
    Pairs<T> q;
    read_pairs(l[2], q);
    auto by = [&](const std::pair<T, int64_t>& a, const std::pair<T, int64_t>& b) { return descending ? desc(a.first, b.first) : asc(a.first, b.first); };
    if (std::is_same<T, bool_t>::value && !stable) std::sort(q.begin(), q.end(), by);
    else std::stable_sort(q.begin(), q.end(), by);
    write_pairs(q, l[0], l[1]);
  });
}

// The k largest (or smallest) along dim, as PyTorch's CPU kernel selects them: a partial sort when
// k is small against the line, else nth_element and, when `sorted`, a sort of those before the kth.
template <class T>
void topk(const View& values, const View& indices, const View& in, int dim, int64_t k, bool largest, bool sorted) {
  const View* v[3] = {&values, &indices, &in};
  const int64_t n = line_length(in, dim);
  if (k < 0 || k > n) raise(ErrorKind::Range, "topk: selected index k out of range");
  along_lines<3>(v, dim, {k, k, n}, [&](const Line* l) {
    Pairs<T> q;
    read_pairs(l[2], q);
    auto by = [&](const std::pair<T, int64_t>& a, const std::pair<T, int64_t>& b) { return largest ? desc(a.first, b.first) : asc(a.first, b.first); };
    if (k * 64 <= l[2].n) {
      std::partial_sort(q.begin(), q.begin() + k, q.end(), by);
    } else {
      std::nth_element(q.begin(), q.begin() + (k - 1), q.end(), by);
      if (sorted) std::sort(q.begin(), q.begin() + (k - 1), by);
    }
    write_pairs(q, l[0], l[1]);
  });
}

// Moves the kth smallest of vals (NaN above all) to position k, swapping idx along: Hoare
// partitioning around a median-of-three pivot (Sedgewick's quickselect), which is how PyTorch's
// kthvalue picks among ties.
template <class T>
void quickselect(std::vector<T>& vals, std::vector<int64_t>& idx, int64_t k, int64_t rounds = -1) {
  auto above = [](T x, T y) { return (nan_(x) && !nan_(y)) || x > y; };
  auto swap = [&](int64_t i, int64_t j) { std::swap(vals[size_t(i)], vals[size_t(j)]), std::swap(idx[size_t(i)], idx[size_t(j)]); };
  auto a = [&](int64_t i) { return vals[size_t(i)]; };
  int64_t lo = 0, hi = int64_t(vals.size()) - 1;
  // Inputs built to defeat the median of three would make it quadratic: past 4 log2(n) + 32
  // rounds (ordinary inputs take about 2 log2(n)) the rest is left to nth_element, which is
  // linear but may pick another of equal values than PyTorch.
  if (rounds < 0) {
    rounds = 32;
    for (int64_t m = hi + 1; m > 1; m >>= 1) rounds += 4;
  }
  while (hi > lo) {
    if (--rounds < 0) {
      std::vector<std::pair<T, int64_t>> rest;
      for (int64_t i = lo; i <= hi; ++i) rest.emplace_back(a(i), idx[size_t(i)]);
      std::nth_element(rest.begin(), rest.begin() + (k - lo), rest.end(),
                       [&](const std::pair<T, int64_t>& x, const std::pair<T, int64_t>& y) { return above(y.first, x.first); });
      for (int64_t i = lo; i <= hi; ++i) vals[size_t(i)] = rest[size_t(i - lo)].first, idx[size_t(i)] = rest[size_t(i - lo)].second;
      return;
    }
    if (hi == lo + 1) {
      if (above(a(lo), a(hi))) swap(lo, hi);
      return;
    }
    swap((lo + hi) >> 1, lo + 1);  // order a[lo + 1] <= a[lo] <= a[hi]: a[lo] is the pivot
    if (above(a(lo + 1), a(hi))) swap(lo + 1, hi);
    if (above(a(lo), a(hi))) swap(lo, hi);
    if (above(a(lo + 1), a(lo))) swap(lo + 1, lo);
    int64_t i = lo + 1, j = hi;
    const T pivot = a(lo);
    for (;;) {
      do ++i; while (above(pivot, a(i)));
      do --j; while (above(a(j), pivot));
      if (j < i) break;
      swap(i, j);
    }
    swap(lo, j);
    if (j <= k) lo = i;
    if (j >= k) hi = j - 1;
  }
}

// values, indices (size 1 along dim): the kth smallest along dim (k from 1) and where it was.
template <class T>
void kthvalue(const View& values, const View& indices, const View& in, int dim, int64_t k) {
  const View* v[3] = {&values, &indices, &in};
  const int64_t n = line_length(in, dim);
  if (k < 1 || k > n) raise(ErrorKind::Range, "kthvalue: selected number k out of range");
  along_lines<3>(v, dim, {1, 1, n}, [&](const Line* l) {
    std::vector<T> vals(size_t(l[2].n));
    std::vector<int64_t> idx(size_t(l[2].n));
    for (int64_t j = 0; j < l[2].n; ++j) vals[size_t(j)] = l[2].at<T>(j), idx[size_t(j)] = j;
    quickselect(vals, idx, k - 1);
    l[0].at<T>(0) = vals[size_t(k - 1)];
    l[1].at<int64_t>(0) = idx[size_t(k - 1)];
  });
}

// values, indices (size 1 along dim): the lower median along dim. With NaN present it is the first
// NaN, unless ignore_nan (nanmedian), which takes the lower median of the rest (a NaN when all
// are). Ties go by index, as PyTorch orders them; an all-NaN line reports the index
// nth_element leaves in the middle, as PyTorch's does.
template <class T>
void median(const View& values, const View& indices, const View& in, int dim, bool ignore_nan) {
  const View* v[3] = {&values, &indices, &in};
  const int64_t len = line_length(in, dim);
  if (len == 0 && values.numel() != 0) raise(ErrorKind::Index, "median: the dim has size 0");
  along_lines<3>(v, dim, {1, 1, len}, [&](const Line* l) {
    const int64_t n = l[2].n;
    std::vector<T> x(static_cast<size_t>(n));
    for (int64_t j = 0; j < n; ++j) x[size_t(j)] = l[2].at<T>(j);
    int64_t nans = 0;
    for (int64_t j = 0; j < n; ++j) {
      if (!nan_(x[size_t(j)])) continue;
      if (!ignore_nan) {
        l[0].at<T>(0) = x[size_t(j)], l[1].at<int64_t>(0) = j;
        return;
      }
      ++nans;
    }
    std::vector<int64_t> idx(static_cast<size_t>(n));
    std::iota(idx.begin(), idx.end(), int64_t(0));
    auto nth = idx.begin() + (n - nans - 1) / 2;
    std::nth_element(idx.begin(), nth, idx.end(), [&](int64_t i, int64_t j) {
      const T a = x[size_t(i)], b = x[size_t(j)];
      return a < b || (a == b && i < j) || (nan_(b) && !nan_(a));
    });
    l[0].at<T>(0) = x[size_t(*nth)];
    l[1].at<int64_t>(0) = *nth;
  });
}

// values, indices (size 1 along dim): the most frequent value along dim (the smallest of the most
// frequent) and an index where it occurs: the one PyTorch's kernel reports, the last of its run
// after std::sort by value.
template <class T>
void mode(const View& values, const View& indices, const View& in, int dim) {
  const View* v[3] = {&values, &indices, &in};
  const int64_t len = line_length(in, dim);
  if (len == 0 && values.numel() != 0) raise(ErrorKind::Index, "mode: the dim has size 0");
  along_lines<3>(v, dim, {1, 1, len}, [&](const Line* l) {
    Pairs<T> q;
    read_pairs(l[2], q);
    std::sort(q.begin(), q.end(), [](const std::pair<T, int64_t>& a, const std::pair<T, int64_t>& b) { return a.first < b.first; });
    T best{};
    int64_t at = 0, run = 0, most = 0;
    const int64_t n = int64_t(q.size());
    for (int64_t i = 0; i < n; ++i) {
      ++run;
      if (i == n - 1 || q[size_t(i)].first != q[size_t(i + 1)].first) {
        if (run > most) best = q[size_t(i)].first, at = q[size_t(i)].second, most = run;
        run = 0;
      }
    }
    l[0].at<T>(0) = best;
    l[1].at<int64_t>(0) = at;
  });
}

}  // namespace tg
