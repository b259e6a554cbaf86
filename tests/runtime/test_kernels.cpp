// The runtime's own kernels (saxpy, reductions, a texel-buffer read) against CPU results,
// and the Stream's recording, replay, barriers and timestamps.
#include <doctest/doctest.h>

#include <cmath>

#include "runtime/buffer.hpp"
#include "runtime/context.hpp"
#include "runtime/kernel.hpp"
#include "runtime/stream.hpp"
#include "tests/test_support.hpp"
#include "util/error.hpp"

using namespace vkt;

namespace {

struct SaxpyPush {
  uint32_t n;
  float a;
};
struct ReducePush {
  uint32_t n;
  uint32_t per_group;
};

Kernel saxpy_kernel(Context& ctx) {
  return Kernel(ctx, {"saxpy", {BindingKind::Storage, BindingKind::Storage}, sizeof(SaxpyPush), {64, 1, 1}});
}

// Sums x on the device in two passes (n -> groups -> 1); `shader` is either reduction variant.
float device_sum(Context& ctx, const std::string& shader, const std::vector<float>& x) {
  const uint32_t n = static_cast<uint32_t>(x.size());
  const uint32_t wg = 256, per_group = wg * 16;
  const uint32_t groups = (n + per_group - 1) / per_group;
  Kernel k(ctx, {shader, {BindingKind::Storage, BindingKind::Storage}, sizeof(ReducePush), {wg, 1, 1}});
  Buffer xb(ctx, n * 4, "x"), partial(ctx, groups * 4, "partial"), total(ctx, 4, "total");
  xb.upload(x);
  Stream s(ctx);
  s.dispatch(k, {in(xb), out(partial)}, ReducePush{n, per_group}, {groups, 1, 1});
  s.dispatch(k, {in(partial), out(total)}, ReducePush{groups, (groups + wg - 1) / wg * wg}, {1, 1, 1});
  s.run();
  CHECK(s.barrier_count() == 1);  // partial: written by pass 1, read by pass 2
  return total.download_as<float>(1)[0];
}

}  // namespace

TEST_CASE("kernels: saxpy matches the CPU on random data") {
  Context ctx(test::test_context_options());
  for (uint32_t n : {1u, 63u, 64u, 65u, 100003u}) {
    CAPTURE(n);
    const auto x = test::random_floats(n, 1), y = test::random_floats(n, 2);
    Buffer xb(ctx, n * 4, "x"), yb(ctx, n * 4, "y");
    xb.upload(x);
    yb.upload(y);
    const Kernel k = saxpy_kernel(ctx);
    Stream s(ctx);
    s.dispatch(k, {in(xb), inout(yb)}, SaxpyPush{n, 2.5f}, {(n + 63) / 64, 1, 1});
    s.run();
    const auto got = yb.download_all<float>();
    // Exact, either way the driver evaluates a * x + y: Vulkan lets it fuse the multiply and add
    // into one rounding (GPUs do) or round twice (lavapipe on x86-64 and aarch64 does).
    for (uint32_t i = 0; i < n; ++i) {
      const float product = 2.5f * x[i];  // the build has -ffp-contract=off: rounded here
      REQUIRE((got[i] == product + y[i] || got[i] == std::fma(2.5f, x[i], y[i])));
    }
  }
}

TEST_CASE("kernels: subgroup and shared-memory reductions match a double-precision sum") {
  Context ctx(test::test_context_options());
  for (uint32_t n : {1u, 1000u, 4097u, 1u << 20}) {
    CAPTURE(n);
    const auto x = test::random_floats(n, n);
    double want = 0, magnitude = 0;
    for (float v : x) want += v, magnitude += std::fabs(v);
    // fp32 pairwise-ish sums: error grows ~ sqrt(n) * 2^-24 * sum|x|; 1e-6 * sum|x| leaves room.
    const double tol = 1e-6 * magnitude + 1e-6;
    CHECK(std::fabs(device_sum(ctx, "reduce_sum_shared", x) - want) <= tol);
    if (ctx.info().subgroup_arithmetic) CHECK(std::fabs(device_sum(ctx, "reduce_sum", x) - want) <= tol);
  }
}

TEST_CASE("kernels: inputs read through a texel buffer, including a ragged tail") {
  Context ctx(test::test_context_options());
  if (!ctx.info().rgba32f_texel_buffers) {
    MESSAGE("device has no RGBA32F texel buffers; storage fallback only");
    return;
  }
  struct Push {
    uint32_t n;
    float a;
  };
  const Kernel k(ctx, {"scale_texel", {BindingKind::Texel, BindingKind::Storage}, sizeof(Push), {64, 1, 1}});
  for (uint32_t n : {1u, 3u, 5u, 4099u}) {
    CAPTURE(n);
    const auto x = test::random_floats(n, 7);
    Buffer xb(ctx, n * 4, "x"), yb(ctx, n * 4, "y");
    xb.upload(x);
    Stream s(ctx);
    const uint32_t vec4s = (n + 3) / 4;
    s.dispatch(k, {texel(xb), out(yb)}, Push{n, -3.0f}, {(vec4s + 63) / 64, 1, 1});
    s.run();
    const auto got = yb.download_all<float>();
    for (uint32_t i = 0; i < n; ++i) REQUIRE(got[i] == -3.0f * x[i]);
  }
}

TEST_CASE("stream: 1,000 dependent dispatches recorded once, replayed 3 times, exact") {
  Context ctx(test::test_context_options());
  const uint32_t n = 4096;
  Buffer ones(ctx, n * 4, "ones"), acc(ctx, n * 4, "acc");
  ones.upload(std::vector<float>(n, 1.0f));
  acc.upload(std::vector<float>(n, 0.0f));
  const Kernel k = saxpy_kernel(ctx);
  Stream s(ctx);
  for (int i = 0; i < 1000; ++i) s.dispatch(k, {in(ones), inout(acc)}, SaxpyPush{n, 1.0f}, {n / 64, 1, 1});
  // Each dispatch reads what the previous one wrote: one barrier between each pair, no more.
  CHECK(s.barrier_count() == 999);
  CHECK(s.barrier_notes().front().find("read-after-write") != std::string::npos);
  for (int replay = 1; replay <= 3; ++replay) {
    s.run();
    const auto got = acc.download_all<float>();
    for (uint32_t i = 0; i < n; ++i) REQUIRE(got[i] == 1000.0f * static_cast<float>(replay));
  }
}

TEST_CASE("stream: independent dispatches get no barrier, write-after-read does") {
  Context ctx(test::test_context_options());
  const uint32_t n = 256;
  Buffer x(ctx, n * 4, "x"), a(ctx, n * 4, "a"), b(ctx, n * 4, "b"), c(ctx, n * 4, "c");
  const Kernel k = saxpy_kernel(ctx);
  Stream s(ctx);
  s.dispatch(k, {in(x), inout(a)}, SaxpyPush{n, 1.0f}, {n / 64, 1, 1});
  s.dispatch(k, {in(x), inout(b)}, SaxpyPush{n, 1.0f}, {n / 64, 1, 1});
  CHECK(s.barrier_count() == 0);
  // x (all of it) was read above; now its first half is written: write-after-read.
  s.dispatch(k, {in(c), inout(x, 0, 512)}, SaxpyPush{128, 1.0f}, {2, 1, 1});
  CHECK(s.barrier_count() == 1);
  // Disjoint halves of one buffer are independent.
  s.dispatch(k, {in(c), inout(x, 512, 512)}, SaxpyPush{128, 1.0f}, {2, 1, 1});
  CHECK(s.barrier_count() == 1);
  CHECK(s.barrier_notes()[0].find("write-after-read") != std::string::npos);
  s.run();
}

TEST_CASE("kernels: groups_1d splits large 1-D grids over y and covers every item") {
  for (uint64_t items : {1ull, 64ull, 65ull, 65535ull * 64, 65536ull * 64, 1ull << 26}) {
    CAPTURE(items);
    const auto g = groups_1d(items, 64);
    CHECK(g[0] <= 65535);
    CHECK(uint64_t(g[0]) * g[1] * 64 >= items);
    CHECK(uint64_t(g[0]) * (g[1] - 1) * 64 < items);  // no row is wholly idle
  }
}

TEST_CASE("stream: misuse is an error, not a driver crash") {
  Context ctx(test::test_context_options());
  Buffer x(ctx, 256, "x");
  const Kernel k = saxpy_kernel(ctx);
  Stream s(ctx);
  CHECK_THROWS_AS(s.dispatch(k, {in(x)}, SaxpyPush{64, 1.0f}, {1, 1, 1}), Error);  // one binding short
  CHECK_THROWS_AS(s.dispatch(k, {in(x), inout(x, 0, 512)}, SaxpyPush{64, 1.0f}, {1, 1, 1}), Error);  // overrun
  CHECK_THROWS_AS(Kernel(ctx, {"saxpy", {BindingKind::Storage, BindingKind::Storage}, 8, {4096, 1, 1}}), Error);
  CHECK_THROWS_AS(Kernel(ctx, {"no_such_shader", {}, 0}), Error);
}

TEST_CASE("stream: timestamps measure a longer kernel as longer") {
  Context ctx(test::test_context_options());
  if (!ctx.info().timestamps) {
    MESSAGE("device has no timestamps");
    return;
  }
  const uint32_t small = 1 << 12, large = 1 << 22;
  Buffer x(ctx, large * 4, "x"), y(ctx, large * 4, "y");
  const Kernel k = saxpy_kernel(ctx);
  Stream s(ctx);
  s.timestamp("start");
  s.dispatch(k, {in(x), inout(y, 0, small * 4)}, SaxpyPush{small, 1.0f}, {small / 64, 1, 1});
  s.timestamp("small");
  s.dispatch(k, {in(x), inout(y)}, SaxpyPush{large, 1.0f}, groups_1d(large, 64));
  s.timestamp("large");
  s.run();
  const auto t = s.timings();
  REQUIRE(t.size() == 3);  // begin->start, start->small, small->large
  CHECK(t[1].label == "small");
  CHECK(t[2].label == "large");
  CHECK(t[2].ms > t[1].ms);
  CHECK(t[2].ms > 0.0);
}
