// The binding files' registration functions, called once per addon instance by addon.cc.
#pragma once
#include <napi.h>

namespace tg {
void register_elementwise(Napi::Env env, Napi::Object exports);
void register_reduce(Napi::Env env, Napi::Object exports);
void register_gemm(Napi::Env env, Napi::Object exports);
void register_random(Napi::Env env, Napi::Object exports);
void register_runtime(Napi::Env env, Napi::Object exports);
void register_range(Napi::Env env, Napi::Object exports);
void register_gather(Napi::Env env, Napi::Object exports);
void register_optim(Napi::Env env, Napi::Object exports);
void register_softmax(Napi::Env env, Napi::Object exports);
void register_nll_loss(Napi::Env env, Napi::Object exports);
void register_mse_loss(Napi::Env env, Napi::Object exports);
void register_im2col(Napi::Env env, Napi::Object exports);
void register_layer_norm(Napi::Env env, Napi::Object exports);
void register_batch_norm(Napi::Env env, Napi::Object exports);
void register_ctc_loss(Napi::Env env, Napi::Object exports);
void register_sort(Napi::Env env, Napi::Object exports);
void register_pool(Napi::Env env, Napi::Object exports);
void register_rnn(Napi::Env env, Napi::Object exports);
void register_attention(Napi::Env env, Napi::Object exports);
}  // namespace tg
