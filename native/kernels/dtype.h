// Element types and the switch that turns a runtime dtype into a template argument.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace tg {

enum class DType : int { Float32 = 0, Float64 = 1, Int32 = 2, Int64 = 3, Bool = 4 };

inline const char* dtype_name(DType d) {
  switch (d) {
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Int32: return "int32";
    case DType::Int64: return "int64";
    case DType::Bool: return "bool";
  }
  return "?";
}

inline int64_t dtype_size(DType d) {
  switch (d) {
    case DType::Float32: case DType::Int32: return 4;
    case DType::Float64: case DType::Int64: return 8;
    case DType::Bool: return 1;
  }
  return 1;
}

inline bool is_floating(DType d) { return d == DType::Float32 || d == DType::Float64; }

// bool is stored as one byte holding 0 or 1.
using bool_t = uint8_t;

template <class T> constexpr bool is_float_v = std::is_floating_point<T>::value;

// The unsigned twin of an integer type (arithmetic on it wraps instead of being undefined);
// floating-point types map to themselves.
template <class T, bool = std::is_integral<T>::value> struct wrapping { using type = T; };
template <class T> struct wrapping<T, true> { using type = std::make_unsigned_t<T>; };
template <class T> using wrapping_t = typename wrapping<T>::type;

// Conversions with defined results for every input (a plain C++ cast of NaN or an out-of-range
// float to an integer is undefined). Out-of-range values give what x86's cvtt* instructions give,
// which is what PyTorch prints on x86-64: the integer type's minimum.
template <class To, class From> inline To cast(From v) {
  if constexpr (std::is_same<To, bool_t>::value) {
    return v != From(0) ? 1 : 0;
  } else if constexpr (std::is_integral<To>::value && is_float_v<From>) {
    constexpr double lo = static_cast<double>(std::numeric_limits<To>::min());
    constexpr double hi = -lo;  // 2^31 or 2^63, exclusive
    const double d = static_cast<double>(v);
    return (d >= lo && d < hi) ? static_cast<To>(d) : std::numeric_limits<To>::min();
  } else {
    return static_cast<To>(v);
  }
}

}  // namespace tg

#define TG_CASE(ENUM, TYPE, T, ...) \
  case ::tg::DType::ENUM: {         \
    using T = TYPE;                 \
    __VA_ARGS__;                    \
    break;                          \
  }

// TG_DISPATCH(dtype, T, body): body runs with T bound to the C++ type of dtype.
#define TG_DISPATCH(DT, T, ...)                   \
  switch (DT) {                                   \
    TG_CASE(Float32, float, T, __VA_ARGS__)       \
    TG_CASE(Float64, double, T, __VA_ARGS__)      \
    TG_CASE(Int32, int32_t, T, __VA_ARGS__)       \
    TG_CASE(Int64, int64_t, T, __VA_ARGS__)       \
    TG_CASE(Bool, ::tg::bool_t, T, __VA_ARGS__)   \
  }

#define TG_DISPATCH_FLOAT(DT, T, ...)             \
  switch (DT) {                                   \
    TG_CASE(Float32, float, T, __VA_ARGS__)       \
    TG_CASE(Float64, double, T, __VA_ARGS__)      \
    default: break;                               \
  }
