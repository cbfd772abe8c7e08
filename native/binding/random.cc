// Random fills: seed(state, lo, hi), uniform_(out, state, meta, from, to),
// normal_(out, state, meta, mean, std), randint_(out, state, meta, low, high),
// randperm(out, state, n), bernoulli_(out, state, meta, p). `state` is a Generator's Uint32Array.
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

// The output as a Strided<1> in element order (out at 0, state at 1, meta at 2).
Strided<1> out_arg(const Napi::CallbackInfo& info, Buf* out) {
  *out = buf_arg(info, 0, "out");
  Meta meta(info, 2);
  Strided<1> s;
  s.ndim = meta.shape(s.shape);
  s.data[0] = meta.operand(*out, s.ndim, s.shape, s.strides[0]);
  meta.done();
  return s;
}

// Writes f() to every element of s in row-major order.
template <class T, class F>
void fill_each(Strided<1>& s, F f) {
  coalesce(s);
  for_each(s, [&](char** p, const int64_t* st, int64_t n) {
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
  const double from = number_arg(info, 3, "from"), to = number_arg(info, 4, "to");
  expect_float(info.Env(), out, "uniform_");
  TG_DISPATCH_FLOAT(out.dtype, T, {
    const T lo = T(from), range = T(to) - T(from);
    if constexpr (std::is_same<T, float>::value)
      fill_each<T>(s, [&] { return T(double(g.uniform_float()) * double(range) + double(lo)); });
    else
      fill_each<T>(s, [&] { return g.uniform_double() * range + lo; });
  });
  return info.Env().Undefined();
}

// normal_: contiguous tensors of 16 or more elements are filled 16 at a time from uniforms drawn
// first (PyTorch's normal_fill); others draw one Box-Muller sample per element.
template <class T>
void normal_fill(T* data, int64_t size, Generator& g, T mean, T std) {
  const auto uniform = [&g]() -> T {
    if constexpr (std::is_same<T, float>::value) return g.uniform_float();
    else return T(g.uniform_double());
  };
  const auto block = [&](T* d) {
    for (int j = 0; j < 8; ++j) {
      const T u1 = T(1) - d[j], u2 = d[j + 8];
      const T radius = std::sqrt(T(-2) * std::log(u1));
      const T theta = T(2.0 * M_PI) * u2;
      d[j] = radius * std::cos(theta) * std + mean;
      d[j + 8] = radius * std::sin(theta) * std + mean;
    }
  };
  for (int64_t i = 0; i < size; ++i) data[i] = uniform();
  for (int64_t i = 0; i + 16 <= size; i += 16) block(data + i);
  if (size % 16 != 0) {  // the last 16 are drawn and transformed again
    T* tail = data + size - 16;
    for (int j = 0; j < 16; ++j) tail[j] = uniform();
    block(tail);
  }
}

Napi::Value normal_binding(const Napi::CallbackInfo& info) {
  Buf out;
  Strided<1> s = out_arg(info, &out);
  Generator g(state_arg(info, 1));
  const double mean = number_arg(info, 3, "mean"), std = number_arg(info, 4, "std");
  expect_float(info.Env(), out, "normal_");
  const int64_t size = s.numel();
  TG_DISPATCH_FLOAT(out.dtype, T, {
    if (size >= 16 && contiguous(s, sizeof(T))) {
      normal_fill<T>(reinterpret_cast<T*>(s.data[0]), size, g, T(mean), T(std));
    } else {
      fill_each<T>(s, [&] { return T(g.normal_double() * std + mean); });
    }
  });
  return info.Env().Undefined();
}

Napi::Value randint_binding(const Napi::CallbackInfo& info) {
  Buf out;
  Strided<1> s = out_arg(info, &out);
  Generator g(state_arg(info, 1));
  const double low = number_arg(info, 3, "low"), high = number_arg(info, 4, "high");
  if (!(high > low) || low != std::floor(low) || high != std::floor(high) || std::fabs(low) > 9007199254740992.0 ||
      std::fabs(high) > 9007199254740992.0)
    fail(info.Env(), ErrorKind::Range, "randint: expected integers with low < high");
  const uint64_t range = uint64_t(int64_t(high) - int64_t(low));
  const int64_t base = int64_t(low);
  const auto draw = [&]() -> int64_t {
    const uint64_t r = range >= (uint64_t(1) << 32) ? g.random64() % range : uint64_t(g.random() % range);
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
  for (int64_t i = 0; i < count; ++i) r[i] = i;
  for (int64_t i = 0; i + 1 < count; ++i) {
    const int64_t z = int64_t(g.random() % uint32_t(count - i));
    std::swap(r[i], r[z + i]);
  }
  return info.Env().Undefined();
}

Napi::Value bernoulli_binding(const Napi::CallbackInfo& info) {
  Buf out;
  Strided<1> s = out_arg(info, &out);
  Generator g(state_arg(info, 1));
  const double p = number_arg(info, 3, "p");
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
