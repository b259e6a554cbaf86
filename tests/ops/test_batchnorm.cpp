// Batch norm 1d (HW = 1) and 2d (HW = H·W), both reduction paths (shared-memory tree always,
// subgroupAdd where the device has it):
//   - training forward (y, save_mean, save_invstd, running stats) vs the double reference
//   - backward (dx, dgamma, dbeta) vs central finite differences of the reference training
//     forward, L = Σ r·y so dy = r; and dx omitted
//   - inference forward vs the reference
//   - odd shapes: N = 1, 2, 3, 33, 127; C = 1, 3, 5; HW = 1, 2, 7×7; M = N·HW = 2 (the minimum)
//   - running statistics over 3 replays of one recorded stream
//   - a large mean (1000 ± 0.17): the pivot-shifted two-pass variance keeps full precision
//     where E[x²] - E[x]² in fp32 would lose it all
// Tolerances: y and the statistics are sums of M <= 4,000 fp32 terms of size ~1 normalized by
// the std: atol 2e-5 + rtol 2e-5 (fp32 reduction error ~sqrt(M)·2^-24 ≈ 4e-6). Gradients:
// 1e-4 of the largest entry plus an absolute 1e-5·max|gamma·invstd|·max|dy| for entries that
// are pure cancellation (with M = 2, dx exists only through eps and is ~1e-5 of dy).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "nn/ops/batchnorm.hpp"
#include "runtime/buffer.hpp"
#include "tests/ops/op_harness.hpp"
#include "tests/reference/batchnorm.hpp"
#include "tests/test_support.hpp"
#include "util/error.hpp"

using namespace vkt;
using namespace vkt::nn;

namespace {

std::vector<double> f32(std::vector<double> v) {
  for (double& x : v) x = double(float(x));
  return v;
}

std::vector<BatchNormPath> paths(const Context& ctx) {
  std::vector<BatchNormPath> p = {BatchNormPath::Shared};
  if (ctx.info().subgroup_arithmetic) p.push_back(BatchNormPath::Subgroup);
  return p;
}

std::string path_name(BatchNormPath p) { return p == BatchNormPath::Shared ? "shared" : "subgroup"; }

struct RefTrain {
  std::vector<double> y, mean, invstd, rmean, rvar;
};

RefTrain ref_train(const std::vector<double>& x, const std::vector<double>& gamma, const std::vector<double>& beta,
                   const std::vector<double>& rmean, const std::vector<double>& rvar, int N, int C, int HW) {
  RefTrain r{std::vector<double>(x.size()), std::vector<double>(C), std::vector<double>(C), rmean, rvar};
  ref::batchnorm_forward_train(r.y, r.mean, r.invstd, r.rmean, r.rvar, x, gamma, beta, N, C, HW);
  return r;
}

void check_shape(Context& ctx, BatchNormPath path, int N, int C, int HW, uint64_t seed) {
  CAPTURE(path_name(path));
  CAPTURE(N);
  CAPTURE(C);
  CAPTURE(HW);
  const size_t n = size_t(N) * C * HW;
  const auto x = f32(ref::random_vector(n, seed)), r = f32(ref::random_vector(n, seed + 1));
  const auto gamma = f32(ref::random_away_from_zero(C, seed + 2, 0.5, 1.5)), beta = f32(ref::random_vector(C, seed + 3));
  const auto rmean = f32(ref::random_vector(C, seed + 4)), rvar = f32(ref::random_vector(C, seed + 5, 0.5, 2.0));
  const BatchNormShape b{uint32_t(N), uint32_t(C), uint32_t(HW)};

  Buffer xb = test::to_device(ctx, x, "x"), gb = test::to_device(ctx, gamma, "gamma"),
         bb = test::to_device(ctx, beta, "beta"), dyb = test::to_device(ctx, r, "dy");
  Buffer rm = test::to_device(ctx, rmean, "running_mean"), rv = test::to_device(ctx, rvar, "running_var");
  Buffer y = test::nan_buffer(ctx, n, "y"), sm = test::nan_buffer(ctx, C, "save_mean"),
         si = test::nan_buffer(ctx, C, "save_invstd");
  Buffer dx = test::nan_buffer(ctx, n, "dx"), dg = test::nan_buffer(ctx, C, "dgamma"), db = test::nan_buffer(ctx, C, "dbeta");
  Buffer dg2 = test::nan_buffer(ctx, C, "dgamma (no dx)"), db2 = test::nan_buffer(ctx, C, "dbeta (no dx)");
  Buffer yi = test::nan_buffer(ctx, n, "y infer");
  Stream s(ctx);
  batchnorm_forward_infer(s, yi, xb, gb, bb, rm, rv, b);  // before the running stats change
  batchnorm_forward_train(s, y, sm, si, rm, rv, xb, gb, bb, b, path);
  batchnorm_backward(s, dx, dg, db, dyb, xb, gb, sm, si, b, path);
  batchnorm_backward(s, {}, dg2, db2, dyb, xb, gb, sm, si, b, path);
  s.run();

  const RefTrain want = ref_train(x, gamma, beta, rmean, rvar, N, C, HW);
  test::check_close(test::from_device(y, n), want.y, 2e-5, 2e-5, "y");
  test::check_close(test::from_device(sm, C), want.mean, 2e-6, 2e-5, "save_mean");
  test::check_close(test::from_device(si, C), want.invstd, 1e-6, 2e-5, "save_invstd");
  test::check_close(test::from_device(rm, C), want.rmean, 2e-6, 2e-5, "running_mean");
  test::check_close(test::from_device(rv, C), want.rvar, 2e-6, 2e-5, "running_var");
  std::vector<double> yinf(n);
  ref::batchnorm_forward_infer(yinf, x, gamma, beta, rmean, rvar, N, C, HW);
  test::check_close(test::from_device(yi, n), yinf, 2e-6, 2e-6, "y infer");

  const ref::ForwardFn forward = [&](const ref::Inputs& in) {
    return ref_train(in[0], in[1], in[2], rmean, rvar, N, C, HW).y;
  };
  const ref::Inputs inputs = {x, gamma, beta};
  double k = 0, rmax = 0;
  for (int c = 0; c < C; ++c) k = std::max(k, std::fabs(gamma[c] * want.invstd[c]));
  for (double v : r) rmax = std::max(rmax, std::fabs(v));
  const double tol_abs = 1e-5 * k * rmax;
  test::check_gradient(test::from_device(dx, n), test::fd_gradient(forward, inputs, 0, r), 1e-4, "dx", tol_abs);
  const auto fd_gamma = test::fd_gradient(forward, inputs, 1, r), fd_beta = test::fd_gradient(forward, inputs, 2, r);
  test::check_gradient(test::from_device(dg, C), fd_gamma, 1e-4, "dgamma", 1e-5);
  test::check_gradient(test::from_device(db, C), fd_beta, 1e-4, "dbeta", 1e-5);
  test::check_gradient(test::from_device(dg2, C), fd_gamma, 1e-4, "dgamma without dx", 1e-5);
  test::check_gradient(test::from_device(db2, C), fd_beta, 1e-4, "dbeta without dx", 1e-5);
}

}  // namespace

TEST_CASE("batchnorm: 1d and 2d training forward, inference and backward on odd shapes") {
  Context ctx(test::test_context_options());
  struct Shape {
    int N, C, HW;
  };
  const Shape shapes[] = {
      {2, 1, 1},    // 1d, M = 2: the minimum
      {1, 3, 2},    // batch 1, M = 2 from the spatial size
      {3, 5, 1},    // 1d, odd
      {33, 3, 1},   // 1d, more rows than ... a subgroup, fewer than a workgroup
      {127, 5, 1},  // 1d, more rows than a workgroup
      {1, 1, 49},   // 2d, batch 1, one channel, 7×7
      {3, 5, 49},   // 2d, 7×7: each step of the cursor crosses rows
      {2, 3, 97},   // 2d, HW above the workgroup size
  };
  uint64_t seed = 100;
  for (BatchNormPath path : paths(ctx))
    for (const Shape& sh : shapes) check_shape(ctx, path, sh.N, sh.C, sh.HW, seed += 10);
}

TEST_CASE("batchnorm: seed-CNN-sized 2d layer (16 x 8 x 13x13) vs the reference backward") {
  Context ctx(test::test_context_options());
  const int N = 16, C = 8, HW = 169;
  const size_t n = size_t(N) * C * HW;
  const auto x = f32(ref::random_vector(n, 1, -2.0, 3.0)), dyv = f32(ref::random_vector(n, 2));
  const auto gamma = f32(ref::random_vector(C, 3, 0.5, 1.5)), beta = f32(ref::random_vector(C, 4));
  std::vector<double> rmean(C, 0.0), rvar(C, 1.0);
  const RefTrain want = ref_train(x, gamma, beta, rmean, rvar, N, C, HW);
  std::vector<double> dx(n, 0.0), dg(C, 0.0), db(C, 0.0);
  ref::batchnorm_backward(dx, dg, db, dyv, x, gamma, want.mean, want.invstd, N, C, HW);
  for (BatchNormPath path : paths(ctx)) {
    CAPTURE(path_name(path));
    Buffer xb = test::to_device(ctx, x, "x"), gb = test::to_device(ctx, gamma, "gamma"),
           bb = test::to_device(ctx, beta, "beta"), dyb = test::to_device(ctx, dyv, "dy");
    Buffer rm = test::to_device(ctx, rmean, "running_mean"), rv = test::to_device(ctx, rvar, "running_var");
    Buffer y = test::nan_buffer(ctx, n, "y"), sm = test::nan_buffer(ctx, C, "save_mean"),
           si = test::nan_buffer(ctx, C, "save_invstd");
    Buffer dxb = test::nan_buffer(ctx, n, "dx"), dgb = test::nan_buffer(ctx, C, "dgamma"),
           dbb = test::nan_buffer(ctx, C, "dbeta");
    const BatchNormShape b{uint32_t(N), uint32_t(C), uint32_t(HW)};
    Stream s(ctx);
    batchnorm_forward_train(s, y, sm, si, rm, rv, xb, gb, bb, b, path);
    batchnorm_backward(s, dxb, dgb, dbb, dyb, xb, gb, sm, si, b, path);
    s.run();
    test::check_close(test::from_device(y, n), want.y, 2e-5, 2e-5, "y");
    test::check_close(test::from_device(rv, C), want.rvar, 2e-6, 2e-5, "running_var");
    test::check_gradient(test::from_device(dxb, n), dx, 1e-5, "dx vs reference");
    test::check_gradient(test::from_device(dgb, C), dg, 1e-5, "dgamma vs reference");
    test::check_gradient(test::from_device(dbb, C), db, 1e-5, "dbeta vs reference");
  }
}

TEST_CASE("batchnorm: running statistics over 3 replays of one recorded stream") {
  Context ctx(test::test_context_options());
  const int N = 5, C = 3, HW = 7;
  const size_t n = size_t(N) * C * HW;
  const auto x = f32(ref::random_vector(n, 50, -1.0, 2.0));
  const std::vector<double> gamma(C, 1.0), beta(C, 0.0);
  RefTrain want{{}, {}, {}, std::vector<double>(C, 0.0), std::vector<double>(C, 1.0)};
  Buffer xb = test::to_device(ctx, x, "x"), gb = test::to_device(ctx, gamma, "gamma"), bb = test::to_device(ctx, beta, "beta");
  Buffer rm = test::to_device(ctx, want.rmean, "running_mean"), rv = test::to_device(ctx, want.rvar, "running_var");
  Buffer y = test::nan_buffer(ctx, n, "y"), sm = test::nan_buffer(ctx, C, "save_mean"),
         si = test::nan_buffer(ctx, C, "save_invstd");
  Stream s(ctx);
  batchnorm_forward_train(s, y, sm, si, rm, rv, xb, gb, bb, {uint32_t(N), uint32_t(C), uint32_t(HW)});
  for (int replay = 1; replay <= 3; ++replay) {
    CAPTURE(replay);
    s.run();
    want = ref_train(x, gamma, beta, want.rmean, want.rvar, N, C, HW);
    test::check_close(test::from_device(rm, C), want.rmean, 2e-6, 2e-5, "running_mean");
    test::check_close(test::from_device(rv, C), want.rvar, 2e-6, 2e-5, "running_var");
  }
}

TEST_CASE("batchnorm: the variance keeps its precision under a large mean") {
  Context ctx(test::test_context_options());
  const int N = 3, C = 2, HW = 49;
  const size_t n = size_t(N) * C * HW;
  auto x = ref::random_vector(n, 60, -0.17, 0.17);  // std ~0.1
  for (double& v : x) v += 1000.0;
  x = f32(x);
  const std::vector<double> gamma(C, 1.0), beta(C, 0.0), rmean(C, 0.0), rvar(C, 1.0);
  const RefTrain want = ref_train(x, gamma, beta, rmean, rvar, N, C, HW);
  for (BatchNormPath path : paths(ctx)) {
    CAPTURE(path_name(path));
    Buffer xb = test::to_device(ctx, x, "x"), gb = test::to_device(ctx, gamma, "gamma"),
           bb = test::to_device(ctx, beta, "beta");
    Buffer rm = test::to_device(ctx, rmean, "running_mean"), rv = test::to_device(ctx, rvar, "running_var");
    Buffer y = test::nan_buffer(ctx, n, "y"), sm = test::nan_buffer(ctx, C, "save_mean"),
           si = test::nan_buffer(ctx, C, "save_invstd");
    Stream s(ctx);
    batchnorm_forward_train(s, y, sm, si, rm, rv, xb, gb, bb, {uint32_t(N), uint32_t(C), uint32_t(HW)}, path);
    s.run();
    // E[x²] - E[x]² in fp32 errs by ~1e6·2^-24 ≈ 0.06 here, six times the variance itself; even
    // a plain fp32 sum of x errs by ~1e-4 in the mean, 1e-3 in y. The pivot-shifted sums don't.
    test::check_close(test::from_device(si, C), want.invstd, 0.0, 2e-5, "save_invstd");
    test::check_close(test::from_device(y, n), want.y, 2e-5, 0.0, "y");
    test::check_close(test::from_device(sm, C), want.mean, 1e-4, 0.0, "save_mean (fp32 ulp of 1000 is 6e-5)");
  }
}

TEST_CASE("batchnorm: impossible shapes and short spans are refused") {
  Context ctx(test::test_context_options());
  Buffer a(ctx, 64, "a"), c(ctx, 8, "c");
  Stream s(ctx);
  CHECK_THROWS_AS((BatchNormShape{1, 2, 1}.validate(true)), InputError);  // M = 1 in training
  CHECK_NOTHROW((BatchNormShape{1, 2, 1}.validate(false)));               // fine for inference
  CHECK_THROWS_AS((BatchNormShape{0, 2, 1}.validate(false)), InputError);
  CHECK_THROWS_AS(batchnorm_forward_train(s, a, c, c, c, c, a, c, c, {1, 2, 1}), InputError);
  CHECK_THROWS_AS(batchnorm_forward_train(s, a, c, c, c, c, a, c, c, {4, 3, 1}), Error);  // C = 3 > 2 floats
  CHECK_THROWS_AS(batchnorm_forward_infer(s, a, a, c, c, c, c, {4, 2, 3}), Error);        // 24 > 16 floats
  CHECK_THROWS_AS(batchnorm_backward(s, a, c, c, DeviceSpan(a, 0, 3), a, c, c, c, {2, 2, 1}), Error);
  CHECK(s.dispatch_count() == 0);
}
