// Module initialisation: every binding file registers its functions. N-API addons are
// context-aware: this runs once per environment (main thread and each worker), and all
// per-environment state lives in the instance data set up by `init`.
#include <napi.h>

#include "binding/binding.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  tg::register_runtime(env, exports);
  tg::register_elementwise(env, exports);
  tg::register_reduce(env, exports);
  tg::register_gemm(env, exports);
  tg::register_random(env, exports);
  tg::register_range(env, exports);
  tg::register_gather(env, exports);
  tg::register_optim(env, exports);
  tg::register_softmax(env, exports);
  tg::register_nll_loss(env, exports);
  tg::register_mse_loss(env, exports);
  tg::register_im2col(env, exports);
  tg::register_layer_norm(env, exports);
  tg::register_batch_norm(env, exports);
  tg::register_ctc_loss(env, exports);
  tg::register_sort(env, exports);
  tg::register_pool(env, exports);
  tg::register_rnn(env, exports);
  tg::register_attention(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(tensorgrad, Init)
