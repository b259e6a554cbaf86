// Dropout: the GPU mask equals ref::dropout_keep for every element, bit for bit (no
// tolerance: the hash is integer arithmetic and the threshold an integer), for several
// (seed, step) and p in {0, 0.2, 0.5, 0.7, 1}; kept values are x / (1 - p) to fp32 rounding
// (x * float(1 / (1 - p)): two roundings, atol 0, rtol 3e-7); backward uses the same mask.
// A recorded stream replayed with a new step in the step block draws a new mask.
// The mask is read off the output: inputs are in [0.5, 1.5], never 0, so y == 0 iff dropped.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>

#include "nn/ops/dropout.hpp"
#include "nn/ops/step_block.hpp"
#include "runtime/buffer.hpp"
#include "tests/ops/op_harness.hpp"
#include "tests/reference/dropout.hpp"
#include "tests/test_support.hpp"
#include "util/error.hpp"

using namespace vkt;
using namespace vkt::nn;

namespace {

void set_step(Buffer& block, uint32_t step) {
  StepBlock b;
  b.step = step;
  block.upload(&b, sizeof(b));
}

std::vector<double> fp32_rounded(std::vector<double> v) {
  for (double& d : v) d = static_cast<float>(d);
  return v;
}

// Elements whose GPU keep/drop decision differs from the reference.
size_t mask_mismatches(const std::vector<float>& y, uint32_t seed, uint32_t step, double p) {
  size_t bad = 0;
  for (size_t i = 0; i < y.size(); ++i) bad += (y[i] != 0.0f) != ref::dropout_keep(seed, step, uint32_t(i), p);
  return bad;
}

}  // namespace

TEST_CASE("dropout: the mask matches the reference bit for bit, forward and backward values") {
  Context ctx(test::test_context_options());
  Buffer block(ctx, sizeof(StepBlock), "step block", MemoryUse::Shared);
  for (size_t n : {1, 7, 4099, 100003}) {
    const auto xv = fp32_rounded(ref::random_vector(n, 101 + n, 0.5, 1.5));
    const auto dyv = fp32_rounded(ref::random_vector(n, 102 + n, 0.5, 1.5));
    Buffer x = test::to_device(ctx, xv, "x"), dy = test::to_device(ctx, dyv, "dy");
    for (double p : {0.0, 0.2, 0.5, 0.7, 1.0}) {
      for (const auto& seed_step : {std::pair<uint32_t, uint32_t>{0, 1}, {1, 1}, {12345, 2}, {0xDEADBEEF, 77777}, {7, 0}}) {
        const uint32_t seed = seed_step.first, step = seed_step.second;
        INFO("n " << n << " p " << p << " seed " << seed << " step " << step);
        set_step(block, step);
        Buffer y = test::nan_buffer(ctx, n, "y"), dx = test::nan_buffer(ctx, n, "dx");
        Stream s(ctx);
        const DropoutParams d{p, seed};
        dropout_forward(s, y, x, n, d, block);
        dropout_backward(s, dx, dy, n, d, block);
        s.run();
        const auto yg = test::from_device(y, n), dxg = test::from_device(dx, n);
        CHECK(mask_mismatches(yg, seed, step, p) == 0);
        std::vector<double> ry(n), rdx(n, 0.0);
        ref::dropout_forward(ry, xv, p, seed, step);
        ref::dropout_backward(rdx, dyv, p, seed, step);
        test::check_close(yg, ry, 0, 3e-7, "dropout forward");
        test::check_close(dxg, rdx, 0, 3e-7, "dropout backward");
        if (n >= 4099 && p > 0 && p < 1) {  // the keep rate is 1 - p (binomial, 6 sigma)
          size_t kept = 0;
          for (float v : yg) kept += v != 0.0f;
          const double sigma = std::sqrt(n * p * (1 - p));
          CHECK(std::fabs(double(kept) - n * (1 - p)) < 6 * sigma);
        }
      }
    }
  }
}

TEST_CASE("dropout: the integer threshold, where an fp32 comparison would be off by one bucket") {
  CHECK(dropout_threshold(0.0) == 0u);
  CHECK(dropout_threshold(1.0) == 16777216u);
  for (double p : {0.2, 0.5, 0.7, 0.1, 0.9, 1e-9}) CHECK(dropout_threshold(p) == ref::dropout_threshold(p));
  // float(0.7) rounds above 0.7 by less than one bucket: ceil in double and in float disagree.
  CHECK(dropout_threshold(0.7) != static_cast<uint32_t>(std::ceil(double(0.7f) * 16777216.0)));
  CHECK_THROWS_AS(dropout_threshold(1.5), InputError);
  CHECK_THROWS_AS(dropout_threshold(-0.1), InputError);
}

TEST_CASE("dropout: a recorded stream replayed with a new step draws a new mask") {
  Context ctx(test::test_context_options());
  Buffer block(ctx, sizeof(StepBlock), "step block", MemoryUse::Shared);
  const size_t n = 1029;
  const auto xv = fp32_rounded(ref::random_vector(n, 111, 0.5, 1.5));
  Buffer x = test::to_device(ctx, xv, "x"), y = test::nan_buffer(ctx, n, "y"), y2 = test::nan_buffer(ctx, n, "y2");
  const DropoutParams d{0.5, 42};
  Stream s(ctx);
  dropout_forward(s, y, x, n, d, block);
  dropout_forward(s, y2, x, n, d, block);  // same layer, same step: the same mask
  std::vector<float> previous;
  for (uint32_t step : {1u, 2u, 3u, 1000u}) {
    INFO("step " << step);
    set_step(block, step);
    s.run();  // replays the one recording
    const auto yg = test::from_device(y, n);
    CHECK(mask_mismatches(yg, d.seed, step, d.p) == 0);
    CHECK(test::from_device(y2, n) == yg);
    if (!previous.empty()) {
      size_t changed = 0;
      for (size_t i = 0; i < n; ++i) changed += (yg[i] != 0.0f) != (previous[i] != 0.0f);
      CHECK(changed > n / 4);  // independent masks at p = 0.5 differ in ~half the elements
    }
    previous = yg;
  }
  CHECK(s.dispatch_count() == 2);
}

TEST_CASE("dropout: in place, and bad arguments") {
  Context ctx(test::test_context_options());
  Buffer block(ctx, sizeof(StepBlock), "step block", MemoryUse::Shared);
  set_step(block, 5);
  const size_t n = 67;
  const auto xv = fp32_rounded(ref::random_vector(n, 121));
  Buffer x = test::to_device(ctx, xv, "x");
  {
    Stream s(ctx);
    dropout_forward(s, x, x, n, {0.3, 9}, block);
    s.run();
  }
  std::vector<double> ry(n);
  ref::dropout_forward(ry, xv, 0.3, 9, 5);
  test::check_close(test::from_device(x, n), ry, 0, 3e-7, "in-place dropout");
  Stream s(ctx);
  Buffer small(ctx, (n - 1) * 4, "small");
  CHECK_THROWS_AS(dropout_forward(s, small, x, n, {0.3, 9}, block), Error);
  CHECK_THROWS_AS(dropout_forward(s, x, x, n, {1.2, 9}, block), InputError);
  CHECK_THROWS_AS(dropout_forward(s, x, x, n, {0.3, 9}, small.size() ? DeviceSpan(small, 0, 2) : DeviceSpan{}), Error);
}
