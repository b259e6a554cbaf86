// Pooling forward vs the double reference, backward vs central finite differences, on odd
// shapes: batch 1, stride 1 and 2, padding 1, 3x3 windows with stride 2 (overlapping windows,
// where a gather must add several dy into one cell), 2x2 stride 2 (the seed models' pool),
// rectangular windows, inputs whose H, W leave a remainder, N·C·H·W not a multiple of 4 or 64.
// Tolerances:
//   max pool  y is a copy of an fp32-rounded input: atol 1e-7, rtol 1e-7 (the upload's rounding;
//             exact where inputs are fp32 values, as in the ties test); argmax exact. Its gradient is a
//             sum of at most ceil(k/s)^2 dy values: 1e-6 of the largest entry. Max-pool inputs
//             come from ref::random_distinct (no ties a finite-difference step could flip);
//             ties are tested separately against the reference's first-maximum rule.
//   avg pool  sums of kh·kw <= 9 terms times an fp32 1/(kh·kw): atol 1e-6, rtol 1e-6;
//             gradients 1e-5 of the largest entry.
//   global    means of H·W <= 169 terms of |x| < 1: fp32 error ~sqrt(HW)·2^-24 << atol 1e-6,
//             rtol 1e-5; gradients are one fp32 product each: 1e-6 of the largest entry.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "nn/ops/pool.hpp"
#include "runtime/buffer.hpp"
#include "tests/ops/op_harness.hpp"
#include "tests/reference/pool.hpp"
#include "tests/test_support.hpp"
#include "util/error.hpp"

using namespace vkt;
using namespace vkt::nn;

namespace {

ref::Pool2dShape to_ref(const Pool2dShape& p) {
  ref::Pool2dShape r;
  r.N = p.N, r.C = p.C, r.H = p.H, r.W = p.W, r.kh = p.kh, r.kw = p.kw;
  r.sh = p.sh, r.sw = p.sw, r.ph = p.ph, r.pw = p.pw;
  return r;
}

std::string describe(const Pool2dShape& p) {
  return "N" + std::to_string(p.N) + " C" + std::to_string(p.C) + " " + std::to_string(p.H) + "x" + std::to_string(p.W) +
         " window " + std::to_string(p.kh) + "x" + std::to_string(p.kw) + " stride " + std::to_string(p.sh) + "," +
         std::to_string(p.sw) + " pad " + std::to_string(p.ph) + "," + std::to_string(p.pw);
}

// N, C, H, W, kh, kw, sh, sw, ph, pw
const Pool2dShape kCases[] = {
    {1, 1, 4, 4, 2, 2, 2, 2, 0, 0},    // 2x2 stride 2, batch 1
    {2, 3, 13, 13, 2, 2, 2, 2, 0, 0},  // the seed CNN's pool: 13 -> 6 drops the last row/column
    {2, 3, 7, 7, 3, 3, 2, 2, 1, 1},    // 3x3 stride 2 padding 1: overlapping windows, padding
    {1, 5, 9, 6, 3, 3, 1, 1, 1, 1},    // stride 1: every cell in up to 9 windows
    {3, 2, 5, 8, 3, 2, 2, 1, 1, 0},    // rectangular window, mixed stride and padding
    {1, 1, 1, 1, 1, 1, 1, 1, 0, 0},    // one cell
    {2, 1, 3, 5, 3, 3, 1, 2, 0, 1},    // window as tall as the input
};

struct MaxRun {
  std::vector<float> y, dx;
  std::vector<int32_t> argmax;
};

MaxRun run_max(Context& ctx, const Pool2dShape& p, const std::vector<double>& xv, const std::vector<double>& dyv,
               MaxPoolBackward route) {
  Buffer x = test::to_device(ctx, xv, "x"), dy = test::to_device(ctx, dyv, "dy");
  Buffer y = test::nan_buffer(ctx, p.out_count(), "y"), am = test::nan_buffer(ctx, p.out_count(), "argmax"),
         dx = test::nan_buffer(ctx, p.in_count(), "dx");
  Stream s(ctx);
  maxpool2d_forward(s, y, am, x, p);
  maxpool2d_backward(s, route, dx, dy, am, p);
  s.run();
  return {test::from_device(y, p.out_count()), test::from_device(dx, p.in_count()),
          am.download_as<int32_t>(p.out_count())};
}

}  // namespace

TEST_CASE("pool: max pool forward (values, argmax) and backward vs finite differences") {
  Context ctx(test::test_context_options());
  for (const auto& p : kCases) {
    INFO(describe(p));
    const ref::Pool2dShape rs = to_ref(p);
    const ref::Inputs inputs = {ref::random_distinct(p.in_count(), 11)};
    std::vector<double> y(p.out_count());
    std::vector<int32_t> am(p.out_count());
    ref::maxpool2d_forward(y, am, inputs[0], rs);
    const ref::ForwardFn forward = [&](const ref::Inputs& in) {
      std::vector<double> yy(p.out_count());
      std::vector<int32_t> a(p.out_count());
      ref::maxpool2d_forward(yy, a, in[0], rs);
      return yy;
    };
    const auto r = ref::random_vector(p.out_count(), 12);
    const auto fd = test::fd_gradient(forward, inputs, 0, r);
    for (MaxPoolBackward route : maxpool_backward_routes(p)) {
      INFO("backward route " << maxpool_backward_name(route));
      const MaxRun got = run_max(ctx, p, inputs[0], r, route);
      // Inputs are fp32-rounded on upload; a copy of the max must equal float(ref) exactly.
      test::check_close(got.y, y, 1e-7, 1e-7, "maxpool forward");
      CHECK(got.argmax == am);
      test::check_gradient(got.dx, fd, 1e-6, "maxpool dx");
    }
  }
}

TEST_CASE("pool: max pool ties go to the first maximum in row-major window order") {
  Context ctx(test::test_context_options());
  // Values from {0, 1, 2}: most windows hold ties. Backward compared with the reference
  // backward (finite differences are undefined at ties).
  for (const Pool2dShape p : {Pool2dShape{2, 3, 7, 7, 3, 3, 2, 2, 1, 1}, Pool2dShape{1, 2, 8, 8, 2, 2, 2, 2, 0, 0},
                              Pool2dShape{1, 1, 6, 5, 3, 3, 1, 1, 1, 1}}) {
    const ref::Pool2dShape rs = to_ref(p);
    auto xv = ref::random_vector(p.in_count(), 21, 0.0, 3.0);
    for (double& v : xv) v = std::floor(v);
    std::vector<double> y(p.out_count());
    std::vector<int32_t> am(p.out_count());
    ref::maxpool2d_forward(y, am, xv, rs);
    const auto dyv = ref::random_vector(p.out_count(), 22);
    std::vector<double> dx(p.in_count(), 0.0);
    ref::maxpool2d_backward(dx, dyv, am, rs);
    for (MaxPoolBackward route : maxpool_backward_routes(p)) {
      INFO("backward route " << maxpool_backward_name(route));
      const MaxRun got = run_max(ctx, p, xv, dyv, route);
      test::check_close(got.y, y, 0, 0, "maxpool forward with ties");
      CHECK(got.argmax == am);
      test::check_gradient(got.dx, dx, 1e-6, "maxpool dx with ties vs reference");
    }
  }
}

TEST_CASE("pool: max pool chooses a real -inf cell, never the padding") {
  Context ctx(test::test_context_options());
  // 2x2 outputs, every window padded; each picks its first real cell: rows/cols start at 0, 1.
  const Pool2dShape p{1, 1, 3, 3, 3, 3, 2, 2, 1, 1};
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> xv(9, -inf);
  std::vector<double> y(p.out_count());
  std::vector<int32_t> am(p.out_count());
  ref::maxpool2d_forward(y, am, xv, to_ref(p));
  const MaxRun got = run_max(ctx, p, xv, std::vector<double>(p.out_count(), 1.0), MaxPoolBackward::Gather);
  CHECK(got.argmax == am);
  CHECK(got.argmax == std::vector<int32_t>{0, 1, 3, 4});
  for (float v : got.y) CHECK(v == -std::numeric_limits<float>::infinity());
}

TEST_CASE("pool: average pool forward and backward vs finite differences") {
  Context ctx(test::test_context_options());
  for (const auto& p : kCases) {
    INFO(describe(p));
    const ref::Pool2dShape rs = to_ref(p);
    const ref::Inputs inputs = {ref::random_vector(p.in_count(), 31)};
    const ref::ForwardFn forward = [&](const ref::Inputs& in) {
      std::vector<double> yy(p.out_count());
      ref::avgpool2d_forward(yy, in[0], rs);
      return yy;
    };
    const auto r = ref::random_vector(p.out_count(), 32);
    Buffer x = test::to_device(ctx, inputs[0], "x"), dy = test::to_device(ctx, r, "dy");
    Buffer y = test::nan_buffer(ctx, p.out_count(), "y"), dx = test::nan_buffer(ctx, p.in_count(), "dx");
    Stream s(ctx);
    avgpool2d_forward(s, y, x, p);
    avgpool2d_backward(s, dx, dy, p);
    s.run();
    test::check_close(test::from_device(y, p.out_count()), forward(inputs), 1e-6, 1e-6, "avgpool forward");
    test::check_gradient(test::from_device(dx, p.in_count()), test::fd_gradient(forward, inputs, 0, r), 1e-5,
                         "avgpool dx");
  }
}

TEST_CASE("pool: global average pool forward and backward vs finite differences") {
  Context ctx(test::test_context_options());
  // N, C, H, W: batch 1, one cell, HW = 7 (the vec4 loop's tail), the seed CNN's 13x13.
  const int shapes[][4] = {{1, 1, 1, 1}, {1, 3, 1, 7}, {2, 5, 3, 3}, {3, 7, 13, 13}, {2, 33, 4, 4}};
  for (const auto& sh : shapes) {
    const int N = sh[0], C = sh[1], H = sh[2], W = sh[3];
    INFO(N << "x" << C << "x" << H << "x" << W);
    const size_t nin = size_t(N) * C * H * W, nout = size_t(N) * C;
    const ref::Inputs inputs = {ref::random_vector(nin, 41)};
    const ref::ForwardFn forward = [&](const ref::Inputs& in) {
      std::vector<double> yy(nout);
      ref::global_avgpool_forward(yy, in[0], N, C, H, W);
      return yy;
    };
    const auto r = ref::random_vector(nout, 42);
    Buffer x = test::to_device(ctx, inputs[0], "x"), dy = test::to_device(ctx, r, "dy");
    Buffer y = test::nan_buffer(ctx, nout, "y"), dx = test::nan_buffer(ctx, nin, "dx");
    Stream s(ctx);
    global_avgpool_forward(s, y, x, N, C, H, W);
    global_avgpool_backward(s, dx, dy, N, C, H, W);
    s.run();
    test::check_close(test::from_device(y, nout), forward(inputs), 1e-6, 1e-5, "global avgpool forward");
    // fd over the whole input is O(nin · nin): skip it for the largest, compare the reference.
    if (nin <= 1000) {
      test::check_gradient(test::from_device(dx, nin), test::fd_gradient(forward, inputs, 0, r), 1e-5, "global dx");
    } else {
      std::vector<double> ref_dx(nin, 0.0);
      ref::global_avgpool_backward(ref_dx, r, N, C, H, W);
      test::check_gradient(test::from_device(dx, nin), ref_dx, 1e-6, "global dx vs reference");
    }
  }
}

TEST_CASE("pool: the seed CNN's pool (batch 64, 64 channels, 26x26 -> 13x13) vs the reference backward") {
  Context ctx(test::test_context_options());
  const Pool2dShape p{64, 64, 26, 26, 2, 2, 2, 2, 0, 0};
  const ref::Pool2dShape rs = to_ref(p);
  const auto xv = ref::random_vector(p.in_count(), 51);  // random doubles: ties have probability ~0
  std::vector<double> y(p.out_count()), dx(p.in_count(), 0.0);
  std::vector<int32_t> am(p.out_count());
  ref::maxpool2d_forward(y, am, xv, rs);
  const auto dyv = ref::random_vector(p.out_count(), 52);
  ref::maxpool2d_backward(dx, dyv, am, rs);
  REQUIRE(maxpool_backward_routes(p).size() == 2);  // scatter first: the windows never overlap
  for (MaxPoolBackward route : maxpool_backward_routes(p)) {
    INFO("backward route " << maxpool_backward_name(route));
    const MaxRun got = run_max(ctx, p, xv, dyv, route);
    test::check_close(got.y, y, 1e-7, 1e-7, "maxpool forward");
    CHECK(got.argmax == am);
    test::check_gradient(got.dx, dx, 1e-6, "maxpool dx vs reference");
  }
}

TEST_CASE("pool: impossible shapes are input errors, short spans are errors") {
  CHECK_THROWS_AS((Pool2dShape{1, 1, 2, 2, 3, 3, 1, 1, 0, 0}.validate()), InputError);  // window > input
  CHECK_THROWS_AS((Pool2dShape{1, 1, 5, 5, 2, 2, 2, 2, 2, 0}.validate()), InputError);  // padding > k/2
  CHECK_THROWS_AS((Pool2dShape{1, 1, 5, 5, 2, 2, 0, 2, 0, 0}.validate()), InputError);  // stride 0
  CHECK_NOTHROW((Pool2dShape{1, 1, 2, 2, 3, 3, 1, 1, 1, 1}.validate()));
  Context ctx(test::test_context_options());
  const Pool2dShape p{1, 2, 4, 4, 2, 2, 2, 2, 0, 0};
  Buffer x(ctx, p.in_count() * 4, "x"), y(ctx, (p.out_count() - 1) * 4, "y"), am(ctx, p.out_count() * 4, "am");
  Stream s(ctx);
  CHECK_THROWS_AS(maxpool2d_forward(s, y, am, x, p), Error);
  CHECK_THROWS_AS(avgpool2d_forward(s, y, x, p), Error);
  CHECK_THROWS_AS(global_avgpool_forward(s, y, x, 1, 8, 4, 4), Error);
}
