// Unit tests of the kernels as plain C++ (no Node-API): the geometry they derive from operand
// views, the formulas with parameters, the sampling algorithms. Built and run by
// scripts/kernel-tests.js (test/kernels.test.ts runs it under `npm test`).
#include <atomic>
#include <cmath>
#include <mutex>
#include <new>
#include <cstdio>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "../kernels/batch_norm.h"
#include "../kernels/ctc_loss.h"
#include "../kernels/attention.h"
#include "../kernels/gather.h"
#include "../kernels/histogram.h"
#include "../kernels/im2col.h"
#include "../kernels/layer_norm.h"
#include "../kernels/rnn.h"
#include "../kernels/matmul.h"
#include "../kernels/nll_loss.h"
#include "../kernels/optim.h"
#include "../kernels/pointwise.h"
#include "../kernels/reduce.h"
#include "../kernels/sampling.h"
#include "../kernels/scan.h"
#include "../kernels/softmax.h"
#include "../kernels/sort.h"
#include "../kernels/view.h"

using namespace tg;

static int passed = 0, failed = 0;

#define CHECK(cond)                                                          \
  do {                                                                       \
    if (!(cond)) throw std::runtime_error(std::string("line ") + std::to_string(__LINE__) + ": " #cond); \
  } while (0)

// The KernelError kind f throws, or -1 if it throws none.
static int error_kind(const std::function<void()>& f) {
  try {
    f();
  } catch (const KernelError& e) {
    return int(e.kind);
  }
  return -1;
}

static void test(const char* name, const std::function<void()>& body) {
  try {
    body();
    ++passed;
  } catch (const std::exception& e) {
    ++failed;
    std::printf("FAIL %s: %s\n", name, e.what());
  }
}

// A view of data with this shape and strides (row-major strides when none are given).
template <class T>
static View view(std::vector<T>& data, std::initializer_list<int64_t> shape, std::initializer_list<int64_t> strides = {},
                 int64_t offset = 0) {
  View v;
  v.data = reinterpret_cast<char*>(data.data() + offset);
  v.dtype = std::is_same<T, float>::value ? DType::Float32 : std::is_same<T, double>::value ? DType::Float64 : DType::Int64;
  v.ndim = int(shape.size());
  int d = 0;
  for (int64_t s : shape) v.shape[d++] = s;
  if (strides.size() == 0) {
    for (int64_t k = v.ndim - 1, st = 1; k >= 0; --k) v.strides[k] = st, st *= v.shape[k];
  } else {
    d = 0;
    for (int64_t s : strides) v.strides[d++] = s;
  }
  return v;
}

#include "pool_tests.h"
// Runs base and fma over copies of the same N operands of 37 elements, in float and in double, and
// checks that they leave the same bytes.
template <int N, class Base, class Fma>
static void same_steps(const Base& base, const Fma& fma) {
  std::vector<double> init(N * 37);
  for (size_t i = 0; i < init.size(); ++i) init[i] = std::sin(double(i) * 1.7) * (i % 37 < 3 ? 1e-3 : 1.5) + (i >= 2 * 37 ? 2.0 : 0.0);
  auto check = [&](auto zero) {
    using T = decltype(zero);
    std::vector<T> a(init.begin(), init.end()), b = a;
    auto operands = [&](std::vector<T>& data) {
      View v[N];
      const View* pv[N];
      for (int k = 0; k < N; ++k) v[k] = view(data, {37}, {}, k * 37), pv[k] = &v[k];
      return broadcast<N>(pv);
    };
    Strided<N> sa = operands(a), sb = operands(b);
    base(sa, zero);
    fma(sb, zero);
    CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
  };
  check(0.0f);
  check(0.0);
}

int main() {
  test("an exception in any piece of a parallel_for reaches the caller, after every worker has left", [] {
    ThreadPool pool;
    pool.resize(4);
    ScopedPool scope(&pool);
    for (int64_t bad : {int64_t(0), int64_t(999)}) {  // the caller's piece, or a worker's
      std::atomic<int64_t> done{0};
      bool caught = false;
      try {
        parallel_for(1000, 1, [&](int64_t b, int64_t e) {
          if (b <= bad && bad < e) throw std::bad_alloc();
          done += e - b;
        });
      } catch (const std::bad_alloc&) {
        caught = true;
      }
      CHECK(caught);
      CHECK(done.load() > 0 && done.load() < 1000);
    }
    int64_t sum = 0;  // and the pool still runs jobs
    std::mutex mu;
    parallel_for(1000, 1, [&](int64_t b, int64_t e) {
      std::lock_guard<std::mutex> lock(mu);
      sum += e - b;
    });
    CHECK(sum == 1000);
  });
  test("broadcast aligns right and reads size-1 dims with stride 0", [] {
    std::vector<float> o(6), a(3);
    View out = view(o, {2, 3}), row = view(a, {3}), col = view(a, {2, 1});
    const View* v[2] = {&out, &row};
    Strided<2> s = broadcast<2>(v);
    CHECK(s.ndim == 2 && s.strides[1][0] == 0 && s.strides[1][1] == 4);
    const View* w[2] = {&out, &col};
    s = broadcast<2>(w);
    CHECK(s.strides[1][0] == 4 && s.strides[1][1] == 0);
    View bad = view(a, {3, 1});
    const View* x[2] = {&out, &bad};
    CHECK(error_kind([&] { broadcast<2>(x); }) == int(ErrorKind::Shape));
  });

  test("a reduction's kept and reduced dims come from the output's size-1 dims", [] {
    std::vector<float> in(24), o(4);
    View x = view(in, {2, 3, 4}), out = view(o, {1, 1, 4});
    const View* outs[1] = {&out};
    Reduction<2> r = reduction<2>(outs, x, "sum", false);
    CHECK(r.kept.ndim == 1 && r.kept.shape[0] == 4 && r.red.ndim == 2 && r.red.shape[0] == 2 && r.red.shape[1] == 3);
    CHECK(r.red.strides[0][0] == 12 * 4 && r.red.strides[0][1] == 4 * 4);
    View wrong = view(o, {1, 2, 4});
    const View* bad[1] = {&wrong};
    CHECK(error_kind([&] { reduction<2>(bad, x, "sum", false); }) == int(ErrorKind::Shape));
    std::vector<float> none;
    View empty = view(none, {0}), one = view(o, {1});
    const View* e[1] = {&one};
    CHECK(error_kind([&] { reduction<2>(e, empty, "amax", true); }) == int(ErrorKind::Index));
  });

  test("a sum over a transposed view", [] {
    std::vector<double> in = {1, 2, 3, 4, 5, 6}, o(3);
    View x = view(in, {3, 2}, {1, 3}), out = view(o, {3, 1});  // x = [[1, 4], [2, 5], [3, 6]]
    const View* outs[1] = {&out};
    Reduction<2> r = reduction<2>(outs, x, "sum", false);
    reduce_sum<double, double>(r, 1.0);
    CHECK(o[0] == 5 && o[1] == 7 && o[2] == 9);
  });

  test("block strides merge the dims around one, and packing makes any layout walkable", [] {
    std::vector<float> a(24);
    for (size_t i = 0; i < a.size(); ++i) a[i] = float(i);
    View v = view(a, {2, 3, 4});
    int64_t outer, along, inner;
    CHECK(block_strides(v, 1, &outer, &along, &inner) && outer == 12 && along == 4 && inner == 1);
    View t = view(a, {4, 3, 2}, {1, 4, 12});  // all dims reversed
    CHECK(block_strides(t, 1, &outer, &along, &inner) && outer == 1 && inner == 12);
    View odd = view(a, {2, 2, 3}, {12, 1, 4});  // dims 1 and 2 swapped: 1 and 2 do not merge with dim 0 only around dim 0
    CHECK(!block_strides(odd, 0, &outer, &along, &inner));
    std::vector<char> storage;
    View p = packed(odd, storage);
    CHECK(p.contiguous() && p.ptr<float>()[1] == 4 && p.ptr<float>()[3] == 1 && p.ptr<float>()[6] == 12);
  });

  test("softmax gives the same rows for a strided and a contiguous input", [] {
    std::vector<float> a = {1, 2, 3, 4, 5, 6}, at = {1, 4, 2, 5, 3, 6}, o1(6), o2(6);
    View x = view(a, {2, 3}), xt = view(at, {2, 3}, {1, 2}), out1 = view(o1, {2, 3}), out2 = view(o2, {2, 3});
    softmax<float, false>(out1, x, 1);
    softmax<float, false>(out2, xt, 1);
    for (int i = 0; i < 6; ++i) CHECK(o1[size_t(i)] == o2[size_t(i)]);
    CHECK(std::fabs(o1[0] + o1[1] + o1[2] - 1) < 1e-6);
    std::vector<float> o3(6);
    View transposed = view(o3, {2, 3}, {1, 2});
    CHECK(error_kind([&] { softmax<float, true>(transposed, x, 1); }) == -1);  // a transposed output has block strides too
  });

  test("softmax checks its dim, a 0-d operand included", [] {
    std::vector<float> a = {2}, o(1);
    View x = view(a, {}), out = view(o, {});
    softmax<float, false>(out, x, 0);
    CHECK(o[0] == 1);
    CHECK(error_kind([&] { softmax<float, false>(out, x, 3); }) == int(ErrorKind::Range));
  });

  test("cumsum runs each line along dim, floats in double and integers in int64", [] {
    std::vector<float> a = {1, 2, 3, 4, 5, 6}, o(6);
    cumulative<float, float, false>(view(o, {2, 3}), view(a, {2, 3}, {1, 2}), 1);  // a transposed: [[1, 3, 5], [2, 4, 6]]
    CHECK(o[0] == 1 && o[1] == 4 && o[2] == 9 && o[3] == 2 && o[4] == 6 && o[5] == 12);
    std::vector<float> big = {1e8f, 3, 3, 3}, ob(4);
    cumulative<float, float, false>(view(ob, {4}), view(big, {4}), 0);
    CHECK(ob[1] == 1e8f && ob[2] == 100000008.0f);  // the running sum is a double: 1e8 + 6 rounds up
    std::vector<int32_t> ints = {2147483647, 1};
    std::vector<int64_t> oi(2);
    View vi;
    vi.data = reinterpret_cast<char*>(ints.data()), vi.dtype = DType::Int32, vi.ndim = 1, vi.shape[0] = 2, vi.strides[0] = 1;
    cumulative<int64_t, int32_t, false>(view(oi, {2}), vi, 0);
    CHECK(oi[1] == 2147483648LL);
    CHECK(error_kind([&] { cumulative<float, float, false>(view(o, {2, 3}), view(a, {3, 2}), 0); }) == int(ErrorKind::Shape));
  });

  test("cumprod runs each line along dim, floats in double and integers in int64, wrapping", [] {
    std::vector<double> a = {1, 2, 3, 0, 5, 6}, o(6);
    cumulative<double, double, true>(view(o, {2, 3}), view(a, {2, 3}, {1, 2}), 1);  // a transposed: [[1, 3, 5], [2, 0, 6]]
    CHECK(o[0] == 1 && o[1] == 3 && o[2] == 15 && o[3] == 2 && o[4] == 0 && o[5] == 0);
    std::vector<int64_t> big = {int64_t(1) << 62, 4}, ob(2);
    cumulative<int64_t, int64_t, true>(view(ob, {2}), view(big, {2}), 0);
    CHECK(ob[1] == 0);  // 2^64 wraps to 0, as int64 multiplication does
  });

  test("cummax and cummin: a later equal value and a NaN take over", [] {
    std::vector<double> a = {1, 3, 3, 2, NAN, 5}, v(6);
    std::vector<int64_t> i(6);
    cumextreme<double, true>(view(v, {6}), view(i, {6}), view(a, {6}), 0);
    CHECK(v[3] == 3 && i[3] == 2 && std::isnan(v[5]) && i[5] == 4);
    cumextreme<double, false>(view(v, {6}), view(i, {6}), view(a, {6}), 0);
    CHECK(v[3] == 1 && i[3] == 0 && i[4] == 4);
  });

  test("sort is stable with NaN last; topk, kthvalue, median and mode select along a strided dim", [] {
    std::vector<double> a = {2, NAN, 1, 2, -0.0, 0}, v(6);
    std::vector<int64_t> i(6);
    sort<double>(view(v, {6}), view(i, {6}), view(a, {6}), 0, false, false);
    CHECK(i[0] == 4 && i[1] == 5 && i[2] == 2 && i[3] == 0 && i[4] == 3 && std::isnan(v[5]));
    sort<double>(view(v, {6}), view(i, {6}), view(a, {6}), 0, true, true);
    CHECK(std::isnan(v[0]) && i[1] == 0 && i[2] == 3);
    std::vector<double> m = {5, 1, 4, 1, 3, 9}, kv(2);  // [[5, 4, 3], [1, 1, 9]] read as its transpose
    std::vector<int64_t> ki(2);
    kthvalue<double>(view(kv, {1, 2}), view(ki, {1, 2}), view(m, {3, 2}, {2, 1}), 0, 2);
    CHECK(kv[0] == 4 && ki[0] == 1 && kv[1] == 1 && ki[1] == 0);
    median<double>(view(kv, {1, 2}), view(ki, {1, 2}), view(m, {3, 2}, {2, 1}), 0, false);
    CHECK(kv[0] == 4 && kv[1] == 1);
    for (int64_t rounds : {-1, 0, 1}) {  // the quickselect, and nth_element taking over after `rounds`
      std::vector<double> q = {5, NAN, 3, 3, 8, 1, 9, 2, 7, 3, 0};
      std::vector<int64_t> qi = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
      quickselect(q, qi, 5, rounds);
      CHECK(q[5] == 3 && (qi[5] == 2 || qi[5] == 3 || qi[5] == 9));
      for (int j = 0; j < 11; ++j) CHECK(j < 5 ? q[size_t(j)] <= 3 : !(q[size_t(j)] < 3));
      for (int j = 0; j < 11; ++j) CHECK(std::isnan(q[size_t(j)]) == (qi[size_t(j)] == 1));
    }
    std::vector<double> tv(2);
    topk<double>(view(tv, {1, 2}), view(ki, {1, 2}), view(m, {3, 2}, {2, 1}), 0, 1, true, true);
    CHECK(tv[0] == 5 && ki[0] == 0 && tv[1] == 9 && ki[1] == 2);
    CHECK(error_kind([&] { topk<double>(view(tv, {1, 2}), view(ki, {1, 2}), view(m, {3, 2}), 0, 4, true, true); }) == int(ErrorKind::Range));
    CHECK(error_kind([&] { topk<double>(view(tv, {2, 1}), view(ki, {2, 1}), view(m, {3, 2}), 0, 1, true, true); }) == int(ErrorKind::Shape));
    std::vector<int64_t> r = {3, 1, 3, 1, 2};
    std::vector<int64_t> mv(1);
    mode<int64_t>(view(mv, {1}), view(ki, {1}), view(r, {5}), 0);
    CHECK(mv[0] == 1);
  });

  test("histc bins in the input's precision; bincount and searchsorted check their inputs", [] {
    std::vector<float> x = {0, 0.25f, 0.5f, 1, NAN, 2, -1}, h(4);
    histc<float>(view(h, {4}), view(x, {7}), 0, 1);
    CHECK(h[0] == 1 && h[1] == 1 && h[2] == 1 && h[3] == 1);
    std::vector<int64_t> b = {1, 3, 1}, c(4), bad = {1, 9};
    bincount<int64_t, int64_t>(view(c, {4}), view(b, {3}), nullptr);
    CHECK(c[0] == 0 && c[1] == 2 && c[3] == 1);
    CHECK(error_kind([&] { bincount<int64_t, int64_t>(view(c, {4}), view(bad, {2}), nullptr); }) == int(ErrorKind::Range));
    std::vector<double> bd = {1, 2, 2, 3}, q = {2, 0, 5};
    std::vector<int64_t> o(3), sorter = {0, 1, 2, 7};
    searchsorted<double, int64_t>(view(o, {3}), view(bd, {4}), view(q, {3}), nullptr, false);
    CHECK(o[0] == 1 && o[1] == 0 && o[2] == 4);
    searchsorted<double, int64_t>(view(o, {3}), view(bd, {4}), view(q, {3}), nullptr, true);
    CHECK(o[0] == 3);
    const View sv = view(sorter, {4});
    CHECK(error_kind([&] { searchsorted<double, int64_t>(view(o, {3}), view(bd, {4}), view(q, {3}), &sv, false); }) == int(ErrorKind::Range));
  });

  test("logcumsumexp: no overflow, and infinities as PyTorch gives them", [] {
    std::vector<double> a = {-INFINITY, -INFINITY, 0, 1000, INFINITY, 2}, o(6);
    logcumsumexp<double>(view(o, {6}), view(a, {6}), 0);
    CHECK(o[1] == -INFINITY && o[2] == 0 && o[3] == 1000 && o[4] == INFINITY && o[5] == INFINITY);
    std::vector<float> b = {0, 0}, ob(2);
    logcumsumexp<float>(view(ob, {2}), view(b, {2}), 0);
    CHECK(std::fabs(ob[1] - std::log(2.0f)) < 1e-7f);
  });

  test("matrix layouts: row-major, column-major (a transpose flag), neither (packed)", [] {
    bool trans;
    int64_t ld;
    CHECK(matrix_layout(3, 4, 4, 1, &trans, &ld) && !trans && ld == 4);
    CHECK(matrix_layout(3, 4, 1, 3, &trans, &ld) && trans && ld == 3);
    CHECK(!matrix_layout(3, 4, 8, 2, &trans, &ld));
    std::vector<double> a = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, b = {1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0}, c(4);
    // a: [2, 3] every other element of a row, b: [3, 2] with stride 4 between rows and 2 between columns
    View va = view(a, {2, 3}, {6, 2}), vb = view(b, {3, 2}, {4, 2}), vc = view(c, {2, 2});
    matmul<double>(vc, va, vb, 1.0, 0.0);
    // a = [[1, 3, 5], [7, 9, 11]], b = [[1, 2], [3, 4], [5, 6]]
    CHECK(c[0] == 1 + 9 + 25 && c[1] == 2 + 12 + 30 && c[2] == 7 + 27 + 55 && c[3] == 14 + 36 + 66);
    std::vector<double> batch(8);
    View out3 = view(batch, {2, 2, 2}), a2 = view(a, {2, 2}, {3, 1});  // a broadcast over the batch
    CHECK(error_kind([&] { matmul<double>(out3, a2, a2, 1.0, 0.0); }) == -1 && batch[0] == batch[4]);
    View wrong = view(a, {2, 4});
    CHECK(error_kind([&] { matmul<double>(vc, wrong, vb, 1.0, 0.0); }) == int(ErrorKind::Shape));
  });

  test("pointwise formulas: pow's special exponents, clamp's NaN rules, the backward masks", [] {
    float got = 0;
    CHECK(pow_special<float>(2, [&](auto f) { got = f(3.0f); }) && got == 9);
    CHECK(pow_special<float>(-0.5, [&](auto f) { got = f(4.0f); }) && got == 0.5f);
    CHECK(!pow_special<float>(2.5, [&](auto) {}));
    CHECK(Clamp<float>(0, 1)(2) == 1 && Clamp<float>(0, 1)(-1) == 0 && std::isnan(Clamp<float>(0, 1)(NAN)));
    CHECK(std::isnan(Clamp<float>(NAN, 1)(0.5f)) && Clamp<int64_t>(-INFINITY, 3)(7) == 3);
    CHECK((AddScaled<int32_t, true>{2}(10, 3) == 4) && (AddScaled<float, false>{0.5f}(1, 4) == 3));
    CHECK(ThresholdBackward<float>{0}(5, 0) == 0 && ThresholdBackward<float>{0}(5, NAN) == 5);
    CHECK(ClampBackward<float>(0, 1)(5, 0.5f) == 5 && ClampBackward<float>(0, 1)(5, NAN) == 0);
    CHECK(fmod_<int32_t>(-5, 3) == -2 && remainder_<int32_t>(-5, 3) == 1 && remainder_<double>(5, -3) == -1);
    CHECK(fmod_<int32_t>(7, 0) == 0 && remainder_<int64_t>(INT64_MIN, -1) == 0);  // no trap: the ops refuse these first
  });

  test("sampling draws PyTorch's numbers for seed 0", [] {
    uint32_t state[gen::kSize];
    Generator g(state);
    g.seed(0);
    std::vector<int64_t> perm(10);
    randperm_fill(perm.data(), 10, g);
    CHECK((perm == std::vector<int64_t>{4, 1, 7, 5, 3, 9, 0, 8, 6, 2}));
    g.seed(0);
    std::vector<int64_t> ints(6);
    randint_fill<int64_t>(view(ints, {6}), g, 0, 10);
    CHECK((ints == std::vector<int64_t>{4, 9, 3, 0, 3, 9}));
    g.seed(0);
    std::vector<double> u(3);
    uniform_fill<double>(view(u, {3}), g, 0, 1);
    CHECK(u[0] == 0.9700530018065531 && u[2] == 0.45938294312745087);
    CHECK(error_kind([&] { randint_fill<int64_t>(view(ints, {6}), g, 5, 5); }) == int(ErrorKind::Range));
  });

  test("fills run in memory order: a transposed tensor is filled as it lies", [] {
    std::vector<double> a(6);
    double next = 0;
    fill_in_memory_order<double>(view(a, {3, 2}, {1, 3}), [&] { return next++; });
    for (int i = 0; i < 6; ++i) CHECK(a[size_t(i)] == i);
  });

  test("gather checks every index and the operands' extents", [] {
    std::vector<float> src = {1, 2, 3, 4}, o(2);
    std::vector<int64_t> idx = {1, 0}, bad = {2, 0};
    View out = view(o, {2, 1}), s = view(src, {2, 2}), i = view(idx, {2, 1}), b = view(bad, {2, 1});
    const View* v[3] = {&out, &s, &i};
    Along along;
    Strided<3> st = along_dim(v, 1, 1, false, &along);
    gather<float>(st, along);
    CHECK(o[0] == 2 && o[1] == 3);
    const View* w[3] = {&out, &s, &b};
    st = along_dim(w, 1, 1, false, &along);
    bool threw = false;
    try {
      gather<float>(st, along);
    } catch (const std::out_of_range&) {
      threw = true;
    }
    CHECK(threw);
    View big = view(idx, {1, 2});
    const View* x[3] = {&out, &s, &big};
    CHECK(error_kind([&] { along_dim(x, 1, 0, false, &along); }) == int(ErrorKind::Shape));
  });

  test("window, loss and layer-norm geometry are derived and checked", [] {
    std::vector<float> img(2 * 3 * 5 * 5), cols(2 * 27 * 9);
    const int64_t k[8] = {3, 3, 2, 2, 1, 1, 1, 1};
    WindowGeometry g = window_geometry(view(img, {2, 3, 5, 5}), view(cols, {2, 27, 9}), k);
    CHECK(g.oh == 3 && g.ow == 3);
    CHECK(error_kind([&] { window_geometry(view(img, {2, 3, 5, 5}), view(cols, {2, 27, 8}), k); }) == int(ErrorKind::Shape));
    std::vector<float> rows(6), loss(1), total(1);
    std::vector<int64_t> target(2);
    View r = view(rows, {2, 3}), t = view(target, {2}), l = view(loss, {}), tw = view(total, {});
    CHECK(error_kind([&] { nll_geometry(r, t, nullptr, l, tw, -100, 3); }) == int(ErrorKind::Range));
    CHECK(nll_geometry(r, t, nullptr, l, tw, -100, 1).c == 3);
    std::vector<float> x(12), mean(3);
    LayerNormSizes s = layer_norm_sizes(view(x, {3, 4}), view(mean, {3}));
    CHECK(s.rows == 3 && s.n == 4);
  });

  test("batch norm: batch statistics, running update, eval, backward", [] {
    // x [2, 2, 2]: channel 0 holds 1, 2, 5, 6; channel 1 holds 3, 4, 7, 8
    std::vector<double> x = {1, 2, 3, 4, 5, 6, 7, 8}, y(8), mean(2), invstd(2), rm = {0, 1}, rv = {1, 1}, w = {2, 1}, b = {0, 1};
    const BatchNormSizes s = batch_norm_sizes(view(x, {2, 2, 2}), view(mean, {2}));
    CHECK(s.n == 2 && s.c == 2 && s.l == 2 && s.count() == 4);
    batch_norm_forward<double>(s, x.data(), w.data(), b.data(), rm.data(), rv.data(), true, 0.5, 0.0, y.data(), mean.data(), invstd.data());
    CHECK(mean[0] == 3.5 && mean[1] == 5.5);
    CHECK(std::fabs(invstd[0] - 1 / std::sqrt(4.25)) < 1e-15);  // biased variance (6.25 + 2.25) * 2 / 4
    CHECK(std::fabs(rm[0] - 1.75) < 1e-15 && std::fabs(rm[1] - 3.25) < 1e-15);
    CHECK(std::fabs(rv[0] - (0.5 + 0.5 * 17.0 / 3)) < 1e-12);  // unbiased variance 17 / 3
    CHECK(std::fabs(y[0] - 2 * (1 - 3.5) / std::sqrt(4.25)) < 1e-12 && std::fabs(y[2] - (1 + (3 - 5.5) / std::sqrt(4.25))) < 1e-12);
    std::vector<double> dy = {1, -1, 2, 0, 3, 1, -2, 4}, dx(8), dw(2), db(2);
    batch_norm_backward<double>(s, dy.data(), x.data(), mean.data(), invstd.data(), w.data(), true, dx.data(), dw.data(), db.data());
    CHECK(db[0] == 4 && db[1] == 4);
    CHECK(std::fabs(dx[0] + dx[1] + dx[4] + dx[5]) < 1e-12);  // training: the gradient sums to 0 per channel
    batch_norm_forward<double>(s, x.data(), nullptr, nullptr, rm.data(), rv.data(), false, 0.5, 0.0, y.data(), mean.data(), invstd.data());
    CHECK(mean[0] == rm[0] && std::fabs(y[0] - (1 - rm[0]) / std::sqrt(rv[0])) < 1e-12);
    batch_norm_backward<double>(s, dy.data(), x.data(), mean.data(), invstd.data(), nullptr, false, dx.data(), nullptr, nullptr);
    CHECK(std::fabs(dx[4] - 3 * invstd[0]) < 1e-15);
    std::vector<double> flat(3);
    CHECK(error_kind([&] { batch_norm_sizes(view(flat, {3}), view(mean, {2})); }) == int(ErrorKind::Shape));
    CHECK(error_kind([&] { batch_norm_sizes(view(x, {2, 2, 2}), view(flat, {3})); }) == int(ErrorKind::Range));
  });

  test("ctc: the alignments of one label over two frames, the gradient, the checks", [] {
    // T 2, N 1, C 2 (blank 0), target [1]: the alignments 11, 01, 10
    const double p0 = 0.3, q0 = 0.6;  // P(blank) at frames 0 and 1
    std::vector<double> lp = {std::log(p0), std::log(1 - p0), std::log(q0), std::log(1 - q0)}, nll(1), alpha(2 * 3), grad(4), g = {1};
    std::vector<int64_t> targets = {1}, lengths = {2, 0, 1};
    const CtcGeometry geo = ctc_geometry(view(lp, {2, 1, 2}), view(targets, {1}), view(lengths, {1, 3}), view(alpha, {1, 2, 3}), 0);
    ctc_loss_forward<double>(geo, lp.data(), targets.data(), lengths.data(), nll.data(), alpha.data());
    const double p = (1 - p0) * (1 - q0) + p0 * (1 - q0) + (1 - p0) * q0;
    CHECK(std::fabs(nll[0] + std::log(p)) < 1e-12);
    ctc_loss_backward<double>(geo, g.data(), lp.data(), targets.data(), lengths.data(), nll.data(), alpha.data(), false, grad.data());
    CHECK(std::fabs(grad[0] + grad[1]) < 1e-12 && std::fabs(grad[2] + grad[3]) < 1e-12);  // normalised inputs: each frame sums to 0
    CHECK(std::fabs(grad[0] - (p0 - p0 * (1 - q0) / p)) < 1e-12);                             // exp(lp) minus the blank's posterior
    std::vector<int64_t> bad = {2}, long_input = {3, 0, 1};
    CHECK(error_kind([&] { ctc_geometry(view(lp, {2, 1, 2}), view(bad, {1}), view(lengths, {1, 3}), view(alpha, {1, 2, 3}), 0); }) == int(ErrorKind::Index));
    CHECK(error_kind([&] { ctc_geometry(view(lp, {2, 1, 2}), view(targets, {1}), view(long_input, {1, 3}), view(alpha, {1, 2, 3}), 0); }) == int(ErrorKind::Range));
    CHECK(error_kind([&] { ctc_geometry(view(lp, {2, 1, 2}), view(targets, {1}), view(lengths, {1, 3}), view(alpha, {1, 2, 3}), 2); }) == int(ErrorKind::Range));
  });

  pool_tests();

  test("recurrent layers: the backward is the forward's derivative (finite differences, every mode, both directions)", [] {
    const int64_t T = 3, B = 2, I = 2, H = 3;
    for (int m = 0; m < 4; ++m) {
      for (bool reverse : {false, true}) {
        RnnDims d;
        d.steps = T, d.batch = B, d.input = I, d.hidden = H, d.mode = RnnMode(m), d.reverse = reverse;
        const bool lstm = d.mode == RnnMode::Lstm;
        const int64_t G = d.gates(), Y = (T + lstm) * B * H;
        auto fill = [](std::vector<double>& v, int seed) {
          for (size_t i = 0; i < v.size(); ++i) v[i] = std::sin(double(i * 7 + seed)) * 0.8;
        };
        std::vector<double> x(T * B * I), h0(B * H), c0(B * H), wi(G * I), wh(G * H), bi(G), bh(G), dy(Y);
        fill(x, 1), fill(h0, 2), fill(c0, 3), fill(wi, 4), fill(wh, 5), fill(bi, 6), fill(bh, 7), fill(dy, 8);
        // loss = sum(dy * y): its gradients come from the backward, its changes from the forward
        auto loss = [&] {
          std::vector<double> y(Y), ws(T * B * d.width());
          rnn_forward<double>(d, {x.data(), h0.data(), lstm ? c0.data() : nullptr, wi.data(), wh.data(), bi.data(), bh.data(), y.data(), ws.data()});
          double l = 0;
          for (int64_t i = 0; i < Y; ++i) l += dy[i] * y[i];
          return l;
        };
        std::vector<double> y(Y), ws(T * B * d.width()), dx(x.size()), dh0(B * H), dc0(B * H), dwi(wi.size()), dwh(wh.size()), dbi(G), dbh(G);
        rnn_forward<double>(d, {x.data(), h0.data(), lstm ? c0.data() : nullptr, wi.data(), wh.data(), bi.data(), bh.data(), y.data(), ws.data()});
        rnn_backward<double>(d, {dy.data(), y.data(), ws.data(), x.data(), h0.data(), lstm ? c0.data() : nullptr, wi.data(), wh.data(), dx.data(),
                                 dh0.data(), lstm ? dc0.data() : nullptr, dwi.data(), dwh.data(), dbi.data(), dbh.data()});
        std::vector<std::pair<std::vector<double>*, std::vector<double>*>> pairs = {{&x, &dx}, {&h0, &dh0}, {&wi, &dwi}, {&wh, &dwh}, {&bi, &dbi}, {&bh, &dbh}};
        if (lstm) pairs.push_back({&c0, &dc0});
        for (auto& [v, g] : pairs) {
          for (size_t i = 0; i < v->size(); ++i) {
            const double keep = (*v)[i], e = 1e-6;
            (*v)[i] = keep + e;
            const double up = loss();
            (*v)[i] = keep - e;
            const double down = loss();
            (*v)[i] = keep;
            CHECK(std::fabs((up - down) / (2 * e) - (*g)[i]) < 1e-6);
          }
        }
      }
    }
  });

  test("attention: shapes are checked; a causal row sees keys up to its own position; an empty row gives zeros", [] {
    // q [1, 2, 1], k [1, 3, 1], v [1, 3, 1]: scores 0, so the weights are uniform over the visible keys
    std::vector<double> q = {1, 1}, k = {0, 0, 0}, v = {1, 2, 6}, out(2), lse(2);
    View vq = view(q, {1, 2, 1}), vk = view(k, {1, 3, 1}), vv = view(v, {1, 3, 1}), vo = view(out, {1, 2, 1});
    AttentionGeometry g = attention_geometry(vq, vk, vv, vo);
    View vl = view(lse, {1, 2});
    attention_operand(g, AttentionGeometry::Lse, &vl, g.l, -1, "lse");
    attention_forward<double>(g, 1.0, true);
    CHECK(out[0] == 1 && std::fabs(out[1] - 1.5) < 1e-15 && lse[0] == 0 && std::fabs(lse[1] - std::log(2.0)) < 1e-15);
    std::vector<double> mask = {0, 0, 0, 1, 0, 1};
    std::vector<uint8_t> bools = {0, 0, 0, 1, 0, 1};
    View vm = view(mask, {1, 2, 3});
    vm.dtype = DType::Bool;
    vm.data = reinterpret_cast<char*>(bools.data());
    attention_operand(g, AttentionGeometry::Mask, &vm, g.l, g.s, "mask");
    attention_forward<double>(g, 1.0, false);
    CHECK(out[0] == 0 && lse[0] == -std::numeric_limits<double>::infinity() && std::fabs(out[1] - 3.5) < 1e-15);
    View bad = view(v, {1, 2, 1});
    CHECK(error_kind([&] { attention_geometry(vq, vk, bad, vo); }) == int(ErrorKind::Shape));
  });

  test("the optimizer steps' lerp takes PyTorch's two forms, and their maximum keeps NaN", [] {
    CHECK(lerp_fma(1.0f, 3.0f, 0.25f) == 1.5f && lerp_fma(1.0f, 3.0f, 0.75f) == 2.5f);
    CHECK(lerp_fma(0.1, 0.7, 1.0) == 0.7 && lerp_fma(0.1, 0.7, 0.0) == 0.1);  // each form exact at its end
    const double nan = std::nan("");
    CHECK(std::isnan(maximum_nan(nan, 1.0)) && std::isnan(maximum_nan(1.0, nan)) && maximum_nan(2.0, -1.0) == 2.0);
    CHECK(decayed_grad<true>(0.5f, 2.0f, -1.0f, 0.25f) == 0.0f && decayed_grad<false>(0.5f, 2.0f, 1.0f, 0.25f) == 0.5f);
  });

  test("an optimizer step over a transposed parameter and its state is the step over contiguous copies", [] {
    std::vector<double> p = {1, -2, 3, 0.5, -0.25, 4}, g = {0.1, 0.2, -0.3, 0.4, -0.5, 0.6}, sum = {0, 1, 2, 3, 4, 5};
    std::vector<double> pt = {1, 0.5, -2, -0.25, 3, 4}, gt = {0.1, 0.4, 0.2, -0.5, -0.3, 0.6}, sumt = {0, 3, 1, 4, 2, 5};
    const AdagradArgs a{0.1, 0.01, 1e-10, 0.02, 3, false};
    View dense[3] = {view(p, {2, 3}), view(g, {2, 3}), view(sum, {2, 3})};
    View strided[3] = {view(pt, {2, 3}, {1, 2}), view(gt, {2, 3}, {1, 2}), view(sumt, {2, 3}, {1, 2})};
    const View* dv[3] = {&dense[0], &dense[1], &dense[2]};
    const View* sv[3] = {&strided[0], &strided[1], &strided[2]};
    Strided<3> ds = broadcast<3>(dv), ss = broadcast<3>(sv);
    adagrad_step<double>(ds, a);
    adagrad_step<double>(ss, a);
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j) CHECK(p[i * 3 + j] == pt[j * 2 + i] && sum[i * 3 + j] == sumt[j * 2 + i]);
    CHECK(sum[1] == 1 + (0.2 + 0.02 * -2) * (0.2 + 0.02 * -2));  // sum += (grad + weight_decay * param)^2
  });

  test("the optimizer steps built for AVX2 with FMA give the baseline build's results bit for bit", [] {
    // 37 elements (vectorised runs and a scalar tail) of sines, for every option that changes the loop
    if (!optim_fma()) return;  // this CPU has no AVX2 with FMA: only the baseline build runs here
#define TG_SAME(NAME, N, ARGS) \
  same_steps<N>([&](auto& s, auto x) { NAME<decltype(x)>(s, ARGS); }, [&](auto& s, auto x) { NAME##_fma<decltype(x)>(s, ARGS); })
    for (bool flag : {false, true}) {
      const double wd = flag ? 0.05 : 0;
      TG_SAME(rmsprop_step, 5, (RmspropArgs{0.01, 0.9, 1e-6, wd, flag ? 0.9 : 0, flag, flag}));
      TG_SAME(rmsprop_step, 5, (RmspropArgs{0.01, 0.99, 1e-8, 0, 0.5, !flag, false}));
      TG_SAME(adagrad_step, 3, (AdagradArgs{0.1, 0.01, 1e-10, wd, 3, flag}));
      TG_SAME(adadelta_step, 4, (AdadeltaArgs{1.0, 0.9, 1e-6, wd, flag}));
      TG_SAME(adamax_step, 4, (AdamaxArgs{0.002, 0.9, 0.999, 1e-8, wd, 4, flag}));
      TG_SAME(nadam_step, 4, (NadamArgs{0.002, 0.9, 0.999, 1e-8, wd, 3, 0.9, 0.91, 0.7, flag, flag}));
      TG_SAME(radam_step, 4, (RadamArgs{0.001, 0.9, 0.999, 1e-8, wd, flag ? 20 : 3, flag, !flag}));
      TG_SAME(asgd_step, 3, (AsgdArgs{0.01, 1e-4, flag ? 0.5 : 1, wd, flag}));
    }
#undef TG_SAME
  });

  std::printf("kernel tests: %d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
