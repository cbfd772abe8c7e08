// gather / scatter along one dim. Iteration runs over the index tensor's shape; the operand that
// is indexed along `dim` has its stride there set to 0 and is offset by index * its dim stride.
// Every index is checked against the size of that dim before it is used.
#pragma once
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "dtype.h"
#include "elementwise.h"
#include "strided.h"
#include "view.h"

namespace tg {

struct Along {
  int dim;          // for messages
  int64_t stride;   // bytes
  int64_t size;
};

inline int64_t checked(int64_t i, const Along& a) {
  if (i < 0 || i >= a.size)
    throw std::out_of_range("index " + std::to_string(i) + " is out of bounds for dimension " + std::to_string(a.dim) +
                            " with size " + std::to_string(a.size));
  return i;
}

// The iteration of gather (out, src, index; src indexed) and scatter (self, src, index; self
// indexed) over the index's shape: every operand has the index's ndim and covers the index in
// every dim but the indexed operand's `dim`, whose size and stride go to `along` (its stride in
// the loop becomes 0). A scalar src (scatter's value) is left to the caller.
inline Strided<3> along_dim(const View* const (&v)[3], int indexed, int dim, bool scalar_src, Along* along) {
  const View& index = *v[2];
  if (index.ndim == 0) raise(ErrorKind::Range, "gather/scatter: the index needs at least one dim");
  if (dim < 0 || dim >= index.ndim) raise(ErrorKind::Range, "gather/scatter: dim " + std::to_string(dim) + " is out of range");
  Strided<3> s;
  s.ndim = index.ndim;
  for (int d = 0; d < s.ndim; ++d) s.shape[d] = index.shape[d];
  for (int k = 0; k < 3; ++k) {
    s.data[k] = v[k]->data;
    if (k == 1 && scalar_src) continue;
    if (v[k]->ndim != index.ndim)
      raise(ErrorKind::Shape, "gather/scatter: index " + shape_str(index) + " and an operand " + shape_str(*v[k]) + " differ in ndim");
    for (int d = 0; d < s.ndim; ++d) {
      if (!(k == indexed && d == dim) && v[k]->shape[d] < index.shape[d])
        raise(ErrorKind::Shape, "gather/scatter: index " + shape_str(index) + " is larger than an operand " + shape_str(*v[k]) +
                                    " in dim " + std::to_string(d));
      s.strides[k][d] = v[k]->strides[d] * dtype_size(v[k]->dtype);
    }
  }
  along->dim = dim;
  along->size = v[indexed]->shape[dim];
  along->stride = s.strides[indexed][dim];
  s.strides[indexed][dim] = 0;
  return s;
}

// out[p] = src[p with p[dim] = index[p]]; operands out, src, index.
template <class T>
void gather(Strided<3>& s, const Along& src) {
  coalesce(s);
  for_each(s, [&](char** p, const int64_t* st, int64_t n) {
    if (st[2] == 0) {  // one index for the whole run (index_select): check it once, copy the run
      const char* from = p[1] + checked(*reinterpret_cast<const int64_t*>(p[2]), src) * src.stride;
      if (st[0] == int64_t(sizeof(T)) && st[1] == int64_t(sizeof(T))) {
        std::memcpy(p[0], from, size_t(n) * sizeof(T));
      } else {
        for (int64_t i = 0; i < n; ++i)
          *reinterpret_cast<T*>(p[0] + i * st[0]) = *reinterpret_cast<const T*>(from + i * st[1]);
      }
      return;
    }
    for (int64_t i = 0; i < n; ++i) {
      const int64_t at = checked(*reinterpret_cast<const int64_t*>(p[2] + i * st[2]), src);
      *reinterpret_cast<T*>(p[0] + i * st[0]) = *reinterpret_cast<const T*>(p[1] + i * st[1] + at * src.stride);
    }
  });
}

// self[p with p[dim] = index[p]] (+)= src[p]; operands self, src, index. Accumulate adds, else assigns.
template <class T, bool Accumulate>
void scatter(Strided<3>& s, const Along& self) {
  coalesce(s);
  for_each(s, [&](char** p, const int64_t* st, int64_t n) {
    if (st[2] == 0) {  // one index for the whole run (index_add-like): check it once
      char* to = p[0] + checked(*reinterpret_cast<const int64_t*>(p[2]), self) * self.stride;
      for (int64_t i = 0; i < n; ++i) {
        T* dst = reinterpret_cast<T*>(to + i * st[0]);
        const T v = *reinterpret_cast<const T*>(p[1] + i * st[1]);
        *dst = Accumulate ? wadd(*dst, v) : v;
      }
      return;
    }
    for (int64_t i = 0; i < n; ++i) {
      const int64_t at = checked(*reinterpret_cast<const int64_t*>(p[2] + i * st[2]), self);
      T* dst = reinterpret_cast<T*>(p[0] + i * st[0] + at * self.stride);
      const T v = *reinterpret_cast<const T*>(p[1] + i * st[1]);
      *dst = Accumulate ? wadd(*dst, v) : v;
    }
  });
}

// scatter_reduce_'s reductions (their codes are also written in src/ops/scatter_reduce.ts); mean
// is a sum divided by the counts there.
enum class ScatterReduce { Sum = 0, Prod = 1, Amax = 2, Amin = 3 };

// What a position reduced without self's value starts from.
template <class T>
T reduce_identity(ScatterReduce r) {
  switch (r) {
    case ScatterReduce::Prod: return T(1);
    case ScatterReduce::Amax: return std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::lowest();
    case ScatterReduce::Amin: return std::numeric_limits<T>::has_infinity ? std::numeric_limits<T>::infinity() : std::numeric_limits<T>::max();
    default: return T(0);
  }
}

// a NaN on either side wins amax and amin, as in PyTorch
template <class T>
T reduce_pair(ScatterReduce r, T a, T b) {
  switch (r) {
    case ScatterReduce::Prod: return wmul(a, b);
    case ScatterReduce::Amax: return b != b ? b : (a < b ? b : a);
    case ScatterReduce::Amin: return b != b ? b : (b < a ? b : a);
    default: return wadd(a, b);
  }
}

// self[p with p[dim] = index[p]] = reduce(self[...], src[p]) over the index's positions in
// row-major order; without include_self, each position reached starts from the identity.
template <class T>
void scatter_reduce(Strided<3>& s, const Along& self, ScatterReduce r, bool include_self) {
  coalesce(s);
  if (!include_self) {
    const T start = reduce_identity<T>(r);
    for_each(s, [&](char** p, const int64_t* st, int64_t n) {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<T*>(p[0] + i * st[0] + checked(*reinterpret_cast<const int64_t*>(p[2] + i * st[2]), self) * self.stride) = start;
    });
  }
  for_each(s, [&](char** p, const int64_t* st, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      T* dst = reinterpret_cast<T*>(p[0] + i * st[0] + checked(*reinterpret_cast<const int64_t*>(p[2] + i * st[2]), self) * self.stride);
      *dst = reduce_pair(r, *dst, *reinterpret_cast<const T*>(p[1] + i * st[1]));
    }
  });
}

}  // namespace tg
