// Unit tests of the pooling, upsampling and padding kernels (kernels/pool.h, upsample.h, pad.h):
// window arithmetic at the borders, source indices and weights, padding maps. Included by
// kernels_test.cc, which provides test(), CHECK, error_kind() and view().
#pragma once
#include "../kernels/pad.h"
#include "../kernels/pool.h"
#include "../kernels/upsample.h"

static void pool_tests() {
  test("max pooling skips the padding, keeps the first maximum and lets NaN win", [] {
    std::vector<double> x = {1, 3, 3, 2, 0, std::nan(""), 4, 4, 1}, o(4);
    std::vector<int64_t> idx(4);
    const int64_t k[8] = {2, 2, 2, 2, 1, 1, 1, 1};
    PoolGeometry g = pool_geometry(view(x, {1, 1, 3, 3}), view(o, {1, 1, 2, 2}), k, "t");
    max_pool2d<double>(x.data(), o.data(), idx.data(), g);
    CHECK(o[0] == 1 && idx[0] == 0 && o[1] == 3 && idx[1] == 1 && idx[2] == 6 && std::isnan(o[3]) && idx[3] == 5);
    std::vector<double> dx(9), gout = {1, 2, 3, 4};
    max_pool2d_backward<double>(gout.data(), idx.data(), dx.data(), g);
    CHECK(dx[0] == 1 && dx[1] == 2 && dx[6] == 3 && dx[5] == 4 && dx[8] == 0);
  });

  test("average pooling divides by the window, the part inside, or the override", [] {
    std::vector<float> x(9, 1.0f), o(4);
    const int64_t k[8] = {2, 2, 2, 2, 1, 1, 1, 1};
    PoolGeometry g = pool_geometry(view(x, {1, 1, 3, 3}), view(o, {1, 1, 2, 2}), k, "t");
    avg_pool2d<float>(x.data(), o.data(), g, true, 0);
    CHECK(o[0] == 0.25f && o[3] == 1.0f);
    avg_pool2d<float>(x.data(), o.data(), g, false, 0);
    CHECK(o[0] == 1.0f && o[1] == 1.0f);
    avg_pool2d<float>(x.data(), o.data(), g, true, 2);
    CHECK(o[0] == 0.5f && o[3] == 2.0f);
  });

  test("adaptive windows are [floor(i * in / out), ceil((i + 1) * in / out))", [] {
    CHECK(adaptive_start(1, 3, 5) == 1 && adaptive_end(1, 3, 5) == 4);
    CHECK(adaptive_start(2, 3, 5) == 3 && adaptive_end(2, 3, 5) == 5);
    std::vector<float> x(6), o(2);
    CHECK(error_kind([&] { adaptive_geometry(view(x, {1, 2, 3}), view(o, {1, 1, 2}), "t"); }) == int(ErrorKind::Shape));
  });

  test("upsampling indices and weights follow PyTorch's formulas", [] {
    auto n = nearest_indices<float>(3, 6, 0, false, true);  // the legacy 2x path: o >> 1
    CHECK(n[5] == 2 && n[3] == 1);
    auto e = nearest_indices<double>(3, 5, 0, true, false);  // pixel centres: 0.5 * 0.6 ... floor(o * 0.6 + 0.3)
    CHECK(e[0] == 0 && e[1] == 0 && e[2] == 1 && e[4] == 2);
    LinearTaps<double> t = linear_taps<double>(3, 5, 0, true);  // align corners: source o * 0.5
    CHECK(t.i0[1] == 0 && t.i1[1] == 1 && t.w1[1] == 0.5 && t.i0[4] == 2 && t.i1[4] == 2 && t.w1[4] == 0);
    LinearTaps<double> u = linear_taps<double>(4, 2, 0, false);  // downsampling: source 2 o + 0.5
    CHECK(u.i0[0] == 0 && u.w1[0] == 0.5 && u.i0[1] == 2 && u.i1[1] == 3);
  });

  test("padding maps reflect, replicate and circular (which crops first), and checks reflect's size", [] {
    CHECK(pad_source(0, 2, 5, 9, PadMode::Reflect) == 2 && pad_source(8, 2, 5, 9, PadMode::Reflect) == 2);
    CHECK(pad_source(0, 2, 5, 9, PadMode::Replicate) == 0 && pad_source(8, 2, 5, 9, PadMode::Replicate) == 4);
    CHECK(pad_source(0, 2, 5, 9, PadMode::Constant) == -1 && pad_source(3, 2, 5, 9, PadMode::Constant) == 1);
    CHECK(pad_source(4, -1, 5, 6, PadMode::Circular) == 1 && pad_source(0, 2, 5, 6, PadMode::Circular) == 2);
    std::vector<double> x(5), o(11), left = {5};
    CHECK(error_kind([&] { pad_geometry(view(x, {5}), view(o, {11}), view(left, {1}), PadMode::Reflect); }) == int(ErrorKind::Range));
    std::vector<double> a = {1, 2, 3}, b(6), l = {2}, db(3);
    PadGeometry g = pad_geometry(view(a, {3}), view(b, {6}), view(l, {1}), PadMode::Reflect);
    pad<double>(a.data(), b.data(), g, 0);
    CHECK(b[0] == 3 && b[1] == 2 && b[2] == 1 && b[5] == 2);
    std::vector<double> ones(6, 1.0);
    pad_backward<double>(ones.data(), db.data(), g);
    CHECK(db[0] == 1 && db[1] == 3 && db[2] == 2);
  });
}
