// Planning a GEMM: the candidates a device gets, every candidate agreeing with the tiled
// reference when measured, and --autotune off taking the rule's kernel.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>

#include "nn/plan/conv2d_plan.hpp"
#include "nn/plan/gemm_plan.hpp"
#include "runtime/buffer.hpp"
#include "runtime/context.hpp"
#include "runtime/kernel_cache.hpp"
#include "tests/temp_dir.hpp"
#include "tests/test_support.hpp"

using namespace vkt;
using namespace vkt::nn;

namespace {

struct PrivateCache {  // as in test_conv2d_plan.cpp: the user's kernel cache stays out of it
  test::TempDir dir;
  PrivateCache() { setenv("XDG_CACHE_HOME", dir.path().c_str(), 1); }
};

// Every kernel and shape measured selection may offer on some device.
std::vector<GemmVariant> all_variants(const KernelPolicy& p) {
  return {{GemmPath::Texel, {}},
          {GemmPath::Texel, {16, 16, 4, 4}},
          {GemmPath::Texel, {8, 8, 8, 8}},
          {GemmPath::Texel, {32, 4, 4, 8}},
          {GemmPath::Tiled, {16, 16, 4, 4}},
          {GemmPath::Tiled, {8, 8, 4, 4}},
          {GemmPath::Tiled, {16, 16, 8, 8}},
          {GemmPath::Tiled, {32, 8, 4, 4}},
          {GemmPath::TiledVec4, {16, 16, 4, 4}},
          {GemmPath::TiledVec4, {16, 16, 8, 8}},
          {GemmPath::TiledVec4, {32, 8, 4, 4}},
          {GemmPath::Subgroup, gemm_default_tiles(p, GemmPath::Subgroup)}};
}

bool has(const std::vector<GemmVariant>& cands, const std::string& name) {
  for (const auto& v : cands)
    if (v.name() == name) return true;
  return false;
}

}  // namespace

TEST_CASE("gemm plan: every kernel and tile shape agrees with the tiled reference on odd shapes, transposes, bias, split K") {
  PrivateCache cache;
  Context ctx(test::test_context_options());
  struct Case {
    Gemm g;
    const char* what;
  };
  std::vector<Case> cases;
  Gemm a;
  a.M = 37, a.N = 29, a.K = 45;  // nothing a multiple of a block
  cases.push_back({a, "37x29x45"});
  Gemm b = a;
  b.trans_a = b.trans_b = true;
  b.bias = BiasMode::PerColumn;
  b.relu = true;
  cases.push_back({b, "transposed, bias per column, ReLU"});
  Gemm c;
  c.M = 16, c.N = 12, c.K = 4096;  // a long sum: split K
  cases.push_back({c, "split K"});
  Gemm d;
  d.M = 8, d.N = 16, d.K = 32, d.batch = 3, d.stride_a = 256, d.stride_b = 512, d.stride_c = 128;
  cases.push_back({d, "batched"});
  for (const Case& each : cases) {
    const Gemm& g0 = each.g;
    const std::string what = each.what;
    CAPTURE(what);
    Gemm g = g0;
    g.lda = g.trans_a ? g.M : g.K;
    g.ldb = g.trans_b ? g.K : g.N;
    g.ldc = g.N;
    Buffer split;
    if (std::string(what) == "split K") {
      split = Buffer(ctx, gemm_split_scratch_floats(g.M, g.N) * 4, "split");
      g.split_scratch = split;
    }
    const std::vector<GemmVariant> all = all_variants(ctx.policy());
    const auto m = measure_gemm(ctx, g, all, 2);
    REQUIRE(m.size() == all.size());
    const Buffer aligned(ctx, 16, "offset 0");  // measure_gemm's operands start at offset 0
    for (const auto& x : m) {
      CAPTURE(x.variant.name());
      if (x.variant.path == GemmPath::Texel && !ctx.policy().vec4_texels) continue;  // the device has no texel views
      // Rows that are not whole vec4s: the vec4 kernel does not apply, and is reported as failed
      // rather than measured as the tiled kernel it would fall back to.
      if (x.variant.path == GemmPath::TiledVec4 && !vec4_gemm_ok(g, aligned, aligned, x.variant.tiles)) {
        CHECK_FALSE(x.correct);
        CHECK_FALSE(std::isfinite(x.ms));
        continue;
      }
      CHECK(x.correct);
      CHECK(std::isfinite(x.ms));
    }
  }
}

TEST_CASE("gemm plan: the candidates on this device, and --autotune off takes the rule's kernel") {
  PrivateCache cache;
  Context ctx(test::test_context_options());
  Gemm g;
  g.M = 64, g.N = 64, g.K = 64, g.lda = 64, g.ldb = 64, g.ldc = 64;
  Buffer A(ctx, 64 * 64 * 4, "A"), B(ctx, 64 * 64 * 4, "B"), C(ctx, 64 * 64 * 4, "C");
  const GemmPath rule = gemm_path(ctx, g, A, B, A, C);
  const auto cands = gemm_candidates(ctx, g, A, B, A, C, rule);
  REQUIRE_FALSE(cands.empty());
  CHECK(cands.front().path == rule);
  std::string names;
  for (const auto& v : cands) names += v.name() + "; ";
  MESSAGE("candidates: " << names);
  const KernelPolicy& p = ctx.policy();
  if (p.cpu_driver && rule == GemmPath::Texel) {
    CHECK(cands.size() == 1);  // measured once, by hand: nothing else is close on a CPU driver
  } else {
    CHECK(cands.size() >= 3);  // the tiled shapes (and texel where it applies)
  }
  // A fused pool is the texel kernel's alone; beta != 0 is never measured.
  Gemm beta = g;
  beta.beta = 1.0f;
  CHECK(gemm_candidates(ctx, beta, A, B, A, C, rule).size() == 1);
  KernelPolicy off = p;
  off.autotune = AutotuneMode::Off;
  ctx.set_policy(off);
  CHECK(plan_gemm(ctx, g, A, B, A, C, rule) == cands.front());
  CHECK(ctx.kernel_cache(kernel_candidates_checksum()).size() == 0);
}

TEST_CASE("gemm plan: a shape tune-kernels remembered joins the measured candidates of every product of its size") {
  PrivateCache cache;
  Context ctx(test::test_context_options());
  KernelPolicy p = ctx.policy();
  p.cpu_driver = false;  // plan as on a GPU: every kernel is a candidate (all of them run on any device)
  p.autotune = AutotuneMode::Full;
  ctx.set_policy(p);
  Gemm g;
  g.M = 40, g.N = 24, g.K = 36, g.lda = 36, g.ldb = 24, g.ldc = 24;
  Buffer A(ctx, 40 * 36 * 4, "A"), B(ctx, 36 * 24 * 4, "B"), C(ctx, 40 * 24 * 4, "C");
  KernelCache& kc = ctx.kernel_cache(kernel_candidates_checksum());
  kc.remember(tuned_shape_key(g, GemmPath::Tiled), {"tiled 4x4 2x2", {}});
  CHECK(tuned_shape_key(g, GemmPath::Tiled) == "tiled-shape 40x24x36");
  CHECK(parse_gemm_variant("tiled 4x4 2x2") == GemmVariant{GemmPath::Tiled, {4, 4, 2, 2}});
  CHECK(parse_gemm_variant("texel 8x2 16x8") == GemmVariant{GemmPath::Texel, {8, 2, 16, 8}});
  CHECK(parse_gemm_variant("texel") == GemmVariant{GemmPath::Texel, {}});
  CHECK(parse_gemm_variant("subgroup 32x4 4x4") == GemmVariant{GemmPath::Subgroup, {32, 4, 4, 4}});
  CHECK_FALSE(parse_gemm_variant("tiled 4x4"));
  CHECK_FALSE(parse_gemm_variant("tiled 4x4 2x2 extra"));
  CHECK_FALSE(parse_gemm_variant("naive 4x4 2x2"));
  CHECK_FALSE(parse_gemm_variant("tiled 4x4 0x2"));
  CHECK_FALSE(parse_gemm_variant("tiled 2000x4 2x2"));
  const GemmPath rule = gemm_path(ctx, g, A, B, A, C);
  const GemmVariant chosen = plan_gemm(ctx, g, A, B, A, C, rule);
  // The measurement's record names the tuned shape among what it timed, checked and correct.
  const auto entry = kc.find(
      [&] {
        std::vector<GemmVariant> cands = gemm_candidates(ctx, g, A, B, A, C, rule);
        cands.push_back({GemmPath::Tiled, {4, 4, 2, 2}});
        std::string names;
        for (const auto& v : cands) {
          if (!names.empty()) names += ',';
          names += v.name();
        }
        return "gemm 40x24x36 ld36,24,24 bias0 [" + names + "]";
      }());
  REQUIRE(entry);
  CHECK(entry->winner == chosen.name());
  REQUIRE(entry->detail.contains("tiled 4x4 2x2"));
  CHECK(entry->detail["tiled 4x4 2x2"]["correct"] == true);
}

TEST_CASE("gemm plan: a GPU gets the vec4 and subgroup kernels as candidates, within its limits") {
  PrivateCache cache;
  Context ctx(test::test_context_options());
  KernelPolicy gpu = ctx.policy();
  gpu.cpu_driver = false;
  gpu.gemm = GemmChoice::Auto;
  // A described GPU (candidates are only listed here, never run): 32-lane subgroups with shuffle.
  gpu.subgroup_size = 32, gpu.subgroup_shuffle = true;
  gpu.max_workgroup_invocations = 1024, gpu.max_workgroup_x = 1024, gpu.max_workgroup_y = 1024;
  gpu.shared_memory_bytes = 48 * 1024;
  ctx.set_policy(gpu);
  Gemm g;
  g.M = 64, g.N = 64, g.K = 64, g.lda = 64, g.ldb = 64, g.ldc = 64;
  Buffer A(ctx, 64 * 64 * 4, "A"), B(ctx, 64 * 64 * 4, "B"), C(ctx, 64 * 64 * 4, "C");
  const GemmPath rule = gemm_path(ctx, g, A, B, A, C);
  CHECK(rule == GemmPath::Tiled);  // the rule is unchanged: the new kernels are measured, never the default
  const auto cands = gemm_candidates(ctx, g, A, B, A, C, rule);
  CHECK(cands.front() == GemmVariant{GemmPath::Tiled, {16, 16, 4, 4}});
  CHECK(has(cands, "vec4 16x16 4x4"));
  CHECK(has(cands, "vec4 16x16 8x8"));
  CHECK(has(cands, "vec4 32x8 4x4"));
  CHECK(has(cands, "subgroup 32x4 4x4"));
  CHECK(has(cands, "subgroup 32x8 8x4"));
  // The texel kernel by its rules (fitted to lavapipe) and in given shapes, where the device
  // has texel views.
  const bool texels = gpu.vec4_texels;
  CHECK(has(cands, "texel") == texels);
  CHECK(has(cands, "texel 16x16 4x4") == texels);
  CHECK(has(cands, "texel 8x8 8x8") == texels);
  CHECK(has(cands, "texel 32x4 4x8") == texels);

  SUBCASE("rows that are not whole vec4s: no vec4 kernel") {
    Gemm odd = g;
    odd.K = 63, odd.lda = 63;
    const auto c = gemm_candidates(ctx, odd, A, B, A, C, rule);
    CHECK_FALSE(has(c, "vec4 16x16 4x4"));
    CHECK(has(c, "subgroup 32x4 4x4"));
  }
  SUBCASE("no shuffle: no subgroup kernel") {
    KernelPolicy p = gpu;
    p.subgroup_shuffle = false;
    ctx.set_policy(p);
    const auto c = gemm_candidates(ctx, g, A, B, A, C, rule);
    CHECK_FALSE(has(c, "subgroup 32x4 4x4"));
    CHECK(has(c, "vec4 16x16 4x4"));
  }
  SUBCASE("128 invocations and 12 KiB of shared memory: only the shapes that fit") {
    KernelPolicy p = gpu;
    p.max_workgroup_invocations = 128, p.shared_memory_bytes = 12 * 1024;
    ctx.set_policy(p);
    const auto c = gemm_candidates(ctx, g, A, B, A, C, rule);
    CHECK_FALSE(has(c, "vec4 16x16 4x4"));  // 256 invocations
    CHECK_FALSE(has(c, "vec4 16x16 8x8"));
    CHECK_FALSE(has(c, "vec4 32x8 4x4"));
    CHECK(has(c, "subgroup 32x4 4x4"));      // 128 invocations, no shared memory
    CHECK_FALSE(has(c, "subgroup 32x8 8x4"));  // 256
    CHECK_FALSE(has(c, "texel 16x16 4x4"));    // 256
    CHECK(has(c, "texel 8x8 8x8") == texels);  // 64
  }
  SUBCASE("a CPU driver never gets them") {
    KernelPolicy p = gpu;
    p.cpu_driver = true;
    ctx.set_policy(p);
    for (const auto& v : gemm_candidates(ctx, g, A, B, A, C, gemm_path(ctx, g, A, B, A, C))) {
      CAPTURE(v.name());
      CHECK(v.path != GemmPath::TiledVec4);
      CHECK(v.path != GemmPath::Subgroup);
      CHECK((v.path != GemmPath::Texel || v.tiles.wx == 0));  // the texel kernel's rules only
    }
  }
  SUBCASE("--autotune off takes the rule's kernel") {
    KernelPolicy p = gpu;
    p.autotune = AutotuneMode::Off;
    ctx.set_policy(p);
    CHECK(plan_gemm(ctx, g, A, B, A, C, rule) == cands.front());
  }
}

TEST_CASE("gemm plan: a texel shape tune-kernels remembered is measured beside the rules, even on a CPU driver") {
  PrivateCache cache;
  Context ctx(test::test_context_options());
  KernelPolicy p = ctx.policy();
  REQUIRE_MESSAGE(p.vec4_texels, "the texel kernel needs RGBA32F texel buffer views (lavapipe has them)");
  p.autotune = AutotuneMode::Full;
  ctx.set_policy(p);
  Gemm g;
  g.M = 48, g.N = 32, g.K = 40, g.lda = 40, g.ldb = 32, g.ldc = 32;
  Buffer A(ctx, 48 * 40 * 4, "A"), B(ctx, 40 * 32 * 4, "B"), C(ctx, 48 * 32 * 4, "C");
  const GemmPath rule = gemm_path(ctx, g, A, B, A, C);
  std::vector<GemmVariant> cands = gemm_candidates(ctx, g, A, B, A, C, rule);
  KernelCache& kc = ctx.kernel_cache(kernel_candidates_checksum());
  kc.remember(tuned_shape_key(g, GemmPath::Texel), {"texel 8x2 8x8", {}});
  // A remembered shape the device cannot run (past 1024 invocations per workgroup) is left out.
  kc.remember(tuned_shape_key(g, GemmPath::Tiled), {"tiled 1024x1024 4x4", {}});
  const GemmVariant chosen = plan_gemm(ctx, g, A, B, A, C, rule);
  cands.push_back({GemmPath::Texel, {8, 2, 8, 8}});
  std::vector<std::string> names;
  for (const auto& v : cands) names.push_back(v.name());
  std::string key = "gemm 48x32x40 ld40,32,32 bias0 [";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) key += ',';
    key += names[i];
  }
  const auto entry = kc.find(key + "]");
  REQUIRE_MESSAGE(entry, "no record under " << key);
  CHECK(entry->winner == chosen.name());
  REQUIRE(entry->detail.contains("texel 8x2 8x8"));
  CHECK(entry->detail["texel 8x2 8x8"]["correct"] == true);
  // The tiled reference checked it without being timed where it is no candidate.
  CHECK(entry->detail.contains("tiled 16x16 4x4") == has(cands, "tiled 16x16 4x4"));
  CHECK_FALSE(entry->detail.contains("tiled 1024x1024 4x4"));
}
