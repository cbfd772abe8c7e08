// Advanced indexing (torch's index and index_put_): k index tensors, broadcast to one shape B and
// stacked as `indices` [k, B...], pick positions in the first k dims of `self` [I_0..I_{k-1}, R...]:
//
//   index:      out[b, r] = self[indices[0][b], ..., indices[k-1][b], r]     out [B..., R...]
//   index_put_: self[indices[0][b], ..., r] (+)= values[b, r]                values [B..., R...]
//
// The caller moves the indexed dims to the front and out's B dims to its front (views, no copies).
// A negative index counts from the end of its dim; every index is checked before it is used.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>

#include "dtype.h"
#include "elementwise.h"
#include "strided.h"
#include "view.h"

namespace tg {

struct Indexer {
  int k = 0;
  int64_t size[kMaxDims];
  int64_t stride[kMaxDims];  // bytes
  int64_t step = 0;          // bytes from index j to index j + 1

  // The byte offset into self of the position the k indices at `at` name.
  int64_t offset(const char* at) const {
    int64_t off = 0;
    for (int j = 0; j < k; ++j) {
      int64_t i = *reinterpret_cast<const int64_t*>(at + j * step);
      const int64_t original = i;
      if (i < 0) i += size[j];
      if (i < 0 || i >= size[j])
        raise(ErrorKind::Index, "index " + std::to_string(original) + " is out of bounds for dimension " + std::to_string(j) +
                                    " with size " + std::to_string(size[j]));
      off += i * stride[j];
    }
    return off;
  }
};

// The iteration of index (operands out, self, indices) and index_put_ (self, values, indices) over
// [B..., R...]: `data` is operand 0's view of that shape (out, or values; null for a scalar value),
// self's k indexed dims read through `ix` (stride 0 in the loop), the indices' first dim through ix.step.
inline Strided<3> index_geometry(const View* data, const View& self, const View& indices, int self_at, Indexer* ix) {
  if (indices.dtype != DType::Int64) raise(ErrorKind::DType, "index: the indices must be int64");
  if (indices.ndim < 1 || indices.shape[0] < 1 || indices.shape[0] > self.ndim)
    raise(ErrorKind::Shape, "index: indices " + shape_str(indices) + " do not fit self " + shape_str(self));
  const int k = int(indices.shape[0]), nb = indices.ndim - 1, nr = self.ndim - k;
  if (nb + nr > kMaxDims) raise(ErrorKind::Shape, "index: the result would have more than " + std::to_string(kMaxDims) + " dims");
  Strided<3> s;
  s.ndim = nb + nr;
  for (int d = 0; d < nb; ++d) s.shape[d] = indices.shape[1 + d];
  for (int d = 0; d < nr; ++d) s.shape[nb + d] = self.shape[k + d];
  const int other = 1 - self_at;
  if (data != nullptr) {
    if (data->ndim != s.ndim) raise(ErrorKind::Shape, "index: an operand " + shape_str(*data) + " does not match indices " + shape_str(indices) + " and self " + shape_str(self));
    for (int d = 0; d < s.ndim; ++d) {
      if (data->shape[d] != s.shape[d])
        raise(ErrorKind::Shape, "index: an operand " + shape_str(*data) + " does not match indices " + shape_str(indices) + " and self " + shape_str(self));
      s.strides[other][d] = data->strides[d] * dtype_size(data->dtype);
    }
    s.data[other] = data->data;
  }
  const int64_t es = dtype_size(self.dtype);
  for (int d = 0; d < nb; ++d) {
    s.strides[self_at][d] = 0;
    s.strides[2][d] = indices.strides[1 + d] * 8;
  }
  for (int d = 0; d < nr; ++d) {
    s.strides[self_at][nb + d] = self.strides[k + d] * es;
    s.strides[2][nb + d] = 0;
  }
  s.data[self_at] = self.data;
  s.data[2] = indices.data;
  ix->k = k;
  for (int j = 0; j < k; ++j) {
    ix->size[j] = self.shape[j];
    ix->stride[j] = self.strides[j] * es;
  }
  ix->step = indices.strides[0] * 8;
  return s;
}

// out[b, r] = self[indices[:, b], r]; operands out, self, indices.
template <class T>
void index_gather(Strided<3>& s, const Indexer& ix) {
  coalesce(s);
  for_each(s, [&](char** p, const int64_t* st, int64_t n) {
    if (st[2] == 0) {  // one position for the whole run (an embedding row): check it once, copy the run
      const char* from = p[1] + ix.offset(p[2]);
      if (st[0] == int64_t(sizeof(T)) && st[1] == int64_t(sizeof(T))) {
        std::memcpy(p[0], from, size_t(n) * sizeof(T));
      } else {
        for (int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(p[0] + i * st[0]) = *reinterpret_cast<const T*>(from + i * st[1]);
      }
      return;
    }
    for (int64_t i = 0; i < n; ++i)
      *reinterpret_cast<T*>(p[0] + i * st[0]) = *reinterpret_cast<const T*>(p[1] + i * st[1] + ix.offset(p[2] + i * st[2]));
  });
}

// self[indices[:, b], r] = values[b, r], or += with Accumulate; operands self, values, indices.
// Serial, in row-major order of [B..., R...]: of repeated positions the last write wins.
template <class T, bool Accumulate>
void index_put(Strided<3>& s, const Indexer& ix) {
  coalesce(s);
  for_each(s, [&](char** p, const int64_t* st, int64_t n) {
    if (st[2] == 0) {
      char* to = p[0] + ix.offset(p[2]);
      for (int64_t i = 0; i < n; ++i) {
        T* dst = reinterpret_cast<T*>(to + i * st[0]);
        const T v = *reinterpret_cast<const T*>(p[1] + i * st[1]);
        *dst = Accumulate ? wadd(*dst, v) : v;
      }
      return;
    }
    for (int64_t i = 0; i < n; ++i) {
      T* dst = reinterpret_cast<T*>(p[0] + i * st[0] + ix.offset(p[2] + i * st[2]));
      const T v = *reinterpret_cast<const T*>(p[1] + i * st[1]);
      *dst = Accumulate ? wadd(*dst, v) : v;
    }
  });
}

}  // namespace tg
