#include "nn/plan/gemm_plan.hpp"

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <iostream>
#include <memory>

#include "nn/plan/measure.hpp"
#include "runtime/buffer.hpp"
#include "runtime/context.hpp"
#include "runtime/kernel_cache.hpp"
#include "util/error.hpp"

namespace vkt::nn {
namespace {

// The tiled kernel's shapes worth measuring: the rule's 16 x 16 workgroup of 4 x 4 blocks
// (first: every other one is checked against it), a small workgroup for small outputs, larger
// register blocks (fewer shared-memory reads per multiply-add), and a wide workgroup that
// fills a 32-lane subgroup along N.
const Gemm::Tiles kTiledShapes[] = {{16, 16, 4, 4}, {8, 8, 4, 4}, {16, 16, 8, 8}, {32, 8, 4, 4}};
// The vec4-load tiled kernel's shapes: the same trade-offs with a quarter of the load
// instructions (every BM and BN a multiple of 4, as vec4_gemm_ok wants).
const Gemm::Tiles kVec4Shapes[] = {{16, 16, 4, 4}, {16, 16, 8, 8}, {32, 8, 4, 4}};
// The subgroup kernel's shapes, as invocations per workgroup and blocks: its rows are one
// subgroup wide (subgroup_tiles), so a 32-lane device gets 32 x 4 and 32 x 8 workgroups.
struct SubgroupShape {
  uint32_t invocations, tm, tn;
};
const SubgroupShape kSubgroupShapes[] = {{128, 4, 4}, {256, 8, 4}};
// The texel kernel's given shapes, measured beside its rules on a GPU (the rules were fitted to
// lavapipe's SIMD-8 threads): a 256-invocation workgroup of small blocks, as GPUs like them
// full, a 64-invocation one of the rule's 8 x 8 blocks, and a wide one of 4 x 8 blocks.
const Gemm::Tiles kTexelShapes[] = {{16, 16, 4, 4}, {8, 8, 8, 8}, {32, 4, 4, 8}};
constexpr uint32_t kTiledBk = 16;      // gemm.cpp's k-step of the tiled kernel
constexpr double kGemmTolerance = 1e-4;  // relative L2: fp32 sums in another order (1e-6)

std::string cache_key(const Gemm& g, const std::vector<GemmVariant>& cands) {
  const auto u = [](uint64_t v) { return std::to_string(v); };
  std::string k = "gemm " + u(g.M) + "x" + u(g.N) + "x" + u(g.K) + (g.trans_a ? " ta" : "") + (g.trans_b ? " tb" : "") +
                  " ld" + u(g.lda) + "," + u(g.ldb) + "," + u(g.ldc) + " bias" + u(uint32_t(g.bias)) +
                  (g.relu ? " relu" : "") + (g.alpha != 1.0f ? " alpha" : "") + (g.c_block ? " block" + u(g.c_block) : "") +
                  (g.batch > 1 ? " batch" + u(g.batch) + "/" + u(g.stride_a) + "," + u(g.stride_b) + "," + u(g.stride_c) : "") +
                  (g.split_scratch.empty() ? "" : " split") + (g.a_shuffle ? "" : " no-shuffle");
  std::vector<std::string> names;
  for (const GemmVariant& v : cands) names.push_back(v.name());
  return candidates_key(k, names);
}

Gemm::Tiles subgroup_tiles(const KernelPolicy& p, const SubgroupShape& s) {
  return {p.subgroup_size, std::max(s.invocations / p.subgroup_size, 1u), s.tm, s.tn};
}

}  // namespace

std::string GemmVariant::name() const {
  if (path == GemmPath::Texel && !tiles.wx) return "texel";
  return gemm_path_name(path) + " " + std::to_string(tiles.wx) + "x" + std::to_string(tiles.wy) + " " +
         std::to_string(tiles.tm) + "x" + std::to_string(tiles.tn);
}

bool texel_tiles_ok(const KernelPolicy& p, const Gemm::Tiles& t) {
  const auto block_ok = [](uint32_t v) { return v >= 4 && v <= 16 && v % 4 == 0; };
  return block_ok(t.tm) && block_ok(t.tn) && gemm_workgroup_fits(p, t);
}

bool gemm_variant_applies(const Context& ctx, const Gemm& g, DeviceSpan a, DeviceSpan b, DeviceSpan bias,
                          DeviceSpan c, const GemmVariant& v) {
  const KernelPolicy& p = ctx.policy();
  Gemm forced = g;
  forced.path = v.path;
  forced.tiles = v.tiles;
  // gemm_path falls back to the tiled kernel where the forced one cannot read the operands.
  if (gemm_path(ctx, forced, a, b, bias, c) != v.path) return false;
  switch (v.path) {
    case GemmPath::Texel:
      return !v.tiles.wx || (texel_tiles_ok(p, v.tiles) && !g.maxpool_cells && !g.pooled_cells);
    case GemmPath::Tiled:
    case GemmPath::TiledVec4: return tiled_shape_fits(p, v.tiles);
    case GemmPath::Subgroup: return gemm_workgroup_fits(p, v.tiles) && v.tiles.tm && v.tiles.tn;
    default: return false;
  }
}

std::vector<GemmVariant> gemm_candidates(const Context& ctx, const Gemm& g, DeviceSpan a, DeviceSpan b, DeviceSpan bias,
                                         DeviceSpan c, GemmPath rule) {
  const KernelPolicy& p = ctx.policy();
  const GemmVariant rule_variant{rule, rule == GemmPath::Tiled ? kTiledShapes[0] : Gemm::Tiles{}};
  std::vector<GemmVariant> out{rule_variant};
  // Only the texel kernel fuses a pool or reads a pooled operand; beta != 0 reads C, which
  // repeated timing runs would change.
  if (g.maxpool_cells || g.pooled_cells || g.beta != 0.0f || p.gemm != GemmChoice::Auto) return out;
  // On a CPU driver the texel kernel, where it applies, is the only candidate: measured on every
  // seed-model product on lavapipe, it was 3-100x faster than the best tiled shape and the naive
  // kernel (shared memory and barriers are memory and a thread rendezvous there), and timing
  // those takes ~0.4 s per candidate and product, 30 s for the seed CNN.
  if (p.cpu_driver && rule == GemmPath::Texel) return out;
  const bool texel_applies = gemm_variant_applies(ctx, g, a, b, bias, c, {GemmPath::Texel, {}});
  if (rule != GemmPath::Texel && texel_applies) out.push_back({GemmPath::Texel, {}});
  for (const Gemm::Tiles& s : kTiledShapes) {
    if (!tiled_shape_fits(p, s)) continue;
    const GemmVariant v{GemmPath::Tiled, s};
    if (!(v == rule_variant)) out.push_back(v);
  }
  // The texel kernel's given shapes and the vec4 and subgroup kernels are GPU candidates only.
  // The texel rules were fitted on lavapipe, so there the given shapes are only measured when
  // `tune-kernels --remember` found one (plan_gemm). The vec4 and subgroup kernels are built
  // around what GPUs have (coalesced vector loads, registers shared by shuffle). On a CPU
  // driver they would only be measured where the texel kernel cannot read the operands, mostly
  // rows that are not whole vec4s, which the vec4 kernel cannot read either; and every
  // candidate there costs a measurement of ~0.4 s per product. Forced (VKTRAIN_GEMM,
  // Gemm::path) they run anywhere.
  if (!p.cpu_driver) {
    if (texel_applies)
      for (const Gemm::Tiles& s : kTexelShapes)
        if (texel_tiles_ok(p, s)) out.push_back({GemmPath::Texel, s});
    for (const Gemm::Tiles& s : kVec4Shapes)
      if (tiled_shape_fits(p, s) && vec4_gemm_ok(g, a, b, s)) out.push_back({GemmPath::TiledVec4, s});
    if (subgroup_gemm_ok(p))
      for (const SubgroupShape& s : kSubgroupShapes) {
        const Gemm::Tiles t = subgroup_tiles(p, s);
        if (gemm_workgroup_fits(p, t)) out.push_back({GemmPath::Subgroup, t});
      }
  }
  return out;
}

bool gemm_workgroup_fits(const KernelPolicy& p, const Gemm::Tiles& t) {
  return t.wx * t.wy <= p.max_workgroup_invocations && t.wx <= p.max_workgroup_x && t.wy <= p.max_workgroup_y;
}

bool tiled_shape_fits(const KernelPolicy& p, const Gemm::Tiles& t) {
  const uint64_t shared = uint64_t(kTiledBk) * (t.wy * t.tm + t.wx * t.tn) * 4;
  return gemm_workgroup_fits(p, t) && shared <= p.shared_memory_bytes;
}

std::vector<GemmMeasurement> measure_gemm(Context& ctx, const Gemm& g, const std::vector<GemmVariant>& candidates,
                                          int reps) {
  // Operands exactly as large as the product reads (gemm() checked the real ones against the
  // same sizes), at offset 0: every candidate the real spans allow is allowed here too.
  const uint64_t last = g.batch > 1 ? g.batch - 1 : 0;
  const uint64_t na = last * g.stride_a + gemm_matrix_floats(g.trans_a ? g.K : g.M, g.trans_a ? g.M : g.K, g.lda);
  const uint64_t nb = last * g.stride_b + gemm_matrix_floats(g.trans_b ? g.N : g.K, g.trans_b ? g.K : g.N, g.ldb);
  const uint64_t nc = g.c_block ? uint64_t(g.M) * g.N : last * g.stride_c + gemm_matrix_floats(g.M, g.N, g.ldc);
  const uint64_t nbias = g.bias == BiasMode::PerColumn ? g.N : g.bias == BiasMode::PerRow ? g.M : 4;
  const Buffer A = random_buffer(ctx, na, 11, "autotune A"), B = random_buffer(ctx, nb, 12, "autotune B"),
               bias = random_buffer(ctx, nbias, 13, "autotune bias");
  Buffer split;
  if (!g.split_scratch.empty()) split = Buffer(ctx, g.split_scratch.count * 4, "autotune split-K", MemoryKind::Workspace);

  struct Run {
    GemmVariant v;
    bool timed = true;  // false: the reference, run only to check the others against
    Buffer c;
    std::unique_ptr<Stream> s;
    std::vector<double> ms;
    std::string failure;
  };
  const GemmVariant reference{GemmPath::Tiled, kTiledShapes[0]};
  std::vector<GemmVariant> all = candidates;
  const bool reference_timed = std::find(all.begin(), all.end(), reference) != all.end();
  if (!reference_timed) all.push_back(reference);
  std::vector<std::unique_ptr<Run>> runs;
  const auto time_once = [](Run& r) { r.ms.push_back(run_and_time(*r.s)); };
  const DeviceSpan bias_or_a = g.bias == BiasMode::None ? DeviceSpan(A) : DeviceSpan(bias);
  for (const GemmVariant& v : all) {
    auto r = std::make_unique<Run>();
    r->v = v;
    r->timed = reference_timed || !(v == reference);
    try {
      r->c = scratch_buffer(ctx, nc, "autotune C");
      Gemm gv = g;
      gv.path = v.path;
      gv.tiles = v.tiles;
      if (split.handle()) gv.split_scratch = DeviceSpan(split);
      // A kernel that cannot run this product would be replaced by the tiled one, unlabelled.
      if (!gemm_variant_applies(ctx, gv, A, B, bias_or_a, r->c, v))
        throw Error("does not apply to this product on this device");
      r->s = std::make_unique<Stream>(ctx);
      gemm(*r->s, gv, A, B, bias_or_a, r->c);
      r->s->timestamp("end");
      r->s->run();  // warm
      if (r->timed) time_once(*r);
    } catch (const std::exception& e) {
      r->failure = e.what();
      r->s.reset();
    }
    runs.push_back(std::move(r));
  }
  double best_first = INFINITY;
  for (const auto& r : runs)
    if (r->s && r->timed) best_first = std::min(best_first, r->ms.front());
  for (int rep = 1; rep < reps; ++rep)
    for (auto& r : runs)
      if (r->s && r->timed && r->ms.front() <= 2 * best_first) time_once(*r);

  const Run* ref = nullptr;
  for (const auto& r : runs)
    if (r->v == reference && r->s) ref = r.get();
  const std::vector<float> want = ref ? ref->c.download_as<float>(nc) : std::vector<float>{};
  std::vector<GemmMeasurement> out;
  for (const auto& r : runs) {
    if (!r->timed) continue;
    GemmMeasurement m{r->v, INFINITY, INFINITY, false};
    if (r->s) {
      m.ms = median(r->ms);
      m.error = ref ? relative_l2(r->c.download_as<float>(nc), want) : INFINITY;
      m.correct = m.error <= kGemmTolerance;
    }
    if (!m.correct)
      std::cerr << "vktrain: warning: gemm " << r->v.name() << " not used for " << g.M << "x" << g.N << "x" << g.K << ": "
                << (r->s ? "differs from the tiled kernel by " + std::to_string(m.error) : r->failure) << "\n";
    out.push_back(m);
  }
  return out;
}

std::string tuned_shape_key(const Gemm& g, GemmPath kernel) {
  return gemm_path_name(kernel) + "-shape " + std::to_string(g.M) + "x" + std::to_string(g.N) + "x" +
         std::to_string(g.K) + (g.trans_a ? " ta" : "") + (g.trans_b ? " tb" : "");
}

std::optional<GemmVariant> parse_gemm_variant(const std::string& name) {
  if (name == "texel") return GemmVariant{GemmPath::Texel, {}};
  char kind[16] = {};
  unsigned wx = 0, wy = 0, tm = 0, tn = 0;
  char tail = 0;
  if (std::sscanf(name.c_str(), "%15s %ux%u %ux%u%c", kind, &wx, &wy, &tm, &tn, &tail) != 5 || !wx || !wy || !tm ||
      !tn || wx > 1024 || wy > 1024 || tm > 16 || tn > 16)
    return std::nullopt;
  for (GemmPath p : kTunableKernels)
    if (gemm_path_name(p) == kind) return GemmVariant{p, {wx, wy, tm, tn}};
  return std::nullopt;
}

GemmVariant plan_gemm(Context& ctx, const Gemm& g, DeviceSpan a, DeviceSpan b, DeviceSpan bias, DeviceSpan c,
                      GemmPath rule) {
  std::vector<GemmVariant> cands = gemm_candidates(ctx, g, a, b, bias, c, rule);
  const GemmVariant fallback = cands.front();
  const KernelPolicy& p = ctx.policy();
  if (p.autotune == AutotuneMode::Off) return fallback;
  // The products only the rule's kernel may take (gemm_candidates) take no tuned shape either.
  const bool fixed = g.maxpool_cells || g.pooled_cells || g.beta != 0.0f || p.gemm != GemmChoice::Auto;
  if (fixed) return fallback;
  KernelCache& cache = plan_cache(ctx);
  // The shapes `vktrain tune-kernels --remember` found for this size compete too, on any device,
  // where they apply to these operands within this device's limits.
  for (GemmPath kernel : kTunableKernels)
    if (const auto tuned = cache.find(tuned_shape_key(g, kernel)))
      if (const auto v = parse_gemm_variant(tuned->winner))
        if (v->path == kernel && gemm_variant_applies(ctx, g, a, b, bias, c, *v) &&
            std::find(cands.begin(), cands.end(), *v) == cands.end())
          cands.push_back(*v);
  if (cands.size() < 2) return fallback;
  const std::string key = cache_key(g, cands);
  if (const auto hit = cache.find(key))
    for (const GemmVariant& v : cands)
      if (v.name() == hit->winner) return v;
  if (ctx.policy().autotune == AutotuneMode::Cached) return fallback;
  const auto m = measure_gemm(ctx, g, cands);
  const GemmMeasurement* w = pick_fastest(m, [&](const GemmMeasurement& x) { return x.variant == fallback; });
  const GemmVariant winner = w ? w->variant : fallback;
  cache.remember(key, {winner.name(), measurement_detail(m, [](const GemmMeasurement& x) { return x.variant.name(); })});
  return winner;
}

}  // namespace vkt::nn
