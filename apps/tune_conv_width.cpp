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

#include "apps/kernel_search.hpp"
#include "apps/tune_kernels.hpp"
#include "nn/ops/conv2d_routes.hpp"
#include "nn/plan/conv2d_plan.hpp"
#include "runtime/context.hpp"
#include "runtime/kernel_cache.hpp"
#include "tuning/space.hpp"
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

  if (!o.json)
    std::printf("conv2d %s%s, route %s, on %s, %d trials, sampler %s: forward + backward, median of %d runs in turns "
                "with the rule's widths\n",
                c.str().c_str(), dx ? "" : " (first layer)", rule.name().c_str(), ctx.info().name.c_str(), o.trials,
                o.sampler.c_str(), o.repeats);
  const auto width_of = [](const tune::Params& params) {
    return static_cast<uint32_t>(tune::as_double(params.at("width")));
  };
  const KernelSearch found = search_against_rule(o, space, [&](const tune::Params& params) {
    const nn::Conv2dChoice v{route, width_of(params)};
    KernelProposal p{v.name()};
    if (v.local_x > policy.max_workgroup_invocations || v.local_x > policy.max_workgroup_x) {
      p.failure = "past the device's workgroup limits";
      return p;
    }
    const auto m = nn::measure_conv2d(ctx, c, dx, {rule, v}, o.repeats);
    if (!m[0].correct) throw Error("the rule's route " + rule.name() + " failed on " + c.str());
    p.rule_ms = m[0].ms;
    if (m[1].correct)
      p.ms = m[1].ms;
    else
      p.failure = std::isfinite(m[1].ms) ? "result differs from im2col's" : "failed to run";
    return p;
  });
  if (o.remember && !found.best.is_null())
    nn::plan_cache(ctx).remember(
        nn::tuned_width_key(c, route),
        {"wg" + std::to_string(width_of(found.best_params)),
         {{"ms", found.best["ms"]}, {"ratio", found.best["ratio"]}, {"sampler", o.sampler}}});
  if (o.json) {
    std::cout << nlohmann::json{{"conv", c.str()}, {"route", nn::conv2d_route_name(route)}, {"device", ctx.info().name},
                                {"sampler", o.sampler}, {"rule", rule.name()}, {"trials", found.trials},
                                {"best", found.best}}
                     .dump(1)
              << "\n";
    return;
  }
  print_best(found);
}

}  // namespace vkt::app
