// `vktrain tune-kernels`: one GEMM kernel's workgroup and register block (texel, tiled, vec4 or
// subgroup) searched with the tuning layer's own samplers, the kernel benchmark as the
// objective: a proposal's device time over the rule's kernel's (what --autotune off takes:
// the texel kernel's rules on a CPU driver, else the tiled 16x16 4x4), the two timed in turns,
// so that a shared machine's load drifting between trials does not pick the winner. Each
// proposal is checked against the tiled 16x16 4x4 kernel's result before its time counts;
// shapes past the device's workgroup or shared-memory limits, or that the kernel cannot run on
// these operands, fail. Prints every trial and the best. With --remember the best shape joins
// the candidates `--autotune full` measures (gemm_plan.hpp), where it must beat the rule again.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/commands.hpp"
#include "apps/kernel_search.hpp"
#include "apps/tune_kernels.hpp"
#include "nn/plan/measure.hpp"
#include "nn/plan/gemm_plan.hpp"
#include "runtime/kernel_cache.hpp"
#include "runtime/buffer.hpp"
#include "runtime/context.hpp"
#include "tuning/space.hpp"
#include "tuning/trial.hpp"
#include "util/error.hpp"

namespace vkt::app {
namespace {

nn::Gemm parse_product(const TuneKernelsOptions& o) {
  unsigned m = 0, n = 0, k = 0;
  char tail = 0;
  if (std::sscanf(o.gemm.c_str(), "%ux%ux%u%c", &m, &n, &k, &tail) != 3 || !m || !n || !k || m > 65536 || n > 65536 ||
      k > 65536)
    throw InputError("--gemm " + o.gemm + ": takes MxNxK, each 1 to 65536 (e.g. 128x128x784)");
  nn::Gemm g;
  g.M = m, g.N = n, g.K = k, g.trans_a = o.trans_a, g.trans_b = o.trans_b;
  g.lda = g.trans_a ? g.M : g.K;
  g.ldb = g.trans_b ? g.K : g.N;
  g.ldc = g.N;
  return g;
}

// The searched shapes of each kernel: workgroup wx x wy, block tm x tn. The texel kernel's
// blocks are whole vec4s (4 to 16); the vec4 kernel's panels are whole vec4s with blocks of 2 or
// more; the subgroup kernel's rows are one subgroup wide, so its wx is not searched.
const char* space_json(nn::GemmPath kernel) {
  switch (kernel) {
    case nn::GemmPath::Texel:
      return R"({"wx": {"type": "categorical", "choices": [8, 16, 32, 64]},
                 "wy": {"type": "categorical", "choices": [1, 2, 4, 8]},
                 "tm": {"type": "categorical", "choices": [4, 8, 12, 16]},
                 "tn": {"type": "categorical", "choices": [4, 8, 12, 16]}})";
    case nn::GemmPath::TiledVec4:
      return R"({"wx": {"type": "categorical", "choices": [4, 8, 16, 32, 64]},
                 "wy": {"type": "categorical", "choices": [1, 2, 4, 8, 16, 32]},
                 "tm": {"type": "categorical", "choices": [2, 4, 8]},
                 "tn": {"type": "categorical", "choices": [2, 4, 8]}})";
    case nn::GemmPath::Subgroup:
      return R"({"wy": {"type": "categorical", "choices": [1, 2, 4, 8, 16]},
                 "tm": {"type": "categorical", "choices": [1, 2, 4, 8]},
                 "tn": {"type": "categorical", "choices": [1, 2, 4, 8]}})";
    default:
      return R"({"wx": {"type": "categorical", "choices": [4, 8, 16, 32, 64]},
                 "wy": {"type": "categorical", "choices": [1, 2, 4, 8, 16, 32]},
                 "tm": {"type": "categorical", "choices": [1, 2, 4, 8]},
                 "tn": {"type": "categorical", "choices": [1, 2, 4, 8]}})";
  }
}

nn::GemmPath parse_kernel(const std::string& name) {
  for (nn::GemmPath p : nn::kTunableKernels)
    if (nn::gemm_path_name(p) == name) return p;
  throw InputError("--kernel " + name + ": takes texel, tiled, vec4 or subgroup");
}

// A trial's variant (the subgroup kernel's wx is the device's subgroup size).
nn::GemmVariant variant_of(nn::GemmPath kernel, const tune::Params& params, const KernelPolicy& policy) {
  const auto get = [&](const char* k) { return static_cast<uint32_t>(tune::as_double(params.at(k))); };
  const uint32_t wx = kernel == nn::GemmPath::Subgroup ? policy.subgroup_size : get("wx");
  return {kernel, {wx, get("wy"), get("tm"), get("tn")}};
}

// Whether the shape is within the device's limits for its kernel (the operands are checked
// when it is measured).
bool within_limits(const KernelPolicy& p, const nn::GemmVariant& v) {
  switch (v.path) {
    case nn::GemmPath::Texel: return nn::texel_tiles_ok(p, v.tiles);
    case nn::GemmPath::Subgroup: return nn::gemm_workgroup_fits(p, v.tiles);
    default: return nn::tiled_shape_fits(p, v.tiles);
  }
}

void run_tune_kernels(const TuneKernelsOptions& o) {
  if (!o.conv.empty()) return run_tune_conv_width(o);
  const nn::Gemm g = parse_product(o);
  ContextOptions co;
  co.device = o.device;
  co.autotune = AutotuneMode::Off;  // the candidates below are timed directly
  Context ctx(co);
  const KernelPolicy& policy = ctx.policy();
  const nn::GemmPath kernel = parse_kernel(o.kernel);
  if (kernel == nn::GemmPath::Texel && !policy.vec4_texels)
    throw Error("--kernel texel: " + ctx.info().name + " has no RGBA32F texel buffer views");
  if (kernel == nn::GemmPath::Subgroup && !nn::subgroup_gemm_ok(policy))
    throw Error("--kernel subgroup: " + ctx.info().name + " has no subgroup shuffle in compute shaders");
  const tune::Space space = tune::Space::parse(nlohmann::json::parse(space_json(kernel)));
  const nn::GemmVariant reference{nn::GemmPath::Tiled, {16, 16, 4, 4}};
  const nn::GemmVariant rule =
      policy.cpu_driver && policy.vec4_texels ? nn::GemmVariant{nn::GemmPath::Texel, {}} : reference;

  if (!o.json)
    std::printf("%s GEMM %s%s%s on %s, %d trials, sampler %s: median of %d runs in turns with the rule's %s\n",
                o.kernel.c_str(), o.gemm.c_str(), g.trans_a ? " ta" : "", g.trans_b ? " tb" : "",
                ctx.info().name.c_str(), o.trials, o.sampler.c_str(), o.repeats, rule.name().c_str());
  const KernelSearch found = search_against_rule(o, space, [&](const tune::Params& params) {
    const nn::GemmVariant v = variant_of(kernel, params, policy);
    KernelProposal p{v.name()};
    if (!within_limits(policy, v)) {
      p.failure = "past the device's workgroup or shared-memory limits";
      return p;
    }
    // measure_gemm also runs the tiled reference once, untimed, where it is neither.
    const auto m = v == rule ? nn::measure_gemm(ctx, g, {v}, o.repeats) : nn::measure_gemm(ctx, g, {rule, v}, o.repeats);
    if (!m[0].correct) throw Error("the rule's kernel " + rule.name() + " failed on " + o.gemm);
    p.rule_ms = m[0].ms;
    if (m.back().correct)
      p.ms = m.back().ms;
    else
      p.failure = std::isfinite(m.back().ms) ? "result differs from the reference" : "does not apply to this product";
    return p;
  });
  // The rule's kernels for this product, for comparison: the texel kernel's rules (where the
  // device has texel views) and the tiled reference, in turns.
  std::vector<nn::GemmVariant> cands{{nn::GemmPath::Texel, {}}, reference};
  if (!policy.vec4_texels) cands.erase(cands.begin());
  const auto measured = nn::measure_gemm(ctx, g, cands, o.repeats);
  nlohmann::json others = nlohmann::json::object();
  for (const auto& m : measured) others[m.variant.name()] = m.correct ? m.ms : -1.0;
  if (o.remember && !found.best.is_null())
    nn::plan_cache(ctx).remember(nn::tuned_shape_key(g, kernel),
                                 {found.best["variant"].get<std::string>(),
                                  {{"ms", found.best["ms"]}, {"ratio", found.best["ratio"]}, {"sampler", o.sampler}}});
  if (o.json) {
    std::cout << nlohmann::json{{"gemm", o.gemm},       {"kernel", o.kernel},         {"device", ctx.info().name},
                                {"sampler", o.sampler}, {"rule", rule.name()},        {"trials", found.trials},
                                {"best", found.best},   {"candidates", others}}
                     .dump(1)
              << "\n";
    return;
  }
  print_best(found);
  for (const auto& [name, ms] : others.items()) std::printf("      %-18s %.3f ms\n", name.c_str(), ms.get<double>());
}

}  // namespace

void add_tune_kernels_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "tune-kernels",
      "Search a GEMM kernel's workgroup and block, or a convolution route's workgroup width, with a tuning sampler, "
      "timing each on this device against the rule's");
  auto o = std::make_shared<TuneKernelsOptions>();
  cmd->add_option("--gemm", o->gemm, "The product MxNxK (default: the MLP's hidden layer at batch 128)")
      ->capture_default_str();
  cmd->add_option("--kernel", o->kernel, "The kernel whose shapes are searched: texel, tiled, vec4 or subgroup")
      ->capture_default_str();
  cmd->add_option("--conv", o->conv,
                  "Search a convolution's workgroup width instead: its shape as --print-plan shows it "
                  "(e.g. \"64x32x13x13 k64 3x3 s1 p0 pool2\")");
  cmd->add_option("--route", o->route, "With --conv: direct, winograd or winograd_f33 (default: the shape's default)");
  cmd->add_flag("--first-layer", o->first_layer, "With --conv: a model's first layer (its backward computes no dx)");
  cmd->add_flag("--trans-a,!--no-trans-a", o->trans_a, "A stored transposed");
  cmd->add_flag("--trans-b,!--no-trans-b", o->trans_b, "B stored transposed (default: yes, as a dense layer's weights)");
  cmd->add_option("--trials", o->trials, "Proposals to time")->check(CLI::Range(1, 10000))->capture_default_str();
  cmd->add_option("--sampler", o->sampler, "tpe, gp, random or genetic (as `tune --sampler`)")->capture_default_str();
  cmd->add_option("--seed", o->seed, "The sampler's seed");
  cmd->add_option("--repeats", o->repeats, "Timed runs per proposal (median)")->check(CLI::Range(1, 100));
  cmd->add_option("--device", o->device, "Device index or name substring (see `vktrain devices`)");
  cmd->add_flag("--remember", o->remember,
                "Keep the best shape in the kernel cache: `--autotune full` then measures it beside its own candidates "
                "for every product of this size");
  cmd->add_flag("--json", o->json, "One JSON object: every trial, the best, the plan's candidates");
  cmd->callback([o] { run_tune_kernels(*o); });
}

}  // namespace vkt::app
