// Planning the small ops (nn/plan/reduction_plan.hpp, nn/plan/pool_plan.hpp, through
// nn/plan/choose.hpp): --autotune off takes the rule's route, full measures every applicable
// route, checks it against the reference route and remembers the winner, cached reads only.
#include <doctest/doctest.h>

#include "nn/plan/choose.hpp"
#include "nn/plan/measure.hpp"
#include "nn/plan/pool_plan.hpp"
#include "nn/plan/reduction_plan.hpp"
#include "runtime/kernel_cache.hpp"
#include "util/error.hpp"
#include "tests/ops/plan_support.hpp"
#include "tests/test_support.hpp"

using namespace vkt;
using namespace vkt::nn;
using test::PrivateCache;
using test::with_autotune;

namespace {

// The Winograd bias gradient of the seed CNN's conv2 at batch 64: 64 sums of 1,600 terms,
// where columns, wide and rows all apply.
const StridedSum kBiasSum{64, 1600, 1, 64};
// The seed CNN's first pool when fusion is off: windows that never overlap.
const Pool2dShape kPool{16, 32, 26, 26, 2, 2, 2, 2, 0, 0};

}  // namespace

TEST_CASE("small plans: --autotune off takes the rule's route and measures nothing") {
  PrivateCache cache;
  Context ctx(test::test_context_options());
  with_autotune(ctx, AutotuneMode::Off);
  const Buffer x(ctx, kBiasSum.x_floats() * 4, "x"), y(ctx, 64 * 4, "y");
  const auto routes = strided_sum_routes(ctx, kBiasSum, y, x);
  REQUIRE(routes.size() == 3);
  CHECK(plan_strided_sum(ctx, kBiasSum, y, x) == routes.front());
  CHECK(routes.back() == StridedSumRoute::Rows);
  CHECK(plan_maxpool2d_backward(ctx, kPool) == MaxPoolBackward::Scatter);
  // Overlapping windows: gather is the only route.
  CHECK(maxpool_backward_routes({1, 2, 9, 9, 3, 3, 2, 2, 1, 1}) == std::vector<MaxPoolBackward>{MaxPoolBackward::Gather});
  CHECK(ctx.kernel_cache(kernel_candidates_checksum()).size() == 0);
}

TEST_CASE("small plans: --autotune full measures every route once and remembers, cached reads only") {
  PrivateCache cache;
  {
    Context ctx(test::test_context_options());
    with_autotune(ctx, AutotuneMode::Full);
    const Buffer x(ctx, kBiasSum.x_floats() * 4, "x"), y(ctx, 64 * 4, "y");
    const auto routes = strided_sum_routes(ctx, kBiasSum, y, x);
    const StridedSumRoute sum = plan_strided_sum(ctx, kBiasSum, y, x);
    const MaxPoolBackward pool = plan_maxpool2d_backward(ctx, kPool);
    KernelCache& kc = ctx.kernel_cache(kernel_candidates_checksum());
    const auto s = kc.find(strided_sum_cache_key(kBiasSum, routes));
    REQUIRE(s.has_value());
    MESSAGE("strided sum " << kBiasSum.str() << ": " << s->detail.dump());
    CHECK(s->winner == strided_sum_route_name(sum));
    for (StridedSumRoute r : routes) {
      const auto& d = s->detail.at(strided_sum_route_name(r));
      CHECK(d.at("correct") == true);  // every route agrees with rows within 1e-5
      CHECK(d.at("ms").get<double>() > 0);
    }
    const auto p = kc.find(maxpool_backward_cache_key(kPool));
    REQUIRE(p.has_value());
    MESSAGE("max pool backward " << kPool.str() << ": " << p->detail.dump());
    CHECK(p->winner == maxpool_backward_name(pool));
    CHECK(p->detail.at("scatter").at("error") == 0.0);  // the same winners, the same dy: exactly
    CHECK(kc.size() == 2);
  }
  {
    // A new process: the winners come from the file, and a shape it lacks takes the rule's route.
    Context ctx(test::test_context_options());
    with_autotune(ctx, AutotuneMode::Cached);
    KernelCache& kc = ctx.kernel_cache(kernel_candidates_checksum());
    kc.remember(maxpool_backward_cache_key(kPool), {"gather", {}});  // as if gather had won
    CHECK(plan_maxpool2d_backward(ctx, kPool) == MaxPoolBackward::Gather);
    const Pool2dShape other{2, 4, 8, 8, 2, 2, 2, 2, 0, 0};
    CHECK(plan_maxpool2d_backward(ctx, other) == MaxPoolBackward::Scatter);
    CHECK_FALSE(kc.find(maxpool_backward_cache_key(other)).has_value());
  }
}

TEST_CASE("small plans: the optimizer's two-pass reduction, off and full") {
  PrivateCache cache;
  Context ctx(test::test_context_options());
  const uint64_t n = 93322;  // the seed CNN's parameters
  const auto paths = reduce_paths(ctx.policy(), true);
  with_autotune(ctx, AutotuneMode::Off);
  CHECK(plan_reduce(ctx, n, true) == paths.front());
  CHECK(paths.back() == ReducePath::Shared);
  with_autotune(ctx, AutotuneMode::Full);
  const ReducePath chosen = plan_reduce(ctx, n, true);
  if (paths.size() < 2) return;  // a device without subgroup arithmetic: shared only, nothing to measure
  const auto hit = ctx.kernel_cache(kernel_candidates_checksum()).find(reduce_cache_key(n, paths));
  REQUIRE(hit.has_value());
  MESSAGE("reduce " << n << ": " << hit->detail.dump());
  CHECK(hit->winner == reduce_path_name(chosen));
  for (ReducePath r : paths) CHECK(hit->detail.at(reduce_path_name(r)).at("correct") == true);
}

TEST_CASE("small plans: a variant that throws or differs from the reference is never chosen") {
  PrivateCache cache;
  Context ctx(test::test_context_options());
  with_autotune(ctx, AutotuneMode::Full);
  const Buffer x = random_buffer(ctx, 4096, 5, "x");
  const Buffer y(ctx, 64 * 4, "y");
  const StridedSum q{64, 64, 1, 64};
  const StridedSumRoute rows = StridedSumRoute::Rows;
  // "wrong" accumulates into y instead of overwriting it (as fast as rows, and wrong after its
  // first run); "broken" throws while recording.
  VariantTrial t;
  t.names = {"rows", "wrong", "broken"};
  t.reference = 0;
  t.record = [&](size_t i, Stream& s) {
    if (i == 2) throw Error("this variant cannot record");
    strided_sum_by(s, rows, y, x, q, i == 1 ? 1.0f : 0.0f);  // beta 1: y doubles every run
  };
  t.output = [&](size_t) { return y.download_as<float>(64); };
  const auto m = measure_variants(ctx, t);
  REQUIRE(m.size() == 3);
  CHECK(m[0].correct);
  CHECK_FALSE(m[1].correct);
  CHECK_FALSE(m[2].correct);
  CHECK(choose_variant(ctx, "test key", t) == 0);
}
