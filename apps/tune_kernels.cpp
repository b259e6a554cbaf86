// `vktrain tune-kernels`: the tiled GEMM kernel's workgroup and register block searched with the
// tuning layer's own samplers, the kernel benchmark as the objective (device time of one
// product, minimized). Each proposal is checked against the tiled 16x16 4x4 kernel's result
// before its time counts; shapes past the device's workgroup or shared-memory limits fail.
// Prints every trial, the best, and the candidates `--autotune full` measures for the same
// product, side by side. With --remember the best shape joins those candidates (gemm_plan.hpp).
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/commands.hpp"
#include "nn/plan/measure.hpp"
#include "nn/plan/gemm_plan.hpp"
#include "runtime/kernel_cache.hpp"
#include "runtime/buffer.hpp"
#include "runtime/context.hpp"
#include "tuning/samplers/factory.hpp"
#include "tuning/space.hpp"
#include "tuning/trial.hpp"
#include "util/error.hpp"

namespace vkt::app {
namespace {

struct TuneKernelsOptions {
  std::string gemm = "128x128x784", sampler = "tpe", device;
  bool trans_a = false, trans_b = true, json = false, remember = false;
  int trials = 30, repeats = 3;
  uint64_t seed = 0;
};

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

// A trial's shape.
nn::Gemm::Tiles tiles_of(const tune::Params& params) {
  const auto get = [&](const char* k) { return static_cast<uint32_t>(tune::as_double(params.at(k))); };
  return {get("wx"), get("wy"), get("tm"), get("tn")};
}

// The searched shapes: workgroup wx x wy, block tm x tn.
const char* kSpace = R"({
  "wx": {"type": "categorical", "choices": [4, 8, 16, 32, 64]},
  "wy": {"type": "categorical", "choices": [1, 2, 4, 8, 16, 32]},
  "tm": {"type": "categorical", "choices": [1, 2, 4, 8]},
  "tn": {"type": "categorical", "choices": [1, 2, 4, 8]}})";

void run_tune_kernels(const TuneKernelsOptions& o) {
  const nn::Gemm g = parse_product(o);
  ContextOptions co;
  co.device = o.device;
  co.autotune = AutotuneMode::Off;  // the candidates below are timed directly
  Context ctx(co);
  const KernelPolicy& policy = ctx.policy();
  const tune::Space space = tune::Space::parse(nlohmann::json::parse(kSpace));
  const auto sampler = tune::make_sampler(o.sampler, space, o.seed);
  const nn::GemmVariant reference{nn::GemmPath::Tiled, {16, 16, 4, 4}};

  std::vector<tune::Trial> trials;
  nlohmann::json rows = nlohmann::json::array();
  if (!o.json)
    std::printf("tiled GEMM %s%s%s on %s, %d trials, sampler %s: median of %d runs, ms\n", o.gemm.c_str(),
                g.trans_a ? " ta" : "", g.trans_b ? " tb" : "", ctx.info().name.c_str(), o.trials, o.sampler.c_str(),
                o.repeats);
  for (int i = 0; i < o.trials; ++i) {
    const tune::History history{trials, tune::Direction::Minimize};
    const auto params = sampler->sample(space, history);
    if (!params) break;
    tune::Trial t;
    t.id = i;
    t.seed = uint64_t(i);
    t.params = space.with_fixed(*params);
    const nn::Gemm::Tiles tiles = tiles_of(t.params);
    if (!nn::tiled_shape_fits(policy, tiles)) {
      t.state = tune::TrialState::Failed;
      t.reason = "past the device's workgroup or shared-memory limits";
    } else {
      const auto m = nn::measure_gemm(ctx, g, {reference, {nn::GemmPath::Tiled, tiles}}, o.repeats);
      if (m[1].correct) {
        t.state = tune::TrialState::Complete;
        t.value = m[1].ms;
      } else {
        t.state = tune::TrialState::Failed;
        t.reason = "result differs from the reference";
      }
    }
    const std::string name = nn::GemmVariant{nn::GemmPath::Tiled, tiles}.name();
    rows.push_back({{"trial", i}, {"variant", name}, {"state", tune::state_name(t.state)},
                    {"ms", t.state == tune::TrialState::Complete ? t.value : -1.0}});
    if (!o.json)
      std::printf("%3d  %-18s %s\n", i, name.c_str(),
                  t.state == tune::TrialState::Complete ? (std::to_string(t.value) + " ms").c_str() : t.reason.c_str());
    trials.push_back(std::move(t));
  }
  const tune::Trial* best = tune::best_trial(trials, tune::Direction::Minimize);
  // What --autotune full measures for this product, for comparison (all of them, not only
  // the ones a CPU driver's plan keeps).
  std::vector<nn::GemmVariant> cands{{nn::GemmPath::Texel, {}}, reference};
  if (!policy.vec4_texels) cands.erase(cands.begin());
  const auto measured = nn::measure_gemm(ctx, g, cands, o.repeats);
  nlohmann::json others = nlohmann::json::object();
  for (const auto& m : measured) others[m.variant.name()] = m.correct ? m.ms : -1.0;
  nlohmann::json best_json = nullptr;
  if (best) {
    best_json = {{"variant", nn::GemmVariant{nn::GemmPath::Tiled, tiles_of(best->params)}.name()},
                 {"ms", best->value}, {"trial", best->id}};
  }
  if (o.remember && best)
    nn::plan_cache(ctx)
        .remember(nn::tuned_shape_key(g), {best_json["variant"].get<std::string>(), {{"ms", best->value}, {"sampler", o.sampler}}});
  if (o.json) {
    std::cout << nlohmann::json{{"gemm", o.gemm}, {"device", ctx.info().name}, {"sampler", o.sampler},
                                {"trials", rows}, {"best", best_json}, {"candidates", others}}
                     .dump(1)
              << "\n";
    return;
  }
  if (best)
    std::printf("best: %s, %.3f ms (trial %lld)\n", best_json["variant"].get<std::string>().c_str(), best->value,
                static_cast<long long>(best->id));
  else
    std::printf("best: none (every trial failed)\n");
  for (const auto& [name, ms] : others.items()) std::printf("      %-18s %.3f ms\n", name.c_str(), ms.get<double>());
}

}  // namespace

void add_tune_kernels_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "tune-kernels", "Search the tiled GEMM's workgroup and block with a tuning sampler, timing each on this device");
  auto o = std::make_shared<TuneKernelsOptions>();
  cmd->add_option("--gemm", o->gemm, "The product MxNxK (default: the MLP's hidden layer at batch 128)")
      ->capture_default_str();
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
