// `vktrain tune-kernels --conv SHAPE`: the workgroup width of a convolution route's own kernels
// (direct, Winograd; Conv2dPlan::local_x) searched with the tuning layer's samplers. The
// objective is a proposal's forward + backward device time over the route at its rule's widths,
// the two timed in turns (measure_conv2d, which also checks each against im2col). With
// --remember the best width joins the candidates `--autotune full` measures for this shape
// (conv2d_plan.hpp), where it must beat the rule again.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/tune_kernels.hpp"
#include "nn/ops/conv2d_routes.hpp"
#include "nn/plan/conv2d_plan.hpp"
#include "runtime/context.hpp"
#include "runtime/kernel_cache.hpp"
#include "tuning/samplers/factory.hpp"
#include "tuning/space.hpp"
#include "tuning/trial.hpp"
#include "util/error.hpp"

namespace vkt::app {
namespace {

// Widths from one subgroup of a CPU driver to a full GPU workgroup; those past the device's
// limits fail.
const char* kWidthSpace = R"({"width": {"type": "categorical", "choices": [8, 16, 32, 64, 128, 256, 512, 1024]}})";

nn::Conv2dRoute pick_route(const TuneKernelsOptions& o, const nn::Conv2dShape& c, const KernelPolicy& p) {
  const auto routes = nn::conv2d_candidates(c, p);
  if (o.route.empty()) {
    const nn::Conv2dRoute r = nn::conv2d_default_route(c, p);
    if (nn::conv2d_route_has_width(r)) return r;
    for (nn::Conv2dRoute x : routes)
      if (nn::conv2d_route_has_width(x)) return x;
    throw Error("--conv " + c.str() + ": no route with kernels of its own (direct, winograd, winograd_f33) applies");
  }
  for (const auto& info : nn::conv2d_routes())
    if (o.route == info.name) {
      if (!nn::conv2d_route_has_width(info.route))
        throw InputError("--route " + o.route + ": has no kernels of its own; takes direct, winograd or winograd_f33");
      if (std::find(routes.begin(), routes.end(), info.route) == routes.end())
        throw Error("--route " + o.route + ": does not apply to " + c.str() + " on this device");
      return info.route;
    }
  throw InputError("--route " + o.route + ": takes direct, winograd or winograd_f33");
}

}  // namespace

void run_tune_conv_width(const TuneKernelsOptions& o) {
  const nn::Conv2dShape c = nn::Conv2dShape::parse(o.conv);
  ContextOptions co;
  co.device = o.device;
  co.autotune = AutotuneMode::Off;  // the candidates below are timed directly
  Context ctx(co);
  const KernelPolicy& policy = ctx.policy();
  const nn::Conv2dRoute route = pick_route(o, c, policy);
  const nn::Conv2dChoice rule{route};
  const bool dx = !o.first_layer;
  const tune::Space space = tune::Space::parse(nlohmann::json::parse(kWidthSpace));
  const auto sampler = tune::make_sampler(o.sampler, space, o.seed);

  std::vector<tune::Trial> trials;
  nlohmann::json rows = nlohmann::json::array();
  if (!o.json)
    std::printf("conv2d %s%s, route %s, on %s, %d trials, sampler %s: forward + backward, median of %d runs in turns "
                "with the rule's widths\n",
                c.str().c_str(), dx ? "" : " (first layer)", rule.name().c_str(), ctx.info().name.c_str(), o.trials,
                o.sampler.c_str(), o.repeats);
  for (int i = 0; i < o.trials; ++i) {
    const tune::History history{trials, tune::Direction::Minimize};
    const auto params = sampler->sample(space, history);
    if (!params) break;
    tune::Trial t;
    t.id = i;
    t.seed = uint64_t(i);
    t.params = space.with_fixed(*params);
    const nn::Conv2dChoice v{route, static_cast<uint32_t>(tune::as_double(t.params.at("width")))};
    double ms = -1, rule_ms = -1;
    if (v.local_x > policy.max_workgroup_invocations || v.local_x > policy.max_workgroup_x) {
      t.state = tune::TrialState::Failed;
      t.reason = "past the device's workgroup limits";
    } else {
      const auto m = nn::measure_conv2d(ctx, c, dx, {rule, v}, o.repeats);
      if (!m[0].correct) throw Error("the rule's route " + rule.name() + " failed on " + c.str());
      rule_ms = m[0].ms;
      if (m[1].correct) {
        t.state = tune::TrialState::Complete;
        ms = m[1].ms;
        t.value = ms / rule_ms;
      } else {
        t.state = tune::TrialState::Failed;
        t.reason = std::isfinite(m[1].ms) ? "result differs from im2col's" : "failed to run";
      }
    }
    const bool done = t.state == tune::TrialState::Complete;
    rows.push_back({{"trial", i}, {"variant", v.name()}, {"state", tune::state_name(t.state)}, {"ms", ms},
                    {"rule_ms", rule_ms}, {"ratio", done ? t.value : -1.0}});
    if (!o.json) {
      char line[96];
      std::snprintf(line, sizeof line, "%.3f ms, %.3f x the rule's %.3f ms", ms, t.value, rule_ms);
      std::printf("%3d  %-22s %s\n", i, v.name().c_str(), done ? line : t.reason.c_str());
    }
    trials.push_back(std::move(t));
  }
  const tune::Trial* best = tune::best_trial(trials, tune::Direction::Minimize);
  nlohmann::json best_json = nullptr;
  if (best) {
    const nlohmann::json& row = rows[size_t(best->id)];
    best_json = {{"variant", row["variant"]}, {"ms", row["ms"]}, {"ratio", best->value}, {"trial", best->id}};
    if (o.remember) {
      const std::string width = "wg" + std::to_string(static_cast<uint32_t>(tune::as_double(best->params.at("width"))));
      nn::plan_cache(ctx).remember(nn::tuned_width_key(c, route),
                                   {width, {{"ms", row["ms"]}, {"ratio", best->value}, {"sampler", o.sampler}}});
    }
  }
  if (o.json) {
    std::cout << nlohmann::json{{"conv", c.str()}, {"route", nn::conv2d_route_name(route)}, {"device", ctx.info().name},
                                {"sampler", o.sampler}, {"rule", rule.name()}, {"trials", rows}, {"best", best_json}}
                     .dump(1)
              << "\n";
    return;
  }
  if (best)
    std::printf("best: %s, %.3f ms, %.3f x the rule's (trial %lld)\n", best_json["variant"].get<std::string>().c_str(),
                best_json["ms"].get<double>(), best->value, static_cast<long long>(best->id));
  else
    std::printf("best: none (every trial failed)\n");
}

}  // namespace vkt::app
