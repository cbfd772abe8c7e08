#include "group.h"

#include <gloo/allgather.h>
#include <gloo/allreduce.h>
#include <gloo/barrier.h>
#include <gloo/broadcast.h>
#include <gloo/common/error.h>
#include <gloo/gather.h>
#include <gloo/math.h>
#include <gloo/rendezvous/file_store.h>
#include <gloo/scatter.h>
#include <gloo/transport/tcp/device.h>

#include <cstdint>

namespace tgd {

size_t dtype_size(DType d) { return d == DType::Float32 || d == DType::Int32 ? 4 : 8; }

namespace {

using Fn = void (*)(void*, const void*, const void*, size_t);

template <class T>
Fn reduce_fn(ReduceOp op) {
  switch (op) {
    case ReduceOp::Product: return &gloo::product<T>;
    case ReduceOp::Max: return &gloo::max<T>;
    case ReduceOp::Min: return &gloo::min<T>;
    default: return &gloo::sum<T>;
  }
}

Fn reduce_fn(DType d, ReduceOp op) {
  switch (d) {
    case DType::Float64: return reduce_fn<double>(op);
    case DType::Int32: return reduce_fn<int32_t>(op);
    case DType::Int64: return reduce_fn<int64_t>(op);
    default: return reduce_fn<float>(op);
  }
}

}  // namespace

Group::Group(const GroupConfig& c) : rank_(c.rank), size_(c.size), timeout_(c.timeout) {
  if (c.size < 1 || c.rank < 0 || c.rank >= c.size) throw DistError("rank must be in [0, worldSize)");
  if (c.store == "file") {
    store_ = std::make_unique<gloo::rendezvous::FileStore>(c.path);
  } else {
    if (c.serve) server_ = std::make_unique<StoreServer>(c.host, c.port);
    store_ = std::make_unique<StoreClient>(c.host, server_ ? server_->port() : c.port, c.timeout);
  }
  prefixed_ = std::make_unique<gloo::rendezvous::PrefixStore>(c.prefix, *store_);
  gloo::transport::tcp::attr attr;
  if (!c.iface.empty()) attr.iface = c.iface;
  else attr.hostname = c.hostname;
  try {
    device_ = gloo::transport::tcp::CreateDevice(attr);
    context_ = std::make_shared<gloo::rendezvous::Context>(c.rank, c.size);
    context_->setTimeout(c.timeout);
    context_->connectFullMesh(*prefixed_, device_);
  } catch (const DistError&) {
    throw;
  } catch (const std::exception& e) {
    throw DistError(std::string("could not connect the process group: ") + e.what());
  }
  thread_ = std::thread([this] { loop(); });
}

Group::~Group() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  queued_.notify_all();
  if (thread_.joinable()) thread_.join();
  context_.reset();
  device_.reset();
}

std::shared_ptr<Job> Group::run(std::function<void(uint32_t)> make) {
  auto job = std::make_shared<Job>();
  std::lock_guard<std::mutex> lock(mu_);
  if (stop_) throw DistError("the process group was destroyed");
  const uint32_t tag = next_tag_++ & 0x7fffffffu;
  job->work = [make, tag] { make(tag); };
  queue_.push_back(job);
  queued_.notify_one();
  return job;
}

void Group::wait(const std::shared_ptr<Job>& job) {
  std::unique_lock<std::mutex> lock(mu_);
  finished_.wait(lock, [&] { return job->done; });
  if (!job->error.empty()) throw DistError(job->error);
}

void Group::loop() {
  while (true) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      queued_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopped with nothing left
      job = queue_.front();
      queue_.pop_front();
    }
    std::string error;
    try {
      job->work();
    } catch (const std::exception& e) {
      error = e.what();
      if (error.empty()) error = "a collective failed";
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      job->error = error;
      job->done = true;
      job->work = nullptr;
    }
    finished_.notify_all();
  }
}

void Group::allreduce(void* data, size_t count, DType dtype, ReduceOp op, uint32_t tag) {
  if (count == 0) return;
  gloo::AllreduceOptions o(context_);
  switch (dtype) {
    case DType::Float64: o.setOutput(static_cast<double*>(data), count); break;
    case DType::Int32: o.setOutput(static_cast<int32_t*>(data), count); break;
    case DType::Int64: o.setOutput(static_cast<int64_t*>(data), count); break;
    default: o.setOutput(static_cast<float*>(data), count); break;
  }
  o.setReduceFunction(reduce_fn(dtype, op));
  o.setTag(tag);
  o.setTimeout(timeout_);
  gloo::allreduce(o);
}

void Group::broadcast(void* data, size_t count, DType dtype, int root, uint32_t tag) {
  gloo::BroadcastOptions o(context_);
  o.setOutput(static_cast<char*>(data), count * dtype_size(dtype));
  o.setRoot(root);
  o.setTag(tag);
  o.setTimeout(timeout_);
  gloo::broadcast(o);
}

void Group::allgather(const void* in, void* out, size_t count, DType dtype, uint32_t tag) {
  gloo::AllgatherOptions o(context_);
  const size_t bytes = count * dtype_size(dtype);
  o.setInput(const_cast<char*>(static_cast<const char*>(in)), bytes);
  o.setOutput(static_cast<char*>(out), bytes * size_t(size_));
  o.setTag(tag);
  o.setTimeout(timeout_);
  gloo::allgather(o);
}

void Group::gather(const void* in, void* out, size_t count, DType dtype, int root, uint32_t tag) {
  gloo::GatherOptions o(context_);
  const size_t bytes = count * dtype_size(dtype);
  o.setInput(const_cast<char*>(static_cast<const char*>(in)), bytes);
  if (rank_ == root) o.setOutput(static_cast<char*>(out), bytes * size_t(size_));
  o.setRoot(root);
  o.setTag(tag);
  o.setTimeout(timeout_);
  gloo::gather(o);
}

void Group::scatter(const void* in, void* out, size_t count, DType dtype, int root, uint32_t tag) {
  gloo::ScatterOptions o(context_);
  const size_t bytes = count * dtype_size(dtype);
  if (rank_ == root) {
    std::vector<char*> parts;
    for (int r = 0; r < size_; ++r) parts.push_back(const_cast<char*>(static_cast<const char*>(in)) + size_t(r) * bytes);
    o.setInputs(parts, bytes);
  }
  o.setOutput(static_cast<char*>(out), bytes);
  o.setRoot(root);
  o.setTag(tag);
  o.setTimeout(timeout_);
  gloo::scatter(o);
}

std::unique_ptr<gloo::transport::UnboundBuffer> Group::post(void* data, size_t bytes, int peer, uint64_t slot, bool sending) {
  auto buf = context_->createUnboundBuffer(data, bytes);
  if (sending) buf->send(peer, slot);
  else buf->recv(peer, slot);
  return buf;
}

void Group::finish(gloo::transport::UnboundBuffer& buf, int peer, bool sending) {
  const bool done = sending ? buf.waitSend(timeout_) : buf.waitRecv(timeout_);
  if (!done) throw DistError(std::string(sending ? "send: timed out waiting for rank " : "recv: timed out waiting for rank ") + std::to_string(peer) + (sending ? " to receive" : " to send"));
}

void Group::barrier(uint32_t tag) {
  gloo::BarrierOptions o(context_);
  o.setTag(tag);
  o.setTimeout(timeout_);
  gloo::barrier(o);
}

}  // namespace tgd
