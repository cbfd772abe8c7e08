#include "view.h"

#include <cstring>

namespace tg {

std::string shape_str(const View& v) {
  std::string s = "[";
  for (int d = 0; d < v.ndim; ++d) s += (d ? ", " : "") + std::to_string(v.shape[d]);
  return s + "]";
}

bool same_shape(const View& a, const View& b) {
  if (a.ndim != b.ndim) return false;
  for (int d = 0; d < a.ndim; ++d)
    if (a.shape[d] != b.shape[d]) return false;
  return true;
}

// The stride of dims [from, to) walked as one (size-1 dims skipped; 0 when all are size 1), or
// false when they do not merge.
static bool merged_stride(const View& v, int from, int to, int64_t* stride) {
  bool any = false;
  int64_t expected = 0;
  *stride = 0;
  for (int d = to - 1; d >= from; --d) {
    if (v.shape[d] == 1) continue;
    if (!any) *stride = v.strides[d], any = true;
    else if (v.strides[d] != expected) return false;
    expected = v.strides[d] * v.shape[d];
  }
  return true;
}

View packed(const View& v, std::vector<char>& storage) {
  const int64_t size = dtype_size(v.dtype);
  storage.resize(size_t(v.numel() * size));
  View out = v;
  out.data = storage.data();
  for (int64_t d = v.ndim - 1, stride = 1; d >= 0; --d) out.strides[d] = stride, stride *= v.shape[d];
  const View* views[2] = {&out, &v};
  Strided<2> s = broadcast<2>(views);
  if (s.numel() == 0) return out;
  coalesce(s);
  for_each(s, [&](char** p, const int64_t* st, int64_t n) {
    for (int64_t i = 0; i < n; ++i) std::memcpy(p[0] + i * st[0], p[1] + i * st[1], size_t(size));
  });
  return out;
}

bool block_strides(const View& v, int dim, int64_t* outer, int64_t* along, int64_t* inner) {
  if (v.ndim == 0) {
    *outer = *along = *inner = 0;
    return true;
  }
  *along = v.strides[dim];
  return merged_stride(v, 0, dim, outer) && merged_stride(v, dim + 1, v.ndim, inner);
}

void block_shape(const View& v, int dim, int64_t* outer, int64_t* size, int64_t* inner) {
  *outer = *inner = 1;
  for (int d = 0; d < dim; ++d) *outer *= v.shape[d];
  for (int d = dim + 1; d < v.ndim; ++d) *inner *= v.shape[d];
  *size = v.ndim == 0 ? 1 : v.shape[dim];
}

}  // namespace tg
