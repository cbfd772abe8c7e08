// A process group over gloo: its rendezvous store, its TCP device and context, and its collectives
// on contiguous buffers in place. Plain C++ (no Node-API): binding.cc is the glue.
//
// Collectives of one group run one at a time, in the order they were issued, on the group's own
// thread (every rank must issue them in the same order, as with PyTorch); run() queues one and
// returns at once, wait() blocks until it is done.
#pragma once
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/prefix_store.h>
#include <gloo/transport/device.h>
#include <gloo/transport/unbound_buffer.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store.h"

namespace tgd {

enum class DType { Float32 = 0, Float64 = 1, Int32 = 2, Int64 = 3 };
enum class ReduceOp { Sum = 0, Product = 1, Max = 2, Min = 3 };

struct GroupConfig {
  int rank = 0;
  int size = 1;
  std::chrono::milliseconds timeout{1800000};
  std::string store;  // "tcp" or "file"
  std::string host;   // tcp: the store's address
  int port = 0;       // tcp: the store's port
  bool serve = false; // tcp: this rank runs the store
  std::string path;   // file: the shared file store's directory
  std::string prefix; // keys of this group in the store
  std::string iface;  // the network interface gloo binds (GLOO_SOCKET_IFNAME), or ""
  std::string hostname; // the address gloo binds when no interface is named
};

// One queued collective: the work, and where its outcome goes.
struct Job {
  std::function<void()> work;
  std::string error;  // empty when it succeeded
  bool done = false;
};

class Group {
 public:
  explicit Group(const GroupConfig& config);
  ~Group();

  int rank() const { return rank_; }
  int size() const { return size_; }
  int store_port() const { return server_ ? server_->port() : 0; }

  // Queues a collective built by make(tag); the returned job completes on the group's thread.
  std::shared_ptr<Job> run(std::function<void(uint32_t tag)> make);
  // Blocks until the job is done; throws DistError with its error.
  void wait(const std::shared_ptr<Job>& job);

  void allreduce(void* data, size_t count, DType dtype, ReduceOp op, uint32_t tag);
  void broadcast(void* data, size_t count, DType dtype, int root, uint32_t tag);
  void allgather(const void* in, void* out, size_t count, DType dtype, uint32_t tag);
  void barrier(uint32_t tag);
  // root gathers every rank's count elements into out (size * count, read on the root only)
  void gather(const void* in, void* out, size_t count, DType dtype, int root, uint32_t tag);
  // the root's in (size * count) is split, rank r receiving elements [r * count, (r + 1) * count)
  void scatter(const void* in, void* out, size_t count, DType dtype, int root, uint32_t tag);
  // Point to point, outside the queue (a send waits for its recv, which the peer may post after
  // its own send): post() starts a send or a receive at once, finish() waits for it. The slot
  // pairs a send with its recv.
  std::unique_ptr<gloo::transport::UnboundBuffer> post(void* data, size_t bytes, int peer, uint64_t slot, bool sending);
  void finish(gloo::transport::UnboundBuffer& buf, int peer, bool sending);

 private:
  void loop();

  int rank_, size_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<StoreServer> server_;
  std::unique_ptr<gloo::rendezvous::Store> store_;
  std::unique_ptr<gloo::rendezvous::PrefixStore> prefixed_;
  std::shared_ptr<gloo::transport::Device> device_;
  std::shared_ptr<gloo::rendezvous::Context> context_;

  std::mutex mu_;
  std::condition_variable queued_, finished_;
  std::deque<std::shared_ptr<Job>> queue_;
  uint32_t next_tag_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

size_t dtype_size(DType d);

}  // namespace tgd
