// A tensor operand as a kernel sees it, the errors kernels report, and the geometry every kernel
// family derives from its operands: broadcasting to an output's shape, splitting a reduction into
// kept and reduced dims, walking a dim as [outer, size, inner]. Plain C++: no Node-API here.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "dtype.h"
#include "strided.h"

namespace tg {

// The kinds of error a kernel reports; the bindings raise JavaScript's error of the same kind
// (TypeError, RangeError, and tensorgrad's ShapeError, DTypeError and IndexError).
enum class ErrorKind { Type, Range, Shape, DType, Index };

struct KernelError : std::runtime_error {
  ErrorKind kind;
  KernelError(ErrorKind k, const std::string& message) : std::runtime_error(message), kind(k) {}
};

[[noreturn]] inline void raise(ErrorKind kind, const std::string& message) { throw KernelError(kind, message); }

// One operand: its first element, dtype, shape and strides in elements. The bindings have checked
// that every element it reaches lies inside its buffer.
struct View {
  char* data = nullptr;
  DType dtype = DType::Float32;
  int ndim = 0;
  int64_t shape[kMaxDims];
  int64_t strides[kMaxDims];

  int64_t numel() const {
    int64_t n = 1;
    for (int d = 0; d < ndim; ++d) n *= shape[d];
    return n;
  }
  int64_t size(int d) const { return shape[d < 0 ? d + ndim : d]; }
  int64_t stride(int d) const { return strides[d < 0 ? d + ndim : d]; }
  template <class T> T* ptr() const { return reinterpret_cast<T*>(data); }
  // Row-major and dense (size-1 dims may have any stride).
  bool contiguous() const {
    int64_t expect = 1;
    for (int d = ndim - 1; d >= 0; --d) {
      if (shape[d] != 1 && strides[d] != expect) return false;
      expect *= shape[d];
    }
    return true;
  }
};

std::string shape_str(const View& v);
bool same_shape(const View& a, const View& b);

// The first N views over views[0]'s shape as a Strided<N> (byte strides): every other view is
// broadcast to it, right-aligned, a size-1 or missing dim read with stride 0. A ShapeError when one
// does not broadcast.
template <int N>
Strided<N> broadcast(const View* const (&views)[N]) {
  const View& out = *views[0];
  Strided<N> s;
  s.ndim = out.ndim;
  for (int d = 0; d < out.ndim; ++d) s.shape[d] = out.shape[d];
  for (int k = 0; k < N; ++k) {
    const View& v = *views[k];
    if (v.ndim > out.ndim) raise(ErrorKind::Shape, "an operand of shape " + shape_str(v) + " does not broadcast to " + shape_str(out));
    const int lead = out.ndim - v.ndim;
    const int64_t bytes = dtype_size(v.dtype);
    for (int d = 0; d < out.ndim; ++d) {
      const int vd = d - lead;
      if (vd < 0 || (v.shape[vd] == 1 && out.shape[d] != 1)) {
        s.strides[k][d] = 0;
      } else if (v.shape[vd] == out.shape[d]) {
        s.strides[k][d] = v.strides[vd] * bytes;
      } else {
        raise(ErrorKind::Shape, "an operand of shape " + shape_str(v) + " does not broadcast to " + shape_str(out));
      }
    }
    s.data[k] = v.data;
  }
  return s;
}

// A number standing for an operand: read from `slot` with stride 0 in every dim.
template <class T, int N>
void scalar_operand(Strided<N>& s, int k, T* slot) {
  s.data[k] = reinterpret_cast<char*>(slot);
  for (int d = 0; d < s.ndim; ++d) s.strides[k][d] = 0;
}

// v copied row-major into `storage` (resized to fit), as a view of the same shape and dtype.
View packed(const View& v, std::vector<char>& storage);

// A dim walked as [outer, size, inner] blocks: the strides (elements) of the dims before it
// merged into one, of the dim itself, and of the dims after it merged. False when the view's
// layout cannot be walked that way (its outer or inner dims do not merge).
bool block_strides(const View& v, int dim, int64_t* outer, int64_t* along, int64_t* inner);
// [outer, size, inner] of the shape around `dim` (a 0-d view is one block of one).
void block_shape(const View& v, int dim, int64_t* outer, int64_t* size, int64_t* inner);

}  // namespace tg
