// The distributed addon's Node-API glue: process groups (group.h) as JavaScript handles, and their
// collectives on typed arrays (a tensor's storage, an element offset and a count), each either
// blocking the caller or returning a Promise. Every offset and count is checked against its array.
#include <napi.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "group.h"

namespace tgd {
namespace {

// A group is shared by its JavaScript handle and by the Promises still waiting on it.
struct Handle {
  std::shared_ptr<Group> group;
};

std::shared_ptr<Group> group_of(const Napi::CallbackInfo& info) {
  if (!info[0].IsExternal()) throw Napi::TypeError::New(info.Env(), "expected a process group handle");
  auto* h = info[0].As<Napi::External<Handle>>().Data();
  if (h == nullptr || !h->group) throw Napi::Error::New(info.Env(), "the process group was destroyed");
  return h->group;
}

std::string str(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
}

int64_t num(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().Int64Value() : 0;
}

Napi::Value create_group(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = info[0].As<Napi::Object>();
  GroupConfig c;
  c.rank = int(num(o, "rank"));
  c.size = int(num(o, "size"));
  c.timeout = std::chrono::milliseconds(num(o, "timeoutMs"));
  c.store = str(o, "store");
  c.host = str(o, "host");
  c.port = int(num(o, "port"));
  c.serve = o.Get("serve").ToBoolean();
  c.path = str(o, "path");
  c.prefix = str(o, "prefix");
  c.iface = str(o, "iface");
  c.hostname = str(o, "hostname");
  auto handle = std::make_unique<Handle>();
  try {
    handle->group = std::make_shared<Group>(c);
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
  return Napi::External<Handle>::New(env, handle.release(), [](Napi::Env, Handle* h) { delete h; });
}

Napi::Value destroy(const Napi::CallbackInfo& info) {
  if (!info[0].IsExternal()) throw Napi::TypeError::New(info.Env(), "expected a process group handle");
  auto* h = info[0].As<Napi::External<Handle>>().Data();
  if (h != nullptr) h->group.reset();
  return info.Env().Undefined();
}

Napi::Value store_port(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), group_of(info)->store_port());
}

// A buffer argument: the array, its dtype, and the element range [offset, offset + count).
struct Span {
  void* data;
  size_t count;
  DType dtype;
};

Span span(const Napi::CallbackInfo& info, size_t at) {
  Napi::Env env = info.Env();
  if (!info[at].IsTypedArray()) throw Napi::TypeError::New(env, "expected a typed array");
  auto ta = info[at].As<Napi::TypedArray>();
  DType d;
  switch (ta.TypedArrayType()) {
    case napi_float32_array: d = DType::Float32; break;
    case napi_float64_array: d = DType::Float64; break;
    case napi_int32_array: d = DType::Int32; break;
    case napi_bigint64_array: d = DType::Int64; break;
    default: throw Napi::TypeError::New(env, "collectives take float32, float64, int32 or int64 tensors");
  }
  const int64_t offset = info[at + 1].As<Napi::Number>().Int64Value(), count = info[at + 2].As<Napi::Number>().Int64Value();
  const int64_t length = int64_t(ta.ElementLength());
  if (offset < 0 || count < 0 || offset > length || count > length - offset) throw Napi::RangeError::New(env, "elements beyond the tensor's storage");
  char* base = static_cast<char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  return {base + size_t(offset) * dtype_size(d), size_t(count), d};
}

// Waits off the JavaScript thread (a queued collective, or a posted send or receive), keeping the
// arrays it reads or writes alive, and settles a Promise with the outcome.
class Waiter : public Napi::AsyncWorker {
 public:
  Waiter(Napi::Env env, std::function<void()> wait, const std::vector<Napi::Value>& keep)
      : Napi::AsyncWorker(env), wait_(std::move(wait)), deferred_(Napi::Promise::Deferred::New(env)) {
    for (const auto& v : keep) refs_.push_back(Napi::Persistent(v.As<Napi::Object>()));
  }
  // Queues the wait; the Promise settles when it is over.
  static Napi::Promise start(Napi::Env env, std::function<void()> wait, const std::vector<Napi::Value>& keep) {
    auto* w = new Waiter(env, std::move(wait), keep);
    Napi::Promise p = w->deferred_.Promise();
    w->Queue();
    return p;
  }
  void Execute() override {
    try {
      wait_();
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  std::function<void()> wait_;
  Napi::Promise::Deferred deferred_;
  std::vector<Napi::ObjectReference> refs_;
};

// A queued collective as JavaScript holds it (mode 2 below), for wait_job.
struct JobHandle {
  std::shared_ptr<Group> group;
  std::shared_ptr<Job> job;
  std::vector<Napi::ObjectReference> keep;  // the arrays, alive as long as the handle
};

// Queues the collective. The last argument says how it completes: false or 0 blocks for it, true or
// 1 returns a Promise, 2 returns a handle that wait_job() blocks on (DistributedDataParallel's
// buckets, reduced while backward goes on and waited for at its end).
Napi::Value finish(const Napi::CallbackInfo& info, const std::shared_ptr<Group>& g, std::function<void(uint32_t)> work, std::vector<Napi::Value> keep) {
  Napi::Env env = info.Env();
  Napi::Value last = info[info.Length() - 1];
  const int mode = last.IsNumber() ? last.As<Napi::Number>().Int32Value() : last.ToBoolean() ? 1 : 0;
  if (mode < 0 || mode > 2) throw Napi::RangeError::New(env, "unknown completion mode");
  std::shared_ptr<Job> job;
  try {
    job = g->run(std::move(work));
    if (mode == 0) {  // blocking: the caller waits while the group's thread runs it
      g->wait(job);
      return env.Undefined();
    }
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
  if (mode == 2) {
    auto* h = new JobHandle{g, job, {}};
    for (const auto& v : keep) h->keep.push_back(Napi::Persistent(v.As<Napi::Object>()));
    return Napi::External<JobHandle>::New(env, h, [](Napi::Env, JobHandle* p) { delete p; });
  }
  return Waiter::start(env, [g, job] { g->wait(job); }, keep);
}

// allreduce(group, array, offset, count, op, async)
Napi::Value allreduce(const Napi::CallbackInfo& info) {
  std::shared_ptr<Group> g = group_of(info);
  Group* gp = g.get();
  const Span s = span(info, 1);
  const int op = info[4].As<Napi::Number>().Int32Value();
  if (op < 0 || op > 3) throw Napi::RangeError::New(info.Env(), "unknown reduce op");
  return finish(info, g, [gp, s, op](uint32_t tag) { gp->allreduce(s.data, s.count, s.dtype, ReduceOp(op), tag); }, {info[1]});
}

// broadcast(group, array, offset, count, root, async)
Napi::Value broadcast(const Napi::CallbackInfo& info) {
  std::shared_ptr<Group> g = group_of(info);
  Group* gp = g.get();
  const Span s = span(info, 1);
  const int root = info[4].As<Napi::Number>().Int32Value();
  if (root < 0 || root >= g->size()) throw Napi::RangeError::New(info.Env(), "the root rank is out of range");
  return finish(info, g, [gp, s, root](uint32_t tag) { gp->broadcast(s.data, s.count, s.dtype, root, tag); }, {info[1]});
}

// allgather(group, in, inOffset, count, out, outOffset, outCount, async): out holds worldSize * count
Napi::Value allgather(const Napi::CallbackInfo& info) {
  std::shared_ptr<Group> g = group_of(info);
  Group* gp = g.get();
  const Span in = span(info, 1), out = span(info, 4);
  if (in.dtype != out.dtype || out.count != in.count * size_t(g->size())) throw Napi::RangeError::New(info.Env(), "allgather: the output must hold worldSize inputs of the same dtype");
  return finish(info, g, [gp, in, out](uint32_t tag) { gp->allgather(in.data, out.data, in.count, in.dtype, tag); }, {info[1], info[4]});
}

// gather(group, in, inOffset, count, out, outOffset, outCount, root, async): out (on the root) holds worldSize * count
Napi::Value gather(const Napi::CallbackInfo& info) {
  std::shared_ptr<Group> g = group_of(info);
  Group* gp = g.get();
  const Span in = span(info, 1), out = span(info, 4);
  const int root = info[7].As<Napi::Number>().Int32Value();
  if (root < 0 || root >= g->size()) throw Napi::RangeError::New(info.Env(), "the root rank is out of range");
  if (g->rank() == root && (in.dtype != out.dtype || out.count != in.count * size_t(g->size())))
    throw Napi::RangeError::New(info.Env(), "gather: the output must hold worldSize inputs of the same dtype");
  return finish(info, g, [gp, in, out, root](uint32_t tag) { gp->gather(in.data, out.data, in.count, in.dtype, root, tag); }, {info[1], info[4]});
}

// scatter(group, in, inOffset, inCount, out, outOffset, count, root, async): in (on the root) holds worldSize * count
Napi::Value scatter(const Napi::CallbackInfo& info) {
  std::shared_ptr<Group> g = group_of(info);
  Group* gp = g.get();
  const Span in = span(info, 1), out = span(info, 4);
  const int root = info[7].As<Napi::Number>().Int32Value();
  if (root < 0 || root >= g->size()) throw Napi::RangeError::New(info.Env(), "the root rank is out of range");
  if (g->rank() == root && (in.dtype != out.dtype || in.count != out.count * size_t(g->size())))
    throw Napi::RangeError::New(info.Env(), "scatter: the input must hold worldSize outputs of the same dtype");
  return finish(info, g, [gp, in, out, root](uint32_t tag) { gp->scatter(in.data, out.data, out.count, out.dtype, root, tag); }, {info[1], info[4]});
}

// send(group, array, offset, count, dst, tag, async) and recv(group, array, offset, count, src, tag, async):
// posted at once (not queued behind collectives), then waited for here or by a Promise.
Napi::Value point_to_point(const Napi::CallbackInfo& info, bool sending) {
  Napi::Env env = info.Env();
  std::shared_ptr<Group> g = group_of(info);
  const Span s = span(info, 1);
  const int peer = info[4].As<Napi::Number>().Int32Value();
  const int64_t tag = info[5].As<Napi::Number>().Int64Value();
  if (peer < 0 || peer >= g->size() || peer == g->rank()) throw Napi::RangeError::New(env, "the peer must be another rank of the group");
  if (tag < 0 || tag >= (int64_t(1) << 40)) throw Napi::RangeError::New(env, "the tag must be in [0, 2^40)");
  const size_t bytes = s.count * dtype_size(s.dtype);
  std::shared_ptr<gloo::transport::UnboundBuffer> buf;
  try {
    buf = g->post(s.data, bytes, peer, uint64_t(tag) + (uint64_t(1) << 40), sending);  // slots apart from the collectives'
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
  if (info[6].ToBoolean()) return Waiter::start(env, [g, buf, peer, sending] { g->finish(*buf, peer, sending); }, {info[1]});
  try {
    g->finish(*buf, peer, sending);
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
  return env.Undefined();
}

Napi::Value send(const Napi::CallbackInfo& info) { return point_to_point(info, true); }
Napi::Value recv(const Napi::CallbackInfo& info) { return point_to_point(info, false); }

// barrier(group, async)
Napi::Value barrier(const Napi::CallbackInfo& info) {
  std::shared_ptr<Group> g = group_of(info);
  Group* gp = g.get();
  return finish(info, g, [gp](uint32_t tag) { gp->barrier(tag); }, {});
}

// waitJob(handle): blocks until the collective of a mode-2 call is done; throws its error.
Napi::Value wait_job(const Napi::CallbackInfo& info) {
  if (!info[0].IsExternal()) throw Napi::TypeError::New(info.Env(), "expected a collective's handle");
  auto* h = info[0].As<Napi::External<JobHandle>>().Data();
  try {
    h->group->wait(h->job);
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
  return info.Env().Undefined();
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  exports.Set("waitJob", Napi::Function::New(env, wait_job));
  exports.Set("createGroup", Napi::Function::New(env, create_group));
  exports.Set("destroy", Napi::Function::New(env, destroy));
  exports.Set("storePort", Napi::Function::New(env, store_port));
  exports.Set("allreduce", Napi::Function::New(env, allreduce));
  exports.Set("broadcast", Napi::Function::New(env, broadcast));
  exports.Set("allgather", Napi::Function::New(env, allgather));
  exports.Set("barrier", Napi::Function::New(env, barrier));
  exports.Set("gather", Napi::Function::New(env, gather));
  exports.Set("scatter", Napi::Function::New(env, scatter));
  exports.Set("send", Napi::Function::New(env, send));
  exports.Set("recv", Napi::Function::New(env, recv));
  return exports;
}

}  // namespace
}  // namespace tgd

Napi::Object InitDistributed(Napi::Env env, Napi::Object exports) { return tgd::init(env, exports); }

NODE_API_MODULE(tensorgrad_distributed, InitDistributed)
