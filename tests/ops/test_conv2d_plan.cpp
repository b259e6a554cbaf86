// Planning a convolution: the table's defaults (--autotune off), measuring the candidates and
// remembering the winner (--autotune full), the cache only (cached), and the pick rule.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "nn/ops/conv2d_routes.hpp"
#include "nn/plan/conv2d_plan.hpp"
#include "runtime/context.hpp"
#include "runtime/kernel_cache.hpp"
#include "tests/ops/plan_support.hpp"
#include "tests/test_support.hpp"
#include "util/error.hpp"

using namespace vkt;
using namespace vkt::nn;
using test::PrivateCache;
using test::with_autotune;

namespace {

// The seed CNN's convolutions at batch 16, as the graph plans them (conv1 is a first layer).
struct SeedLayer {
  const char* name;
  Conv2dShape c;
  bool dx_needed;
  Conv2dRoute cpu_default;
};
const SeedLayer kSeed[] = {
    {"conv1", {16, 1, 28, 28, 32, 3, 3, 1, 1, 0, 0, 2}, false, Conv2dRoute::Direct},
    {"conv2", {16, 32, 13, 13, 64, 3, 3, 1, 1, 0, 0, 2}, true, Conv2dRoute::Winograd},
    {"conv3", {16, 64, 5, 5, 64, 3, 3, 1, 1, 0, 0}, true, Conv2dRoute::WinogradF33},
};

}  // namespace

TEST_CASE("conv2d plan: --autotune off takes the table's defaults: lavapipe's hand-measured routes on CPU drivers, im2col on GPUs") {
  PrivateCache cache;
  Context ctx(test::test_context_options());
  with_autotune(ctx, AutotuneMode::Off);
  const KernelPolicy& p = ctx.policy();
  for (const auto& l : kSeed) {
    CAPTURE(l.name);
    const Conv2dPlan plan = plan_conv2d(ctx, l.c, l.dx_needed);
    MESSAGE(l.name << ": " << conv2d_route_name(plan.route));
    const auto cands = conv2d_candidates(l.c, p);
    REQUIRE(cands.back() == Conv2dRoute::Im2col);  // the reference route applies everywhere
    if (p.cpu_driver && p.subgroups_of_8() && p.vec4_texels)
      CHECK(plan.route == l.cpu_default);
    else if (!p.cpu_driver)
      CHECK(plan.route == Conv2dRoute::Im2col);
  }
  CHECK(ctx.kernel_cache(kernel_candidates_checksum()).size() == 0);  // nothing measured or written
}

TEST_CASE("conv2d plan: every candidate of the seed CNN's layers agrees with im2col, and is timed") {
  PrivateCache cache;
  Context ctx(test::test_context_options());
  for (const auto& l : kSeed) {
    CAPTURE(l.name);
    const auto cands = conv2d_choices(l.c, ctx.policy());
    const auto m = measure_conv2d(ctx, l.c, l.dx_needed, cands, 2);
    REQUIRE(m.size() == cands.size());
    for (const auto& x : m) {
      CAPTURE(x.choice.name());
      CHECK(x.correct);
      CHECK(x.error <= kRouteTolerance);
      CHECK(std::isfinite(x.ms));
      CHECK(x.ms > 0);
      MESSAGE(l.name << " " << x.choice.name() << ": " << x.ms << " ms, error " << x.error);
    }
  }
}

TEST_CASE("conv2d plan: --autotune full measures once and remembers, cached reads only") {
  PrivateCache cache;
  const SeedLayer& l = kSeed[1];
  Conv2dRoute measured;
  std::filesystem::path file;
  {
    Context ctx(test::test_context_options());
    with_autotune(ctx, AutotuneMode::Full);
    const auto cands = conv2d_choices(l.c, ctx.policy());
    const auto t0 = std::chrono::steady_clock::now();
    const uint64_t checksum = kernel_candidates_checksum();  // once per process
    MESSAGE("candidate checksum: " << std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count()
                                   << " ms");
    KernelCache& kc = ctx.kernel_cache(checksum);
    file = kc.file();
    CHECK(file.string().rfind(cache.dir.path().string(), 0) == 0);
    measured = plan_conv2d(ctx, l.c, l.dx_needed).route;
    // Only conv2d entries count: measuring a route plans the strided sums it records, which the
    // cache keeps too (small plans, tests/ops/test_small_plans.cpp).
    if (cands.size() < 2) {  // one candidate: nothing to measure
      CHECK(kc.count("conv2d ") == 0);
      return;
    }
    REQUIRE(kc.count("conv2d ") == 1);
    const auto hit = kc.find(conv2d_cache_key(l.c, l.dx_needed, cands));
    REQUIRE(hit);
    CHECK(hit->winner == conv2d_route_name(measured));
    for (const Conv2dChoice& k : cands) CHECK(hit->detail.contains(k.name()));
    const size_t entries = kc.size();
    CHECK(plan_conv2d(ctx, l.c, l.dx_needed).route == measured);  // a hit: nothing new
    CHECK(kc.size() == entries);
  }
  CHECK(std::filesystem::exists(file));
  {
    Context ctx(test::test_context_options());
    with_autotune(ctx, AutotuneMode::Cached);
    // What a warm cache adds to start-up: the checksum (the binary read once), the file, a lookup.
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(plan_conv2d(ctx, l.c, l.dx_needed).route == measured);
    MESSAGE("first cached plan: " << std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count()
                                  << " ms");
    // A shape the cache lacks takes the default under `cached`, and is not measured.
    Conv2dShape other = l.c;
    other.N = 3;
    CHECK(plan_conv2d(ctx, other, l.dx_needed).route == conv2d_default_route(other, ctx.policy()));
    CHECK(ctx.kernel_cache(kernel_candidates_checksum()).count("conv2d ") == 1);
  }
  {
    // A switch that removes a candidate makes another key: the old winner is not taken blindly.
    Context ctx(test::test_context_options());
    with_autotune(ctx, AutotuneMode::Cached);
    KernelPolicy p = ctx.policy();
    p.winograd = false;
    ctx.set_policy(p);
    CHECK(plan_conv2d(ctx, l.c, l.dx_needed).route == Conv2dRoute::Im2col);
  }
}

TEST_CASE("conv2d plan: a GPU also measures the direct and Winograd kernels in wider workgroups, each agreeing with im2col") {
  PrivateCache cache;
  Context ctx(test::test_context_options());
  KernelPolicy gpu = ctx.policy();
  gpu.cpu_driver = false;
  gpu.max_workgroup_invocations = 1024, gpu.max_workgroup_x = 1024;
  ctx.set_policy(gpu);
  for (const auto& l : kSeed) {
    CAPTURE(l.name);
    const auto routes = conv2d_candidates(l.c, gpu);
    const auto choices = conv2d_choices(l.c, gpu);
    // Every route as it is, then the wider workgroups of the routes with kernels of their own.
    REQUIRE(choices.size() >= routes.size());
    for (size_t i = 0; i < routes.size(); ++i) CHECK(choices[i] == Conv2dChoice{routes[i]});
    std::vector<Conv2dChoice> wide(choices.begin() + routes.size(), choices.end());
    for (const auto& k : wide) {
      CAPTURE(k.name());
      CHECK((k.local_x == 128 || k.local_x == 256));
      CHECK(k.route != Conv2dRoute::Im2col);
    }
    if (std::find(routes.begin(), routes.end(), l.cpu_default) != routes.end()) {
      CHECK(std::find(choices.begin(), choices.end(), Conv2dChoice{l.cpu_default, 128}) != choices.end());
      CHECK(std::find(choices.begin(), choices.end(), Conv2dChoice{l.cpu_default, 256}) != choices.end());
    }
    // They run here too (lavapipe takes 1024 invocations): each agrees with im2col.
    const auto m = measure_conv2d(ctx, l.c, l.dx_needed, wide, 1);
    for (const auto& x : m) {
      CAPTURE(x.choice.name());
      CHECK(x.correct);
    }
  }
  // A device of 128 invocations per workgroup gets no 256-wide one; a CPU driver none at all.
  KernelPolicy small = gpu;
  small.max_workgroup_invocations = 128;
  for (const auto& k : conv2d_choices(kSeed[1].c, small)) CHECK(k.local_x <= 128);
  KernelPolicy cpu = gpu;
  cpu.cpu_driver = true;
  for (const auto& k : conv2d_choices(kSeed[1].c, cpu)) CHECK(k.local_x == 0);
  CHECK(Conv2dChoice{Conv2dRoute::Direct, 256}.name() == "direct wg256");
  CHECK(Conv2dChoice{Conv2dRoute::Winograd}.name() == "winograd");
}

TEST_CASE("conv2d plan: a width tune-kernels remembered is measured beside the rule's, even on a CPU driver") {
  PrivateCache cache;
  Context ctx(test::test_context_options());
  with_autotune(ctx, AutotuneMode::Full);
  const SeedLayer& l = kSeed[2];  // conv3: no pool
  KernelCache& kc = ctx.kernel_cache(kernel_candidates_checksum());
  const Conv2dRoute route = conv2d_default_route(l.c, ctx.policy());
  REQUIRE(conv2d_route_has_width(route));
  kc.remember(tuned_width_key(l.c, route), {"wg32", {}});
  CHECK(tuned_width_key(l.c, route) == "conv2d-width " + conv2d_route_name(route) + " 16x64x5x5 k64 3x3 s1 p0");
  const Conv2dPlan plan = plan_conv2d(ctx, l.c, l.dx_needed);
  std::vector<Conv2dChoice> cands = conv2d_choices(l.c, ctx.policy());
  cands.push_back({route, 32});
  const auto hit = kc.find(conv2d_cache_key(l.c, l.dx_needed, cands));
  REQUIRE(hit);
  REQUIRE(hit->detail.contains(conv2d_route_name(route) + " wg32"));
  CHECK(hit->detail[conv2d_route_name(route) + " wg32"]["correct"] == true);
  CHECK(hit->winner == Conv2dChoice{plan.route, plan.local_x}.name());
}

TEST_CASE("conv2d shape: parse reads back what str() writes, and refuses anything else") {
  for (const auto& l : kSeed) CHECK(Conv2dShape::parse(l.c.str()).str() == l.c.str());
  CHECK(Conv2dShape::parse("1x3x32x32 k32 5x5 s2 p2").str() == "1x3x32x32 k32 5x5 s2 p2");
  CHECK_THROWS_AS(Conv2dShape::parse("1x3x32 k32 5x5 s2 p2"), InputError);
  CHECK_THROWS_AS(Conv2dShape::parse("1x3x32x32 k32 5x5 s2 p2 pool2 extra"), InputError);
  CHECK_THROWS_AS(Conv2dShape::parse("1x3x32x32 k32 5x5 s0 p2"), InputError);
  CHECK_THROWS_AS(Conv2dShape::parse("1x3x2x2 k32 5x5 s1 p0"), InputError);
  CHECK_THROWS_AS(Conv2dShape::parse("1x3x32x32 k32 3x3 s1 p0 pool3"), InputError);
  CHECK_THROWS_AS(Conv2dShape::parse("1x3x99999x32 k32 3x3 s1 p0"), InputError);
}

TEST_CASE("conv2d plan: the fastest correct candidate wins, the default unless beaten by the margin") {
  using R = Conv2dRoute;
  const auto m = [](R r, double ms, bool ok = true) { return Conv2dMeasurement{r, ms, ok ? 0.0 : 1.0, ok}; };
  CHECK(pick_conv2d_route({m(R::Winograd, 5), m(R::Im2col, 10)}, R::Im2col) == R::Winograd);
  CHECK(pick_conv2d_route({m(R::Winograd, 9.8), m(R::Im2col, 10)}, R::Im2col) == R::Im2col);  // within noise
  CHECK(pick_conv2d_route({m(R::Winograd, 5), m(R::Im2col, 10)}, R::Winograd) == R::Winograd);
  CHECK(pick_conv2d_route({m(R::Winograd, 10), m(R::Im2col, 5)}, R::Winograd) == R::Im2col);
  CHECK(pick_conv2d_route({m(R::Winograd, 1, false), m(R::Im2col, 10)}, R::Im2col) == R::Im2col);  // wrong: never
  CHECK(pick_conv2d_route({m(R::Winograd, 1, false), m(R::Im2col, 10)}, R::Winograd) == R::Im2col);
  CHECK(pick_conv2d_route({m(R::Direct, 2), m(R::Winograd, INFINITY, false), m(R::Im2col, 3)}, R::Winograd) == R::Direct);
}
