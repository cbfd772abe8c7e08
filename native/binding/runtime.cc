// Runtime facts and settings: the BLAS in use, the CPU, thread counts.
#include "../kernels/cpu.h"
#include "../kernels/gemm.h"
#include "../kernels/gemm_simd.h"
#include "../kernels/memory.h"
#include "call.h"
#include "binding.h"

#include <mutex>

namespace tg {
namespace {

// The kernel set blas_replace_unrunnable_core() replaced, once per process (the BLAS library is
// shared by every instance of the addon), before the first instance's first product.
std::once_flag core_checked;
std::string replaced_core;
std::string malloc_policy;
int default_threads = 1;  // the threads the BLAS library would have used: its cores, or OPENBLAS_NUM_THREADS

Napi::Value backend_info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const BlasInfo blas = blas_info();
  const CpuInfo cpu = cpu_info();
  Napi::Object o = Napi::Object::New(env);
  o.Set("blas", blas.name);
  o.Set("blasConfig", blas.config);
  o.Set("blasCoreType", blas.core);
  o.Set("blasCoreReplaced", replaced_core);
  o.Set("malloc", malloc_policy);
  o.Set("gemmKernels", gemm_isa_name(gemm_isa()));
  o.Set("cpuVendor", cpu.vendor);
  o.Set("avx2", cpu.avx2 && cpu.fma);
  o.Set("avx512", cpu.avx512);
  o.Set("napiVersion", NAPI_VERSION);
  o.Set("kernelThreads", kernel_threads(env));
  return o;
}

// setThreads(n): the threads of this instance's pool, which runs our own kernels and splits matrix
// products into single-threaded BLAS calls.
Napi::Value set_threads(const Napi::CallbackInfo& info) {
  const double n = number_arg(info, 0, "threads");
  if (!(n >= 1 && n <= 1024)) fail(info.Env(), ErrorKind::Range, "threads must be between 1 and 1024");
  set_kernel_threads(info.Env(), int(n));
  return info.Env().Undefined();
}

// release(typedArray): frees the memory of a typed array that spans its whole ArrayBuffer, now, by
// detaching the buffer (every view of it then has length 0). Returns whether it did.
Napi::Value release(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  napi_typedarray_type type;
  size_t length = 0, offset = 0, whole = 0;
  void* data = nullptr;
  napi_value buffer;
  if (info.Length() < 1 || napi_get_typedarray_info(env, info[0], &type, &length, &data, &buffer, &offset) != napi_ok)
    fail(env, ErrorKind::Type, "release: expected a typed array");
  void* base = nullptr;
  if (napi_get_arraybuffer_info(env, buffer, &base, &whole) != napi_ok) return Napi::Boolean::New(env, false);
  const size_t bytes = length * Napi::TypedArray(env, info[0]).ElementSize();
  if (offset != 0 || bytes != whole || whole == 0) return Napi::Boolean::New(env, false);
  return Napi::Boolean::New(env, napi_detach_arraybuffer(env, buffer) == napi_ok);
}

Napi::Value init(const Napi::CallbackInfo& info) {
  std::call_once(core_checked, [] {
    replaced_core = blas_replace_unrunnable_core();
    malloc_policy = tune_malloc();
    default_threads = blas_info().threads;
    blas_set_num_threads(1);  // our pool splits products: one set of threads, none spinning between calls
  });
  Napi::Value meta = init_instance(info);
  set_kernel_threads(info.Env(), default_threads);
  return meta;
}

}  // namespace

void register_runtime(Napi::Env env, Napi::Object exports) {
  exports.Set("init", Napi::Function::New(env, init, "init"));
  exports.Set("backendInfo", Napi::Function::New(env, backend_info, "backendInfo"));
  exports.Set("setThreads", Napi::Function::New(env, set_threads, "setThreads"));
  exports.Set("release", Napi::Function::New(env, release, "release"));
}

}  // namespace tg
