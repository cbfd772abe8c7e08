#include "store.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tgd {
namespace {

using Clock = std::chrono::steady_clock;
constexpr uint32_t kMaxField = 64u << 20;  // a key or value; gloo's addresses are a few hundred bytes
enum Command : uint8_t { kSet = 1, kGet = 2, kAdd = 3, kCheck = 4 };
enum Status : uint8_t { kOk = 0, kTimeout = 1, kBad = 2 };

// Waits until fd is ready for events or the deadline passes (false then).
bool ready(int fd, short events, Clock::time_point deadline) {
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    const int r = poll(&p, 1, int(std::min<long long>(left, 1 << 30)));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return false;
  }
}

void send_all(int fd, const void* data, size_t n, Clock::time_point deadline) {
  auto p = static_cast<const char*>(data);
  while (n > 0) {
    if (!ready(fd, POLLOUT, deadline)) throw DistError("timed out sending to the store");
    const ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
    if (k < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (k <= 0) throw DistError(std::string("the store connection broke: ") + std::strerror(errno));
    p += k;
    n -= size_t(k);
  }
}

// Reads exactly n bytes; false (with nothing thrown) when the peer closed the connection cleanly first.
bool recv_all(int fd, void* data, size_t n, Clock::time_point deadline, const char* what) {
  auto p = static_cast<char*>(data);
  size_t got = 0;
  while (got < n) {
    if (!ready(fd, POLLIN, deadline)) throw DistError(std::string("timed out waiting for ") + what);
    const ssize_t k = recv(fd, p + got, n - got, 0);
    if (k < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (k == 0 && got == 0) return false;
    if (k <= 0) throw DistError(std::string("the connection closed while reading ") + what);
    got += size_t(k);
  }
  return true;
}

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(char((v >> (8 * i)) & 0xff));
}

uint32_t read_u32(int fd, Clock::time_point deadline, const char* what) {
  unsigned char b[4];
  if (!recv_all(fd, b, 4, deadline, what)) throw DistError(std::string("the connection closed while reading ") + what);
  return uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
}

std::string read_field(int fd, Clock::time_point deadline, const char* what) {
  const uint32_t n = read_u32(fd, deadline, what);
  if (n > kMaxField) throw DistError(std::string(what) + " longer than the store allows");
  std::string s(n, '\0');
  if (n > 0 && !recv_all(fd, s.data(), n, deadline, what)) throw DistError(std::string("the connection closed while reading ") + what);
  return s;
}

std::string frame(uint8_t head, const std::string& a, const std::string* b) {
  std::string out(1, char(head));
  put_u32(out, uint32_t(a.size()));
  out += a;
  if (b != nullptr) {
    put_u32(out, uint32_t(b->size()));
    out += *b;
  }
  return out;
}

std::string u32_bytes(uint32_t v) {
  std::string s;
  put_u32(s, v);
  return s;
}

// The keys of a check or wait request: u32 count, then each key as a field.
std::vector<std::string> split_keys(const std::string& v) {
  std::vector<std::string> keys;
  size_t at = 0;
  auto u32 = [&](uint32_t* out) {
    if (at + 4 > v.size()) return false;
    *out = uint32_t(uint8_t(v[at])) | uint32_t(uint8_t(v[at + 1])) << 8 | uint32_t(uint8_t(v[at + 2])) << 16 | uint32_t(uint8_t(v[at + 3])) << 24;
    at += 4;
    return true;
  };
  uint32_t count = 0;
  if (!u32(&count)) return keys;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t n = 0;
    if (!u32(&n) || at + n > v.size()) return {};
    keys.push_back(v.substr(at, n));
    at += n;
  }
  return keys;
}

}  // namespace

// ---- server --------------------------------------------------------------------------------------

StoreServer::StoreServer(const std::string& host, int port) {
  addrinfo hints{}, *res = nullptr;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  const std::string service = std::to_string(port);
  if (getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &res) != 0 || res == nullptr)
    throw DistError("cannot resolve the store's address " + host);
  int fd = -1;
  for (addrinfo* a = res; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, 128) != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  if (fd < 0) throw DistError("cannot listen on " + host + ":" + service + " for the store: " + std::strerror(errno));
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  listen_fd_ = fd;
  acceptor_ = std::thread([this] { accept_loop(); });
}

StoreServer::~StoreServer() {
  stop_ = true;
  changed_.notify_all();
  if (acceptor_.joinable()) acceptor_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : client_fds_) shutdown(fd, SHUT_RDWR);
  }
  for (auto& t : clients_) t.join();
  for (int fd : client_fds_) close(fd);
  if (listen_fd_ >= 0) close(listen_fd_);
}

void StoreServer::accept_loop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::lock_guard<std::mutex> lock(mu_);
    client_fds_.push_back(fd);
    clients_.emplace_back([this, fd] { serve(fd); });
  }
}

void StoreServer::serve(int fd) {
  try {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      const auto deadline = Clock::now() + std::chrono::seconds(60);  // a request arrives whole, or the client is gone
      uint8_t command = 0;
      if (!recv_all(fd, &command, 1, deadline, "a request")) return;
      const std::string key = read_field(fd, deadline, "a key");
      const std::string value = read_field(fd, deadline, "a value");
      uint8_t status = kOk;
      const std::string reply = handle(command, key, value, &status);
      const std::string out = frame(status, reply, nullptr);
      send_all(fd, out.data(), out.size(), Clock::now() + std::chrono::seconds(60));
    }
  } catch (const std::exception&) {
    // a client that breaks the protocol or goes away loses its connection; the store goes on
  }
}

std::string StoreServer::handle(uint8_t command, const std::string& key, const std::string& value, uint8_t* status) {
  std::unique_lock<std::mutex> lock(mu_);
  switch (command) {
    case kSet:
      data_[key] = value;
      changed_.notify_all();
      return "";
    case kGet: {
      if (value.size() != 4) break;
      const auto ms = uint32_t(uint8_t(value[0])) | uint32_t(uint8_t(value[1])) << 8 | uint32_t(uint8_t(value[2])) << 16 | uint32_t(uint8_t(value[3])) << 24;
      const auto deadline = Clock::now() + std::chrono::milliseconds(ms);
      while (!data_.count(key)) {
        if (stop_ || changed_.wait_until(lock, deadline) == std::cv_status::timeout) {
          if (data_.count(key)) break;
          *status = kTimeout;
          return "";
        }
      }
      return data_[key];
    }
    case kAdd: {
      if (value.size() != 8) break;
      int64_t delta = 0, now = 0;
      std::memcpy(&delta, value.data(), 8);
      auto it = data_.find(key);
      if (it != data_.end() && it->second.size() == 8) std::memcpy(&now, it->second.data(), 8);
      now = int64_t(uint64_t(now) + uint64_t(delta));
      data_[key] = std::string(reinterpret_cast<const char*>(&now), 8);
      changed_.notify_all();
      return data_[key];
    }
    case kCheck: {
      for (const auto& k : split_keys(value))
        if (!data_.count(k)) return "0";
      return "1";
    }
    default:
      break;
  }
  *status = kBad;
  return "";
}

// ---- client --------------------------------------------------------------------------------------

StoreClient::StoreClient(const std::string& host, int port, std::chrono::milliseconds timeout) : timeout_(timeout) {
  where_ = host + ":" + std::to_string(port);
  const auto deadline = Clock::now() + timeout;
  std::string last = "no answer";
  while (true) {
    addrinfo hints{}, *res = nullptr;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) == 0 && res != nullptr) {
      for (addrinfo* a = res; a != nullptr && fd_ < 0; a = a->ai_next) {
        const int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
          fd_ = fd;
        } else {
          last = std::strerror(errno);
          close(fd);
        }
      }
      freeaddrinfo(res);
    } else {
      last = "cannot resolve " + host;
    }
    if (fd_ >= 0) break;
    if (Clock::now() >= deadline)
      throw DistError("could not reach the rendezvous store at " + where_ + " within " + std::to_string(timeout.count()) + " ms (" + last + "): is rank 0 running, and MASTER_ADDR/MASTER_PORT right?");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

StoreClient::~StoreClient() {
  if (fd_ >= 0) close(fd_);
}

std::string StoreClient::request(uint8_t command, const std::string& key, const std::string& value, std::chrono::milliseconds timeout) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto deadline = Clock::now() + timeout + std::chrono::seconds(5);  // the server answers a timed-out get itself
  const std::string out = frame(command, key, &value);
  send_all(fd_, out.data(), out.size(), deadline);
  uint8_t status = kBad;
  if (!recv_all(fd_, &status, 1, deadline, "the store's answer")) throw DistError("the rendezvous store at " + where_ + " closed the connection (did rank 0 exit?)");
  std::string reply = read_field(fd_, deadline, "the store's answer");
  if (status == kTimeout) throw DistError("timed out after " + std::to_string(timeout.count()) + " ms waiting for '" + key + "' in the rendezvous store: a rank did not arrive");
  if (status != kOk) throw DistError("the rendezvous store refused a request");
  return reply;
}

void StoreClient::set(const std::string& key, const std::vector<char>& data) {
  request(kSet, key, std::string(data.begin(), data.end()), timeout_);
}

std::vector<char> StoreClient::get(const std::string& key) {
  const std::string v = request(kGet, key, u32_bytes(uint32_t(timeout_.count())), timeout_);
  return std::vector<char>(v.begin(), v.end());
}

void StoreClient::wait(const std::vector<std::string>& keys, const std::chrono::milliseconds& timeout) {
  for (const auto& k : keys) request(kGet, k, u32_bytes(uint32_t(timeout.count())), timeout);
}

int64_t StoreClient::add(const std::string& key, int64_t delta) {
  const std::string v = request(kAdd, key, std::string(reinterpret_cast<const char*>(&delta), 8), timeout_);
  int64_t now = 0;
  if (v.size() == 8) std::memcpy(&now, v.data(), 8);
  return now;
}

}  // namespace tgd
