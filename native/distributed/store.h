// The rendezvous store of tcp:// and env:// process groups: a key-value server that rank 0 runs on
// MASTER_ADDR:MASTER_PORT, and the client every rank (rank 0 included) reaches it through, as
// gloo's Store interface. gloo's context exchanges its peers' addresses through it; the process
// group's barrier-free bookkeeping (who joined) uses add().
//
// Wire format, both ways: a request is [u8 command][u32 key length][key][u32 value length][value]
// (lengths little-endian), a reply is [u8 status][u32 length][payload]. Commands: set, get (waits
// for the key up to the request's timeout, in the value as u32 milliseconds), add (an int64
// counter, the new value returned), check (whether the keys exist, without waiting).
#pragma once
#include <gloo/rendezvous/store.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace tgd {

// A failure of the store or of a peer, with a message for JavaScript.
struct DistError : std::runtime_error {
  explicit DistError(const std::string& m) : std::runtime_error(m) {}
};

class StoreServer {
 public:
  // Listens on host:port (port 0: any free port, see port()). Throws DistError when it cannot.
  StoreServer(const std::string& host, int port);
  ~StoreServer();
  int port() const { return port_; }

 private:
  void accept_loop();
  void serve(int fd);
  std::string handle(uint8_t command, const std::string& key, const std::string& value, uint8_t* status);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::string, std::string> data_;
  std::vector<std::thread> clients_;
  std::vector<int> client_fds_;
};

class StoreClient : public gloo::rendezvous::Store {
 public:
  // Connects to host:port, retrying until timeout (the server may not be up yet).
  StoreClient(const std::string& host, int port, std::chrono::milliseconds timeout);
  ~StoreClient() override;

  void set(const std::string& key, const std::vector<char>& data) override;
  std::vector<char> get(const std::string& key) override;
  void wait(const std::vector<std::string>& keys) override { wait(keys, timeout_); }
  void wait(const std::vector<std::string>& keys, const std::chrono::milliseconds& timeout) override;
  int64_t add(const std::string& key, int64_t delta);

 private:
  std::string request(uint8_t command, const std::string& key, const std::string& value, std::chrono::milliseconds timeout);

  std::mutex mu_;  // one request at a time on the connection
  int fd_ = -1;
  std::string where_;
  std::chrono::milliseconds timeout_;
};

}  // namespace tgd
