// Random fills: seed(state, lo, hi), uniform_(out, state, from, to), normal_(out, state, mean, std),
// randint_(out, state, low, high), randperm(out, state, n), bernoulli_(out, state, p). `state` is
// a Generator's Uint32Array; out's shape and strides are in the metadata buffer.
#include <algorithm>
#include <cmath>
#include <vector>

#include "../kernels/random.h"
#include "args.h"
#include "binding.h"

namespace tg {
namespace {

uint32_t* state_arg(const Napi::CallbackInfo& info, size_t i) {
  Napi::Env env = info.Env();
  if (i >= info.Length() || !info[i].IsTypedArray()) fail(env, ErrorKind::Type, "state must be a Uint32Array");
  Napi::TypedArray t = info[i].As<Napi::TypedArray>();
  if (t.TypedArrayType() != napi_uint32_array || t.ElementLength() < size_t(gen::kSize))
    fail(env, ErrorKind::Type, "state must be a Uint32Array of at least " + std::to_string(gen::kSize) + " words");
  auto* data = static_cast<uint32_t*>(t.As<Napi::Uint32Array>().Data());
  if (data == nullptr) fail(env, ErrorKind::Type, "state's buffer is detached");
  return data;
}

// The output as a Strided<1> (out at 0, state at 1).
Strided<1> out_arg(const Napi::CallbackInfo& info, Buf* out) {
  *out = buf_arg(info, 0, "out");
  Meta meta(info);
  Strided<1> s;
  s.ndim = meta.shape(s.shape);
  s.data[0] = meta.operand(*out, s.ndim, s.shape, s.strides[0]);
  meta.done();
  return s;
}

// Writes f() to every element of s in memory order (dims by decreasing stride), the order in
// which PyTorch's TensorIterator visits them: a transposed tensor is filled as it lies in memory.
template <class T, class F>
void fill_each(Strided<1>& s, F f) {
  int order[kMaxDims];
  for (int d = 0; d < s.ndim; ++d) order[d] = d;
  std::stable_sort(order, order + s.ndim, [&](int a, int b) { return s.strides[0][a] > s.strides[0][b]; });
  Strided<1> m;
  m.ndim = s.ndim;
  m.data[0] = s.data[0];
  for (int d = 0; d < s.ndim; ++d) {
    m.shape[d] = s.shape[order[d]];
    m.strides[0][d] = s.strides[0][order[d]];
  }
  coalesce(m);
  for_each(m, [&](char** p, const int64_t* st, int64_t n) {
    for (int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(p[0] + i * st[0]) = f();
  });
}

bool contiguous(const Strided<1>& s, int64_t elem_bytes) {
  int64_t expect = elem_bytes;
  for (int d = s.ndim - 1; d >= 0; --d) {
    if (s.shape[d] != 1 && s.strides[0][d] != expect) return false;
    expect *= s.shape[d];
  }
  return true;
}

Napi::Value seed_binding(const Napi::CallbackInfo& info) {
  uint32_t* state = state_arg(info, 0);
  const double lo = number_arg(info, 1, "lo"), hi = number_arg(info, 2, "hi");
  if (!(lo >= 0 && lo < 4294967296.0 && hi >= 0 && hi < 4294967296.0) || lo != std::floor(lo) || hi != std::floor(hi))
    fail(info.Env(), ErrorKind::Range, "seed words must be integers in [0, 2^32)");
  Generator(state).seed((uint64_t(hi) << 32) | uint64_t(lo));
  return info.Env().Undefined();
}

Napi::Value uniform_binding(const Napi::CallbackInfo& info) {
  Buf out;
  Strided<1> s = out_arg(info, &out);
  Generator g(state_arg(info, 1));
  const double from = number_arg(info, 2, "from"), to = number_arg(info, 3, "to");
  expect_float(info.Env(), out, "uniform_");
  const bool fused = fused_random_transforms();
  TG_DISPATCH_FLOAT(out.dtype, T, {
    const T lo = T(from), hi = T(to);
    fill_each<T>(s, [&] {
      if constexpr (std::is_same<T, float>::value) return uniform_from<T>(g.uniform_float(), lo, hi, fused);
      else return uniform_from<T>(g.uniform_double(), lo, hi, fused);
    });
  });
  return info.Env().Undefined();
}

// normal_: contiguous tensors of 16 or more elements take the 16-wide fill; others draw one
// Box-Muller sample per element (normal_distribution<double>, with its cached second sample).
Napi::Value normal_binding(const Napi::CallbackInfo& info) {
  Buf out;
  Strided<1> s = out_arg(info, &out);
  Generator g(state_arg(info, 1));
  const double mean = number_arg(info, 2, "mean"), std = number_arg(info, 3, "std");
  expect_float(info.Env(), out, "normal_");
  const bool fused = fused_random_transforms();
  const int64_t size = s.numel();
  TG_DISPATCH_FLOAT(out.dtype, T, {
    if (size >= 16 && contiguous(s, sizeof(T))) {
      normal_fill(reinterpret_cast<T*>(s.data[0]), size, g, T(mean), T(std), fused);
    } else {
      fill_each<T>(s, [&] {
        const double v = g.normal_double();
        return T(fused ? std::fma(v, std, mean) : v * std + mean);
      });
    }
  });
  return info.Env().Undefined();
}

Napi::Value randint_binding(const Napi::CallbackInfo& info) {
  Buf out;
  Strided<1> s = out_arg(info, &out);
  Generator g(state_arg(info, 1));
  const double low = number_arg(info, 2, "low"), high = number_arg(info, 3, "high");
  // Bounds are exact integers in [-2^63, 2^63]; their difference can need 64 unsigned bits.
  const double limit = 9223372036854775808.0;
  if (!(high > low) || low != std::floor(low) || high != std::floor(high) || low < -limit || high > limit)
    fail(info.Env(), ErrorKind::Range, "randint: expected integers with low < high");
  // high - low in (0, 2^64], computed modulo 2^64 on the bounds' two's-complement bits (2^63 has
  // the bits of -2^63): 0 stands for the full 2^64.
  const auto bits = [limit](double v) { return v >= limit ? uint64_t(1) << 63 : uint64_t(int64_t(v)); };
  const uint64_t range = bits(high) - bits(low);
  const int64_t base = int64_t(low);
  const auto draw = [&]() -> int64_t {
    const uint64_t r = range == 0                        ? g.random64()
                       : range >= (uint64_t(1) << 32) ? g.random64() % range
                                                      : uint64_t(g.random() % range);
    return int64_t(uint64_t(base) + r);
  };
  TG_DISPATCH(out.dtype, T, { fill_each<T>(s, [&] { return cast<T>(draw()); }); });
  return info.Env().Undefined();
}

Napi::Value randperm_binding(const Napi::CallbackInfo& info) {
  Buf out = buf_arg(info, 0, "out");
  Generator g(state_arg(info, 1));
  const double n = number_arg(info, 2, "n");
  expect_dtype(info.Env(), out, DType::Int64, "out");
  if (!(n >= 0 && n <= double(out.length)) || n != std::floor(n))
    fail(info.Env(), ErrorKind::Range, "randperm: n must be an integer between 0 and the buffer's length");
  int64_t* r = reinterpret_cast<int64_t*>(out.data);
  const int64_t count = int64_t(n);
  if (count < 214748364) {  // UINT32_MAX / 20: PyTorch swaps forward with 32-bit draws
    for (int64_t i = 0; i < count; ++i) r[i] = i;
    for (int64_t i = 0; i + 1 < count; ++i) {
      const int64_t z = int64_t(g.random() % uint32_t(count - i));
      std::swap(r[i], r[z + i]);
    }
  } else {  // and above it fills inside out with 64-bit draws
    for (int64_t i = 0; i < count; ++i) {
      const int64_t z = int64_t(g.random64() % uint64_t(i + 1));
      r[i] = r[z];
      r[z] = i;
    }
  }
  return info.Env().Undefined();
}

Napi::Value bernoulli_binding(const Napi::CallbackInfo& info) {
  Buf out;
  Strided<1> s = out_arg(info, &out);
  Generator g(state_arg(info, 1));
  const double p = number_arg(info, 2, "p");
  if (!(p >= 0 && p <= 1)) fail(info.Env(), ErrorKind::Range, "bernoulli_: p must be in [0, 1]");
  TG_DISPATCH(out.dtype, T, { fill_each<T>(s, [&] { return T(g.uniform_double() < p ? 1 : 0); }); });
  return info.Env().Undefined();
}

}  // namespace

void register_random(Napi::Env env, Napi::Object exports) {
  exports.Set("seed", Napi::Function::New(env, seed_binding, "seed"));
  exports.Set("uniform_", Napi::Function::New(env, uniform_binding, "uniform_"));
  exports.Set("normal_", Napi::Function::New(env, normal_binding, "normal_"));
  exports.Set("randint_", Napi::Function::New(env, randint_binding, "randint_"));
  exports.Set("randperm", Napi::Function::New(env, randperm_binding, "randperm"));
  exports.Set("bernoulli_", Napi::Function::New(env, bernoulli_binding, "bernoulli_"));
  exports.Set("generatorWords", Napi::Number::New(env, gen::kSize));
}

}  // namespace tg
