// Residual add: forward vs the reference (one fp32 addition: atol 1e-7, rtol 1e-7 relative to
// fp32-rounded inputs, i.e. half an ulp), on sizes that exercise the vec4 body and the scalar
// tail, offsets 0 and 16 bytes (4 bytes where the device allows it), and in place; backward copies dy where asked.
#include <doctest/doctest.h>

#include <cmath>

#include "nn/ops/add.hpp"
#include "runtime/buffer.hpp"
#include "tests/ops/op_harness.hpp"
#include "tests/reference/activation.hpp"
#include "tests/test_support.hpp"
#include "util/error.hpp"

using namespace vkt;
using namespace vkt::nn;

namespace {
std::vector<double> fp32_rounded(std::vector<double> v) {
  for (double& d : v) d = static_cast<float>(d);
  return v;
}
}  // namespace

TEST_CASE("add: forward vs reference, vec4 body, tails and unaligned offsets") {
  Context ctx(test::test_context_options());
  for (size_t n : {1, 3, 7, 64, 65, 127, 4099}) {
    for (size_t offset : {0, 4, 1}) {
      if (offset * 4 % ctx.info().min_storage_buffer_offset_alignment) continue;  // not bindable here
      INFO("n " << n << " offset " << offset);
      const auto av = fp32_rounded(ref::random_vector(n + offset, 81 + n)),
                 bv = fp32_rounded(ref::random_vector(n + offset, 82 + n));
      Buffer a = test::to_device(ctx, av, "a"), b = test::to_device(ctx, bv, "b");
      Buffer y = test::nan_buffer(ctx, n + offset, "y");
      Stream s(ctx);
      add_forward(s, DeviceSpan(y, offset * 4, n), DeviceSpan(a, offset * 4, n), DeviceSpan(b, offset * 4, n), n);
      s.run();
      std::vector<double> ref_y(n);
      ref::add_forward(ref_y, std::span<const double>(av).subspan(offset), std::span<const double>(bv).subspan(offset));
      const auto got = test::from_device(y, n + offset);
      for (size_t i = 0; i < offset; ++i) CHECK(std::isnan(got[i]));
      test::check_close(std::vector<float>(got.begin() + offset, got.end()), ref_y, 1e-7, 1e-7, "add forward");
    }
  }
}

TEST_CASE("add: in place (y = a) and backward copies dy into distinct da, db") {
  Context ctx(test::test_context_options());
  const size_t n = 45;
  const auto av = fp32_rounded(ref::random_vector(n, 91)), bv = fp32_rounded(ref::random_vector(n, 92)),
             dyv = fp32_rounded(ref::random_vector(n, 93));
  Buffer a = test::to_device(ctx, av, "a"), b = test::to_device(ctx, bv, "b"), dy = test::to_device(ctx, dyv, "dy");
  Buffer da = test::nan_buffer(ctx, n, "da"), db = test::nan_buffer(ctx, n, "db");
  Stream s(ctx);
  add_forward(s, a, a, b, n);
  add_backward(s, da, db, dy, n);
  add_backward(s, dy, {}, dy, n);  // da is dy itself: nothing to do
  s.run();
  std::vector<double> y(n);
  ref::add_forward(y, av, bv);
  test::check_close(test::from_device(a, n), y, 1e-7, 1e-7, "in-place add");
  test::check_close(test::from_device(da, n), dyv, 0, 0, "da");
  test::check_close(test::from_device(db, n), dyv, 0, 0, "db");
  test::check_close(test::from_device(dy, n), dyv, 0, 0, "dy untouched");
}

TEST_CASE("add: short spans are errors") {
  Context ctx(test::test_context_options());
  Buffer a(ctx, 8 * 4, "a"), b(ctx, 7 * 4, "b");
  Stream s(ctx);
  CHECK_THROWS_AS(add_forward(s, a, a, b, 8), Error);
  CHECK_THROWS_AS(add_backward(s, b, {}, a, 8), Error);
}
