// Random fills (kernels/sampling.h): seed(state) with the seed's lo and hi words, uniform_(out,
// state), normal_(out, state), randint_(out, state), randperm(out, state), bernoulli_(out, state),
// exponential_(out, state), random_(out, state), bernoulli(out, p, state); and
// multinomial(out, probs, state) (kernels/multinomial.h). `state` is a Generator's Uint32Array.
#include <cmath>

#include "../kernels/multinomial.h"
#include "../kernels/sampling.h"
#include "binding.h"
#include "call.h"

namespace tg {
namespace {

void seed_op(Call& c) {
  const int64_t lo = c.int_param("lo", 0, 0xffffffffLL), hi = c.int_param("hi", 0, 0xffffffffLL);
  c.generator(0).seed((uint64_t(hi) << 32) | uint64_t(lo));
}

void uniform_op(Call& c) {
  c.expect_float(0);
  Generator g = c.generator(1);
  TG_DISPATCH_FLOAT(c[0].dtype, T, { uniform_fill<T>(c[0], g, c.param("from"), c.param("to")); });
}

void normal_op(Call& c) {
  c.expect_float(0);
  Generator g = c.generator(1);
  TG_DISPATCH_FLOAT(c[0].dtype, T, { normal_fill<T>(c[0], g, c.param("mean"), c.param("std")); });
}

void randint_op(Call& c) {
  Generator g = c.generator(1);
  TG_DISPATCH(c[0].dtype, T, { randint_fill<T>(c[0], g, c.param("low"), c.param("high")); });
}

void randperm_op(Call& c) {
  c.expect_dtype(0, DType::Int64);
  if (c[0].ndim != 1 || !c[0].contiguous()) raise(ErrorKind::Range, "randperm: out must be a contiguous 1-D tensor");
  Generator g = c.generator(1);
  randperm_fill(c[0].ptr<int64_t>(), c[0].shape[0], g);
}

void bernoulli_op(Call& c) {
  Generator g = c.generator(1);
  TG_DISPATCH(c[0].dtype, T, { bernoulli_fill<T>(c[0], g, c.param("p")); });
}

void exponential_op(Call& c) {
  c.expect_float(0);
  Generator g = c.generator(1);
  TG_DISPATCH_FLOAT(c[0].dtype, T, { exponential_fill<T>(c[0], g, c.param("lambd")); });
}

void random_op(Call& c) {
  Generator g = c.generator(1);
  TG_DISPATCH(c[0].dtype, T, { random_full_fill<T>(c[0], g); });
}

void bernoulli_tensor_op(Call& c) {
  c.expect_float(1);
  Generator g = c.generator(2);
  TG_DISPATCH(c[0].dtype, T, {
    if (c[1].dtype == DType::Float64) bernoulli_tensor_fill<T, double>(c[0], c[1], g);
    else bernoulli_tensor_fill<T, float>(c[0], c[1], g);
  });
}

void multinomial_op(Call& c) {
  c.expect_dtype(0, DType::Int64);
  c.expect_float(1);
  const View &out = c[0], &probs = c[1];
  if (probs.ndim < 1 || probs.ndim > 2 || out.ndim != probs.ndim || (probs.ndim == 2 && out.shape[0] != probs.shape[0]) ||
      out.shape[out.ndim - 1] < 1 || probs.shape[probs.ndim - 1] < 1)
    raise(ErrorKind::Shape, "multinomial: out " + shape_str(out) + " does not fit probs " + shape_str(probs));
  const bool replacement = c.flag("replacement");
  if (!replacement && out.shape[out.ndim - 1] > probs.shape[probs.ndim - 1])
    raise(ErrorKind::Range, "multinomial: cannot sample more categories than there are without replacement");
  if (probs.numel() == 0) return;
  Generator g = c.generator(2);
  TG_DISPATCH_FLOAT(probs.dtype, T, { multinomial<T>(out, probs, g, replacement); });
}

const std::vector<OperandSpec> kFill = {{"out", Arg::Tensor}, {"state", Arg::State}};

const Op kOps[] = {
    {"seed", {{"state", Arg::State}}, {"lo", "hi"}, seed_op},
    {"uniform_", kFill, {"from", "to"}, uniform_op},
    {"normal_", kFill, {"mean", "std"}, normal_op},
    {"randint_", kFill, {"low", "high"}, randint_op},
    {"randperm", kFill, {}, randperm_op},
    {"bernoulli_", kFill, {"p"}, bernoulli_op},
    {"exponential_", kFill, {"lambd"}, exponential_op},
    {"random_", kFill, {}, random_op},
    {"bernoulli", {{"out", Arg::Tensor}, {"p", Arg::Tensor}, {"state", Arg::State}}, {}, bernoulli_tensor_op},
    {"multinomial", {{"out", Arg::Tensor}, {"probs", Arg::Tensor}, {"state", Arg::State}}, {"replacement"}, multinomial_op},
};

}  // namespace

void register_random(Napi::Env env, Napi::Object exports) {
  for (const Op& op : kOps) define(env, exports, op);
  exports.Set("generatorWords", Napi::Number::New(env, gen::kSize));
}

}  // namespace tg
