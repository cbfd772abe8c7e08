// parallel_for: splits [0, n) across the threads of the calling addon instance's pool.
//
// Each addon instance (main thread, each worker) owns a ThreadPool; a binding call points the
// calling thread at its instance's pool (ScopedPool) so that kernels need no pool argument.
#pragma once
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tg {

inline void pause_cpu() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// How long a worker (or the caller, waiting for workers) keeps polling before it sleeps: in a
// training loop the next task often comes within this, and waking a sleeping thread costs 10-20 us
// on virtual machines, as much as the task itself. TENSORGRAD_SPIN_US sets it (0: sleep at once).
inline std::chrono::nanoseconds spin_budget() {
  static const std::chrono::nanoseconds budget = [] {
    const char* v = std::getenv("TENSORGRAD_SPIN_US");
    const double us = v != nullptr ? std::strtod(v, nullptr) : 50;
    return std::chrono::nanoseconds(us >= 0 && us <= 1e6 ? int64_t(us * 1000) : 50000);
  }();
  return budget;
}

// Polls until done() or the spin budget runs out; returns done().
template <class Done>
bool spin_until(Done&& done) {
  const auto budget = spin_budget();
  if (budget.count() <= 0) return done();
  const auto until = std::chrono::steady_clock::now() + budget;
  while (!done()) {
    for (int i = 0; i < 64; ++i) pause_cpu();
    if (std::chrono::steady_clock::now() >= until) return done();
  }
  return true;
}

class ThreadPool {
 public:
  ThreadPool() = default;
  ~ThreadPool() { resize(1); }
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return int(workers_.size()) + 1; }

  // Uses `threads` threads in all, the caller included.
  void resize(int threads) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
      generation_.fetch_add(1);
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = false;
    }
    // Each worker starts from the generation of now, not of when its thread first runs: a resize
    // (stop) before then would otherwise be missed, and the join below would wait for ever.
    const uint64_t start = generation_.load();
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this, start] { loop(start); });
  }

  // Runs f over `chunks` contiguous pieces of [0, n), the caller taking part; returns when all are
  // done and no worker is still inside this job (so none can carry it into the next one). An
  // exception from any piece (a kernel's error, bad_alloc) is rethrown here, on the caller's
  // thread, once every worker has left the job.
  void run(int64_t n, int chunks, const std::function<void(int64_t, int64_t)>& f) {
    bool sleepers;
    {
      std::lock_guard<std::mutex> lock(mu_);
      error_ = nullptr;
      job_ = &f;
      n_ = n;
      chunks_ = chunks;
      next_.store(0);
      remaining_.store(chunks);
      generation_.fetch_add(1);
      sleepers = sleepers_ > 0;
    }
    if (sleepers) wake_.notify_all();
    work(f, n, chunks);
    spin_until([this] { return remaining_.load() == 0 && active_.load() == 0; });
    std::unique_lock<std::mutex> lock(mu_);
    ++waiting_;
    done_.wait(lock, [this] { return remaining_.load() == 0 && active_.load() == 0; });
    --waiting_;
    job_ = nullptr;  // under the lock that a late worker takes to join: it sees no job
    if (error_) {
      std::exception_ptr error = error_;
      error_ = nullptr;
      std::rethrow_exception(error);
    }
  }

 private:
  // Runs pieces until none is left; a piece that throws is counted as done, its exception kept
  // (the first one) for run() to rethrow.
  void work(const std::function<void(int64_t, int64_t)>& f, int64_t n, int chunks) {
    for (int c = next_.fetch_add(1); c < chunks; c = next_.fetch_add(1)) {
      try {
        f(n * c / chunks, n * (c + 1) / chunks);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu_);
        if (!error_) error_ = std::current_exception();
      }
      remaining_.fetch_sub(1);
    }
  }

  void loop(uint64_t seen) {
    while (true) {
      const std::function<void(int64_t, int64_t)>* f;
      int64_t n;
      int chunks;
      spin_until([&] { return generation_.load() != seen; });
      {
        std::unique_lock<std::mutex> lock(mu_);
        ++sleepers_;
        wake_.wait(lock, [&] { return generation_.load() != seen; });
        --sleepers_;
        seen = generation_.load();
        if (stop_) return;
        f = job_;
        n = n_;
        chunks = chunks_;
        if (f == nullptr) continue;
        active_.fetch_add(1);  // run() will not return (or start another job) until this worker leaves
      }
      work(*f, n, chunks);
      std::lock_guard<std::mutex> lock(mu_);
      active_.fetch_sub(1);
      if (waiting_ > 0) done_.notify_all();
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_, done_;
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;  // guarded by mu_, as are n_, chunks_, error_
  std::exception_ptr error_;
  int64_t n_ = 0;
  int chunks_ = 0;
  std::atomic<int> next_{0}, remaining_{0};
  std::atomic<int> active_{0};        // workers inside the current job (changed under mu_)
  std::atomic<uint64_t> generation_{0};  // bumped (under mu_) for each job and for stop
  int sleepers_ = 0, waiting_ = 0;    // threads blocked on wake_ / done_ (guarded by mu_)
  bool stop_ = false;
};

// The pool of the addon instance this thread is serving right now (set per call).
inline ThreadPool*& current_pool() {
  static thread_local ThreadPool* pool = nullptr;
  return pool;
}

// Points the calling thread at a pool for the duration of one binding call.
class ScopedPool {
 public:
  explicit ScopedPool(ThreadPool* pool) : previous_(current_pool()) { current_pool() = pool; }
  ~ScopedPool() { current_pool() = previous_; }

 private:
  ThreadPool* previous_;
};

// f(begin, end) over [0, n): in pieces of at least `grain` on the current pool's threads, or all
// on the calling thread when the work is small or there is no pool.
template <class F>
void parallel_for(int64_t n, int64_t grain, F&& f) {
  if (n <= 0) return;
  ThreadPool* pool = current_pool();
  const int chunks = pool == nullptr ? 1 : int(std::min<int64_t>(pool->threads(), n / std::max<int64_t>(grain, 1)));
  if (chunks < 2) {
    f(int64_t(0), n);
    return;
  }
  pool->run(n, chunks, std::function<void(int64_t, int64_t)>(std::forward<F>(f)));
}

}  // namespace tg
