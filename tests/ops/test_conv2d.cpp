// conv2d forward vs the double reference; backward (dx, dw, db) vs central finite
// differences on small odd shapes (stride 2, padding 1 and 2, 1x1 and 5x5 kernels, batch 1,
// channels 3 and 5), and vs the reference backward on a seed-model shape, where finite
// differences would take minutes.
// Tolerances: outputs are K-term fp32 dot products with K = C·R·S (<= 288 here): atol
// 2e-5·sqrt(K) as in test_gemm.cpp. Gradients: 1e-4 of the largest entry (fp32 sums of up to
// N·OH·OW terms; see tests/ops/op_harness.hpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "nn/ops/conv2d.hpp"
#include "nn/ops/conv2d_direct.hpp"
#include "nn/ops/conv2d_routes.hpp"
#include "nn/ops/conv2d_winograd.hpp"
#include "nn/ops/conv2d_winograd_f33.hpp"
#include "runtime/buffer.hpp"
#include "tests/ops/op_harness.hpp"
#include "tests/reference/activation.hpp"
#include "tests/reference/conv2d.hpp"
#include "tests/reference/layout.hpp"
#include "tests/reference/pool.hpp"
#include "tests/test_support.hpp"
#include "util/error.hpp"

using namespace vkt;
using namespace vkt::nn;

namespace {


std::string describe(const Conv2dPlan& c) {
  return "N" + std::to_string(c.N) + " C" + std::to_string(c.C) + " " + std::to_string(c.H) + "x" + std::to_string(c.W) +
         " K" + std::to_string(c.K) + " " + std::to_string(c.R) + "x" + std::to_string(c.S) + " stride " +
         std::to_string(c.sh) + "," + std::to_string(c.sw) + " pad " + std::to_string(c.ph) + "," + std::to_string(c.pw) +
         " pool " + std::to_string(c.pool) + (c.x_channels_last ? " x-NHWC" : "") + (c.y_channels_last ? " y-NHWC" : "") +
         " route " + conv2d_route_name(c.route);
}

struct ConvRun {
  std::vector<float> y, dx, dw, db;
};

// With c.pool, y and dy are the pooled ones. Inputs and results are NCHW; with
// c.x_channels_last / y_channels_last the device sees x, dx / y, dy channels-last.
// Without `bias` the layer has none (b and db empty spans); in[2] should then be zeros.
// Without `need_dx` the layer is a model's first (dx is an empty span, as Graph passes it).
ConvRun run_gpu(Context& ctx, const Conv2dPlan& c, const ref::Inputs& in, const std::vector<double>& dyv,
                bool relu = false, bool bias = true, bool need_dx = true) {
  const auto ws_size = conv2d_workspace_size(c);
  const auto nhwc_x = [&](const auto& v) { return ref::nchw_to_nhwc(v, c.N, c.C, c.H, c.W); };
  const auto nhwc_y = [&](const auto& v) { return ref::nchw_to_nhwc(v, c.N, c.K, c.PH(), c.PW()); };
  Buffer x = test::to_device(ctx, c.x_channels_last ? nhwc_x(in[0]) : in[0], "x"), w = test::to_device(ctx, in[1], "w"),
         b = test::to_device(ctx, in[2], "b");
  Buffer dy = test::to_device(ctx, c.y_channels_last ? nhwc_y(dyv) : dyv, "dy");
  const uint64_t ysize = c.out_count(), xsize = uint64_t(c.N) * c.C * c.H * c.W;
  Buffer y = test::nan_buffer(ctx, ysize, "y"), dx = test::nan_buffer(ctx, xsize, "dx"),
         dw = test::nan_buffer(ctx, c.K * c.CRS(), "dw"), db = test::nan_buffer(ctx, c.K, "db");
  Buffer col = test::nan_buffer(ctx, ws_size.col, "col"), t = test::nan_buffer(ctx, ws_size.t, "t"),
         wp = test::nan_buffer(ctx, std::max<uint64_t>(ws_size.w_gemm, 1), "w_gemm"),
         partials = test::nan_buffer(ctx, ws_size.partials, "partials"),
         argmax = test::nan_buffer(ctx, std::max<uint64_t>(ws_size.argmax, 1), "argmax"),
         v = test::nan_buffer(ctx, std::max<uint64_t>(ws_size.v, 1), "v");
  const Conv2dWorkspace ws{col, t, ws_size.w_gemm ? DeviceSpan(wp) : DeviceSpan{}, partials,
                           ws_size.argmax ? DeviceSpan(argmax) : DeviceSpan{}, ws_size.v ? DeviceSpan(v) : DeviceSpan{}};
  Stream s(ctx);
  conv2d_forward(s, y, x, w, bias ? DeviceSpan(b) : DeviceSpan{}, c, ws, relu);
  conv2d_backward(s, need_dx ? DeviceSpan(dx) : DeviceSpan{}, dw, bias ? DeviceSpan(db) : DeviceSpan{}, dy, x, w, c, ws);
  s.run();
  std::vector<float> yv = test::from_device(y, ysize), dxv = test::from_device(dx, xsize);
  if (c.y_channels_last) yv = ref::nhwc_to_nchw(yv, c.N, c.K, c.PH(), c.PW());
  if (c.x_channels_last && need_dx) dxv = ref::nhwc_to_nchw(dxv, c.N, c.C, c.H, c.W);
  return {yv, dxv, test::from_device(dw, c.K * c.CRS()), test::from_device(db, c.K)};
}

// A convolution without a pool: forward vs the reference, backward vs finite differences.
// `seed` picks the random data. Without `bias` the layer has none. With `relu` forward
// applies the fused ReLU, checked on the forward values only: backward takes dy with relu'
// already applied (the activation's own pass does that), so the gradients are checked without.
void check_unpooled(Context& ctx, const Conv2dPlan& c, uint32_t seed, const char* what, bool bias = true,
                    bool relu = false) {
  const ref::Conv2dShape rs = ref::Conv2dShape::from(c);
  const ref::Inputs inputs = {ref::random_vector(size_t(c.N) * c.C * c.H * c.W, seed),
                              ref::random_vector(size_t(c.K) * c.CRS(), seed + 1),
                              bias ? ref::random_vector(c.K, seed + 2) : std::vector<double>(c.K, 0.0)};
  const ref::ForwardFn forward = [&](const ref::Inputs& in) {
    std::vector<double> y(size_t(c.P()) * c.K);
    ref::conv2d_forward(y, in[0], in[1], in[2], rs);
    return y;
  };
  const auto r = ref::random_vector(size_t(c.P()) * c.K, seed + 3);
  const double tol = 2e-5 * std::sqrt(double(c.CRS())) + 1e-6;
  if (relu) {
    std::vector<double> want = forward(inputs);
    for (double& v : want) v = std::max(v, 0.0);
    test::check_close(run_gpu(ctx, c, inputs, r, true, bias).y, want, tol, 1e-5, what);
  }
  const ConvRun got = run_gpu(ctx, c, inputs, r, false, bias);
  test::check_close(got.y, forward(inputs), tol, 1e-5, what);
  test::check_gradient(got.dx, test::fd_gradient(forward, inputs, 0, r), 1e-4, "dx");
  test::check_gradient(got.dw, test::fd_gradient(forward, inputs, 1, r), 1e-4, "dw");
  if (bias) test::check_gradient(got.db, test::fd_gradient(forward, inputs, 2, r), 1e-4, "db");
}

// A convolution with a fused pool (and ReLU) against the unfused reference chain conv2d ->
// relu -> maxpool2d (2x2, stride 2): forward values, backward vs finite differences.
void check_pooled(Context& ctx, const Conv2dPlan& c, bool relu, const char* what, bool bias = true,
                  bool need_dx = true) {
  const ref::Conv2dShape rs = ref::Conv2dShape::from(c);
  ref::Pool2dShape ps;
  ps.N = int(c.N), ps.C = int(c.K), ps.H = int(c.OH()), ps.W = int(c.OW());
  REQUIRE(ps.OH() == int(c.PH()));
  REQUIRE(ps.OW() == int(c.PW()));
  const ref::Inputs inputs = {ref::random_vector(size_t(c.N) * c.C * c.H * c.W, 11),
                              ref::random_vector(size_t(c.K) * c.CRS(), 12),
                              bias ? ref::random_vector(c.K, 13) : std::vector<double>(c.K, 0.0)};
  const ref::ForwardFn forward = [&](const ref::Inputs& in) {
    std::vector<double> conv(size_t(c.P()) * c.K), act(conv.size()), y(c.out_count());
    std::vector<int32_t> argmax(y.size());
    ref::conv2d_forward(conv, in[0], in[1], in[2], rs);
    if (relu) ref::relu_forward(act, conv);
    else act = conv;
    ref::maxpool2d_forward(y, argmax, act, ps);
    return y;
  };
  const auto r = ref::random_vector(c.out_count(), 14);
  const ConvRun got = run_gpu(ctx, c, inputs, r, relu, bias, need_dx);
  test::check_close(got.y, forward(inputs), 2e-5 * std::sqrt(double(c.CRS())) + 1e-6, 1e-5, what);
  if (need_dx) test::check_gradient(got.dx, test::fd_gradient(forward, inputs, 0, r), 1e-4, "dx");
  test::check_gradient(got.dw, test::fd_gradient(forward, inputs, 1, r), 1e-4, "dw");
  if (bias) test::check_gradient(got.db, test::fd_gradient(forward, inputs, 2, r), 1e-4, "db");
}

struct PooledCase {
  Conv2dShape c;
  bool relu;
};

// check_pooled on every case, on the GEMM route lavapipe takes ("auto": the texel kernel) and
// on the one other devices take ("tiled").
void check_pooled_both_gemms(Context& ctx, const std::vector<PooledCase>& cases, const char* what,
                             bool need_dx = true) {
  const KernelPolicy saved = ctx.policy();
  for (const GemmChoice gemm : {GemmChoice::Auto, GemmChoice::Tiled})
    for (const auto& [c, relu] : cases) {
      KernelPolicy p = saved;
      p.gemm = gemm;
      ctx.set_policy(p);
      const std::string shape = describe(c);
      const std::string gemm_name = gemm_choice_name(gemm);
      CAPTURE(shape);
      const auto relu_ = relu;  // clang 14 cannot capture a structured binding
      CAPTURE(relu_);
      CAPTURE(gemm_name);
      check_pooled(ctx, c, relu, what, true, need_dx);
    }
  ctx.set_policy(saved);
}

}  // namespace

TEST_CASE("conv2d: forward vs reference and backward vs finite differences on odd shapes") {
  Context ctx(test::test_context_options());
  // N, C, H, W, K, R, S, sh, sw, ph, pw
  const Conv2dShape cases[] = {
      {1, 1, 5, 5, 2, 3, 3, 1, 1, 0, 0},  // batch 1, one channel (C·R·S = 9: padded rows)
      {2, 3, 7, 7, 5, 3, 3, 2, 2, 1, 1},  // stride 2, padding 1
      {1, 5, 7, 6, 3, 5, 5, 1, 1, 2, 2},  // 5x5, padding 2, non-square input
      {3, 5, 3, 7, 4, 1, 1, 1, 1, 0, 0},  // 1x1
      {2, 3, 8, 9, 7, 3, 2, 2, 1, 2, 0},  // rectangular kernel, mixed stride and padding
      // C % 4 == 0: backward-data's channels-last dcol and 4-channel col2im (conv2d.hpp)
      {1, 4, 5, 5, 2, 3, 3, 1, 1, 0, 0},  // batch 1
      {2, 8, 7, 6, 3, 3, 2, 2, 1, 1, 0},  // stride 2,1, padding 1,0, rectangular kernel
  };
  for (const auto& c : cases) {
    const std::string shape = describe(c);
    CAPTURE(shape);
    check_unpooled(ctx, c, 1, "conv2d forward");
  }
}

TEST_CASE("conv2d: the seed CNN's second layer (32->64, 3x3, 13x13, batch 16) vs the reference backward") {
  // Batch 16 makes the weight gradient's sums 1,936 deep: long enough for split-K.
  Context ctx(test::test_context_options());
  const Conv2dShape c{16, 32, 13, 13, 64, 3, 3, 1, 1, 0, 0};
  const ref::Conv2dShape rs = ref::Conv2dShape::from(c);
  const ref::Inputs inputs = {ref::random_vector(size_t(c.N) * c.C * c.H * c.W, 5),
                              ref::random_vector(size_t(c.K) * c.CRS(), 6), ref::random_vector(c.K, 7)};
  std::vector<double> y(size_t(c.P()) * c.K);
  ref::conv2d_forward(y, inputs[0], inputs[1], inputs[2], rs);
  const auto dyv = ref::random_vector(y.size(), 8);
  std::vector<double> dx(inputs[0].size(), 0.0), dw(inputs[1].size(), 0.0), db(c.K, 0.0);
  ref::conv2d_backward(dx, dw, db, dyv, inputs[0], inputs[1], rs);
  const ConvRun got = run_gpu(ctx, c, inputs, dyv);
  test::check_close(got.y, y, 2e-5 * std::sqrt(288.0), 1e-5, "forward");
  test::check_gradient(got.dx, dx, 1e-5, "dx vs reference");
  test::check_gradient(got.dw, dw, 1e-5, "dw vs reference");
  test::check_gradient(got.db, db, 1e-5, "db vs reference");
}

TEST_CASE("conv2d with a fused ReLU and 2x2 max pool: forward vs reference, backward vs finite differences") {
  // The reference is the unfused chain conv2d -> relu -> maxpool2d (2x2, stride 2). Odd
  // output sizes check that the uncovered last row/column gets no gradient; batch 1, stride 2
  // with padding, C·R·S not a multiple of 4, and the pool without the ReLU are covered too.
  Context ctx(test::test_context_options());
  // N, C, H, W, K, R, S, sh, sw, ph, pw, pool. Both forward routes: the texel GEMM pooling in
  // its epilogue (gemm_texel_maxpool), and any other GEMM writing the window-grouped
  // output for maxpool2x2_windows_forward.comp.
  check_pooled_both_gemms(ctx,
                          {
                              {{1, 1, 8, 8, 2, 3, 3, 1, 1, 0, 0, 2}, true},    // batch 1, even 6x6 output
                              {{2, 3, 9, 9, 5, 3, 3, 1, 1, 0, 0, 2}, true},    // 7x7: last row and column dropped
                              {{2, 3, 11, 10, 4, 3, 3, 2, 2, 1, 1, 2}, true},  // stride 2, padding 1: 6x5 output
                              {{3, 5, 7, 7, 6, 5, 5, 1, 1, 2, 2, 2}, false},   // 5x5 kernel, no ReLU
                              {{2, 2, 5, 12, 3, 2, 3, 1, 2, 0, 1, 2}, true},   // rectangular kernel, 4x6 output
                              {{2, 8, 9, 8, 5, 3, 3, 1, 1, 1, 1, 2}, true},    // C % 4 == 0, padding 1
                          },
                          "pooled forward");
}

TEST_CASE("conv2d with a fused pool as a model's first layer: dw and db from one pooled product") {
  // No dx: the weight gradient reads dy and the winners inside its GEMM, and db comes from
  // im2col's column of ones (CRS % 4 != 0 only). "tiled" checks the fallback to the windows pass.
  Context ctx(test::test_context_options());
  check_pooled_both_gemms(ctx,
                          {
                              {{1, 1, 8, 8, 2, 3, 3, 1, 1, 0, 0, 2}, true},     // batch 1, C·R·S = 9
                              {{2, 3, 9, 9, 5, 3, 3, 1, 1, 0, 0, 2}, true},     // 27, last row and column dropped
                              {{2, 3, 11, 10, 4, 3, 3, 2, 2, 1, 1, 2}, false},  // stride 2, padding 1, no ReLU
                              {{3, 1, 12, 13, 9, 3, 3, 1, 1, 0, 0, 2}, true},   // 9 filters: a partial block
                          },
                          "first-layer forward", false);
}

TEST_CASE("conv2d, direct route (few input channels + ReLU + 2x2 pool): forward vs reference, backward vs finite differences") {
  // shaders/conv2d_direct_pool.comp: one invocation per window, no im2col in forward; without
  // dx the weight gradient comes from dy and the winners (conv2d_direct_pool_backward.comp),
  // with dx backward builds im2col from x. Windows not a multiple of the workgroups (the last
  // lanes recompute a window and must not store or add), batch 1, stride 2 with padding
  // (patch cells past the image), a rectangular kernel, no ReLU, no bias, 1 to 3 channels,
  // NCHW and channels-last y and x, with and without dx.
  Context ctx(test::test_context_options());
  struct Case {
    Conv2dShape c;
    bool relu, need_dx, bias, x_nhwc, y_nhwc;
  };
  // N, C, H, W, K, R, S, sh, sw, ph, pw, pool
  const Case cases[] = {
      {{1, 1, 8, 8, 4, 3, 3, 1, 1, 0, 0, 2}, true, false, true, false, false},     // batch 1, 3x3 windows
      {{3, 1, 12, 13, 8, 3, 3, 1, 1, 0, 0, 2}, true, false, true, false, true},    // 75 windows, channels-last y
      {{2, 3, 9, 9, 12, 3, 3, 1, 1, 0, 0, 2}, true, true, true, false, false},     // 3 channels, with dx
      {{2, 1, 11, 10, 4, 3, 3, 2, 2, 1, 1, 2}, false, false, true, false, true},   // stride 2, padding 1, no ReLU
      {{2, 2, 5, 12, 8, 2, 3, 1, 2, 0, 1, 2}, true, false, false, true, true},     // rectangular, no bias, x NHWC
      {{2, 1, 10, 9, 4, 3, 3, 1, 1, 1, 1, 2}, true, true, true, false, false},     // padding 1, with dx
      // No dx and K·(CRS + 1) = 560 sums per lane, past the weight-gradient kernel's 512: the
      // direct forward, then im2col + the pooled GEMM.
      {{2, 3, 9, 9, 20, 3, 3, 1, 1, 0, 0, 2}, true, false, true, false, true},
  };
  for (const auto& [shape0, relu, need_dx, bias, x_nhwc, y_nhwc] : cases) {
    Conv2dPlan c(shape0, Conv2dRoute::Direct);
    c.x_channels_last = x_nhwc;
    // A channels-last y needs the first layer's pooled weight gradient (CPU drivers only).
    c.y_channels_last = y_nhwc && conv2d_channels_last_output_ok(ctx, c, need_dx);
    const std::string shape = describe(c);
    CAPTURE(shape);
    const auto relu_ = relu;  // clang 14 cannot capture a structured binding
    CAPTURE(relu_);
    const auto need_dx_ = need_dx;  // clang 14 cannot capture a structured binding
    CAPTURE(need_dx_);
    REQUIRE(conv2d_direct_shape_ok(c));
    check_pooled(ctx, c, relu, "direct forward", bias, need_dx);
  }
  // Where it applies: the seed CNN's first layer where subgroups are 8 lanes with shuffle (the
  // backward kernel's), not its second; the default (--autotune off) on CPU drivers only.
  const KernelPolicy& p = ctx.policy();
  const Conv2dShape conv1{64, 1, 28, 28, 32, 3, 3, 1, 1, 0, 0, 2};
  CHECK(conv2d_direct_device_ok(conv1, p) == p.subgroups_of_8());
  CHECK((conv2d_default_route(conv1, p) == Conv2dRoute::Direct) == (p.cpu_driver && p.subgroups_of_8()));
  KernelPolicy off = p;
  off.direct = false;  // VKTRAIN_NO_DIRECT=1
  CHECK_FALSE(conv2d_direct_device_ok(conv1, off));
  CHECK(conv2d_default_route(conv1, off) == Conv2dRoute::Im2col);
  // cifar-cnn's 3-channel conv1 keeps im2col: its weight gradient would need the column matrix.
  CHECK_FALSE(conv2d_direct_device_ok({64, 3, 32, 32, 32, 3, 3, 1, 1, 0, 0, 2}, p));
  CHECK_FALSE(conv2d_direct_shape_ok({64, 32, 13, 13, 64, 3, 3, 1, 1, 0, 0, 2}));
  CHECK_FALSE(conv2d_direct_shape_ok({64, 1, 28, 28, 30, 3, 3, 1, 1, 0, 0, 2}));  // K % 4 != 0
  CHECK_FALSE(conv2d_direct_shape_ok({64, 1, 28, 28, 32, 3, 3, 1, 1, 0, 0, 0}));  // no pool
}

TEST_CASE("conv2d, Winograd route (3x3 + ReLU + 2x2 pool): forward vs reference, backward vs finite differences") {
  // check_pooled, as above. Odd outputs (the last row and column belong to
  // no tile), padding 1 (tiles reaching past the image), batch 1, no ReLU (negative maxima), and
  // a shape whose T = N·PH·PW tiles is not a multiple of the backward kernel's 16 per invocation.
  Context ctx(test::test_context_options());
  struct Case {
    Conv2dShape c;
    bool relu;
  };
  // N, C, H, W, K, R, S, sh, sw, ph, pw, pool
  const Case cases[] = {
      {{1, 4, 8, 8, 4, 3, 3, 1, 1, 0, 0, 2}, true},    // batch 1, 6x6 output, 9 tiles
      {{2, 4, 9, 10, 8, 3, 3, 1, 1, 0, 0, 2}, true},   // 7x8 output: last row dropped
      {{2, 8, 7, 7, 4, 3, 3, 1, 1, 1, 1, 2}, false},   // padding 1, no ReLU
      {{3, 4, 6, 11, 12, 3, 3, 1, 1, 1, 0, 2}, true},  // mixed padding, 3x4 tiles x 3 = 36
  };
  // The transforms add and halve before the products: a few more roundings than the direct
  // sum, within the same bound.
  for (const auto& [shape0, relu] : cases) {
    const Conv2dPlan c(shape0, Conv2dRoute::Winograd);
    const std::string shape = describe(c);
    CAPTURE(shape);
    const auto relu_ = relu;  // clang 14 cannot capture a structured binding
    CAPTURE(relu_);
    REQUIRE(winograd_shape_ok(c));
    check_pooled(ctx, c, relu, "winograd forward");
  }
  check_pooled(ctx, Conv2dPlan(cases[1].c, Conv2dRoute::Winograd), true, "winograd forward, no bias", false);  // the BIAS-less kernels
}

TEST_CASE("conv2d, Winograd F(3x3, 3x3) route (unpooled 3x3): forward vs reference, backward vs finite differences") {
  // nn/ops/conv2d_winograd_f33.hpp. One tile per image (the seed CNN's conv3, batch 1), tiles
  // that overlap in dx (col2im of 5x5 patches at stride 3), padding (tiles reaching past the
  // image), non-square grids, no bias, the fused ReLU, channels-last x and dx.
  Context ctx(test::test_context_options());
  struct Case {
    Conv2dShape c;
    bool bias, relu, x_nhwc;
  };
  // N, C, H, W, K, R, S, sh, sw, ph, pw
  const Case cases[] = {
      {{1, 4, 5, 5, 4, 3, 3, 1, 1, 0, 0}, true, false, false},   // batch 1, one tile
      {{2, 8, 8, 5, 12, 3, 3, 1, 1, 0, 0}, true, true, false},   // 6x3 output: 2x1 tiles
      {{2, 4, 6, 6, 8, 3, 3, 1, 1, 1, 1}, false, false, false},  // padding 1: 2x2 tiles, no bias
      {{3, 4, 8, 9, 4, 3, 3, 1, 1, 0, 1}, true, true, true},     // mixed padding, 2x3 tiles, x NHWC
      {{2, 8, 5, 5, 8, 3, 3, 1, 1, 0, 0}, true, false, true},    // conv3's geometry, x NHWC
  };
  for (const auto& [shape0, bias, relu, x_nhwc] : cases) {
    Conv2dPlan c(shape0, Conv2dRoute::WinogradF33);
    c.x_channels_last = x_nhwc;
    const std::string shape = describe(c);
    CAPTURE(shape);
    const auto bias_ = bias;  // clang 14 cannot capture a structured binding
    CAPTURE(bias_);
    const auto relu_ = relu;  // clang 14 cannot capture a structured binding
    CAPTURE(relu_);
    REQUIRE(winograd_f33_shape_ok(c));
    check_unpooled(ctx, c, 71, "winograd F(3,3) forward", bias, relu);
  }
  // Where it is taken: the seed CNN's conv3, by default on a CPU driver; not cifar-cnn's (a 4x4
  // output is not whole tiles), nor pooled, strided or 5x5 layers.
  const KernelPolicy& p = ctx.policy();
  const Conv2dShape conv3{64, 64, 5, 5, 64, 3, 3, 1, 1, 0, 0};
  CHECK(winograd_f33_device_ok(conv3, p) == p.vec4_texels);
  CHECK((conv2d_default_route(conv3, p) == Conv2dRoute::WinogradF33) == (p.cpu_driver && p.vec4_texels));
  for (bool KernelPolicy::*sw : {&KernelPolicy::winograd_f33, &KernelPolicy::winograd}) {  // either switch turns it off
    KernelPolicy off = p;
    off.*sw = false;
    CHECK_FALSE(winograd_f33_device_ok(conv3, off));
  }
  CHECK_FALSE(winograd_f33_shape_ok({64, 64, 6, 6, 64, 3, 3, 1, 1, 0, 0}));
  CHECK_FALSE(winograd_f33_shape_ok({64, 32, 13, 13, 64, 3, 3, 1, 1, 0, 0, 2}));
  CHECK_FALSE(winograd_f33_shape_ok({2, 4, 7, 7, 4, 3, 3, 2, 2, 0, 0}));
  CHECK_FALSE(winograd_f33_shape_ok({2, 4, 7, 7, 4, 5, 5, 1, 1, 0, 0}));
}

TEST_CASE("conv2d: channels-last inputs and pooled outputs (between two convolutions) vs finite differences") {
  // Graph keeps the boundary between a conv with a fused pool and the next conv channels-last
  // where both can (nn/ops/conv2d.hpp). Each route that reads or writes such tensors, checked
  // as the NCHW ones are: forward vs the reference, backward vs finite differences. Where the
  // device cannot keep a pooled output channels-last (conv2d_channels_last_output_ok: not a
  // CPU driver) only the input side is.
  Context ctx(test::test_context_options());
  struct Case {
    Conv2dShape c;
    bool relu, need_dx;
    Conv2dRoute route = Conv2dRoute::Im2col;
  };
  // N, C, H, W, K, R, S, sh, sw, ph, pw, pool
  const Case cases[] = {
      // A first layer: the texel GEMM pools into channels-last y and winners, the weight
      // gradient reads them 4 channels per fetch. 9 (ragged) and 8 filters, 7x7 -> 3x3.
      {{1, 1, 8, 8, 8, 3, 3, 1, 1, 0, 0, 2}, true, false},
      {{2, 3, 9, 9, 12, 3, 3, 1, 1, 0, 0, 2}, true, false},
      {{2, 3, 11, 10, 4, 3, 3, 2, 2, 1, 1, 2}, false, false},  // stride 2, padding 1, no ReLU
      // Winograd: channels-last x (winograd_input, col2im) and y (the pooled transforms).
      {{1, 4, 8, 8, 4, 3, 3, 1, 1, 0, 0, 2}, true, true, Conv2dRoute::Winograd},
      {{2, 8, 7, 7, 8, 3, 3, 1, 1, 1, 1, 2}, false, true, Conv2dRoute::Winograd},
      {{2, 4, 9, 10, 8, 3, 3, 1, 1, 0, 0, 2}, true, true, Conv2dRoute::Winograd},
      // im2col without a pool, reading channels-last x (conv3): C % 4 == 0 takes the 4-channel
      // col2im, C = 3 the float-by-float one; stride 2 and padding 1.
      {{2, 4, 5, 5, 6, 3, 3, 1, 1, 0, 0}, false, true},
      {{2, 3, 7, 6, 5, 3, 3, 2, 2, 1, 1}, false, true},
      // im2col with a pool, not a first layer: x channels-last, y NCHW.
      {{2, 8, 9, 8, 5, 3, 3, 1, 1, 1, 1, 2}, true, true},
  };
  for (const auto& [shape0, relu, need_dx, route] : cases) {
    Conv2dPlan c(shape0, route);
    c.x_channels_last = c.C > 1;  // one channel: the same bytes either way
    c.y_channels_last = c.pool && c.K % 4 == 0 && conv2d_channels_last_output_ok(ctx, c, need_dx);
    const std::string shape = describe(c);
    CAPTURE(shape);
    const auto relu_ = relu;  // clang 14 cannot capture a structured binding
    CAPTURE(relu_);
    if (c.route == Conv2dRoute::Winograd) REQUIRE(winograd_shape_ok(c));
    if (c.pool)
      check_pooled(ctx, c, relu, "channels-last forward", true, need_dx);
    else
      check_unpooled(ctx, c, 61, "channels-last forward");
  }
  // A CPU driver really takes the channels-last routes for the seed CNN's first two layers.
  const KernelPolicy& p = ctx.policy();
  if (p.cpu_driver && p.vec4_texels && p.channels_last) {
    const Conv2dShape conv1{64, 1, 28, 28, 32, 3, 3, 1, 1, 0, 0, 2}, conv2_shape{64, 32, 13, 13, 64, 3, 3, 1, 1, 0, 0, 2};
    const Conv2dPlan conv2(conv2_shape, conv2d_default_route(conv2_shape, p));
    CHECK(conv2d_channels_last_output_ok(ctx, conv1, false));
    CHECK_FALSE(conv2d_channels_last_output_ok(ctx, conv1, true));  // its dx would need the windows pass
    CHECK(conv2d_channels_last_output_ok(ctx, conv2, true));
  }
}

TEST_CASE("conv2d, Winograd route: a default on CPU drivers only, and only where its buffers fit the device") {
  Context ctx(test::test_context_options());
  const KernelPolicy& p = ctx.policy();
  const Conv2dShape seed{64, 32, 13, 13, 64, 3, 3, 1, 1, 0, 0, 2};
  CHECK(winograd_device_ok(seed, p) == p.vec4_texels);
  CHECK((conv2d_default_route(seed, p) == Conv2dRoute::Winograd) == (p.cpu_driver && p.vec4_texels));
  // 4 -> 64 channels at batch 512, 34x34: M alone would be 537 MB, over any 128 MiB storage
  // range, where the im2col route's column matrix (36·T·C floats) is 75 MB.
  const Conv2dShape wide{512, 4, 34, 34, 64, 3, 3, 1, 1, 0, 0, 2};
  CHECK(winograd_sizes(wide).m * 4 > p.max_storage_buffer_range);
  CHECK_FALSE(winograd_device_ok(wide, p));
  CHECK(conv2d_default_route(wide, p) == Conv2dRoute::Im2col);
  Conv2dShape no_pool = seed;
  no_pool.pool = 0;
  CHECK_FALSE(winograd_shape_ok(no_pool));
  KernelPolicy off = p;
  off.winograd = false;  // VKTRAIN_NO_WINOGRAD=1
  CHECK_FALSE(winograd_device_ok(seed, off));
  CHECK(conv2d_default_route(seed, off) == Conv2dRoute::Im2col);
}

TEST_CASE("conv2d, Winograd route: the seed CNN's second layer at batch 16 vs the direct route") {
  Context ctx(test::test_context_options());
  Conv2dShape c{16, 32, 13, 13, 64, 3, 3, 1, 1, 0, 0, 2};
  const ref::Inputs inputs = {ref::random_vector(size_t(c.N) * c.C * c.H * c.W, 51),
                              ref::random_vector(size_t(c.K) * c.CRS(), 52), ref::random_vector(c.K, 53)};
  const auto r = ref::random_vector(c.out_count(), 54);
  const ConvRun direct = run_gpu(ctx, c, inputs, r, true);
  const ConvRun wino = run_gpu(ctx, Conv2dPlan(c, Conv2dRoute::Winograd), inputs, r, true);
  std::vector<double> y(direct.y.begin(), direct.y.end()), dx(direct.dx.begin(), direct.dx.end()),
      dw(direct.dw.begin(), direct.dw.end()), db(direct.db.begin(), direct.db.end());
  test::check_close(wino.y, y, 2e-5 * std::sqrt(288.0), 1e-5, "forward");
  test::check_gradient(wino.dx, dx, 1e-5, "dx");
  test::check_gradient(wino.dw, dw, 1e-5, "dw");
  test::check_gradient(wino.db, db, 1e-5, "db");
}

TEST_CASE("conv2d: impossible shapes are input errors") {
  CHECK_THROWS_AS((Conv2dShape{1, 1, 2, 2, 1, 3, 3, 1, 1, 0, 0}.validate()), InputError);
  CHECK_THROWS_AS((Conv2dShape{1, 0, 5, 5, 1, 3, 3, 1, 1, 0, 0}.validate()), InputError);
  CHECK_NOTHROW((Conv2dShape{1, 1, 2, 2, 1, 3, 3, 1, 1, 1, 1}.validate()));
  CHECK_THROWS_AS((Conv2dShape{1, 1, 4, 4, 1, 4, 4, 1, 1, 0, 0, 2}.validate()), InputError);  // 1x1: nothing to pool
  CHECK_NOTHROW((Conv2dShape{1, 1, 4, 4, 1, 3, 3, 1, 1, 0, 0, 2}.validate()));                 // 2x2: one window
  CHECK_THROWS_AS((Conv2dShape{1, 1, 6, 6, 1, 3, 3, 1, 1, 0, 0, 3}.validate()), InputError);  // only 2x2 pools fuse
  // The Winograd route: 3x3, stride 1, a pool, C and K multiples of 4.
  CHECK_NOTHROW((Conv2dPlan({1, 4, 6, 6, 4, 3, 3, 1, 1, 0, 0, 2}, Conv2dRoute::Winograd).validate()));
  CHECK_THROWS_AS((Conv2dPlan({1, 3, 6, 6, 4, 3, 3, 1, 1, 0, 0, 2}, Conv2dRoute::Winograd).validate()), InputError);
  CHECK_THROWS_AS((Conv2dPlan({1, 4, 6, 6, 4, 3, 3, 2, 2, 0, 0, 2}, Conv2dRoute::Winograd).validate()), InputError);
  CHECK_THROWS_AS((Conv2dPlan({1, 4, 6, 6, 4, 3, 3, 1, 1, 0, 0, 0}, Conv2dRoute::Winograd).validate()), InputError);
}
