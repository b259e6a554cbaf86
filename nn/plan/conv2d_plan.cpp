#include "nn/plan/conv2d_plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>

#include "nn/ops/conv2d_routes.hpp"
#include "nn/plan/measure.hpp"
#include "runtime/buffer.hpp"
#include "runtime/context.hpp"
#include "runtime/kernel_cache.hpp"
#include "util/error.hpp"

namespace vkt::nn {
namespace {

// One candidate's outputs and workspace (reserved as the layer reserves it, in an arena of its
// own), and its recorded forward + backward.
struct Candidate {
  Conv2dPlan plan;
  std::unique_ptr<WorkspaceArena> arena;
  std::unique_ptr<Conv2dWorkspaceRegions> ws;
  Buffer y, dx, dw, db;
  std::unique_ptr<Stream> stream;
  std::vector<double> ms;
  std::string failure;
};

// The workgroup widths a GPU measures beside the rule's for the direct and Winograd routes'
// own kernels: GPUs schedule 32- or 64-lane subgroups, and fuller workgroups hide latency.
constexpr uint32_t kGpuWidths[] = {128, 256};

}  // namespace

bool conv2d_route_has_width(Conv2dRoute r) {
  return r == Conv2dRoute::Direct || r == Conv2dRoute::Winograd || r == Conv2dRoute::WinogradF33;
}

std::string tuned_width_key(const Conv2dShape& c, Conv2dRoute r) {
  return "conv2d-width " + conv2d_route_name(r) + " " + c.str();
}

std::string Conv2dChoice::name() const {
  std::string n = conv2d_route_name(route);
  if (local_x) n += " wg" + std::to_string(local_x);
  return n;
}

std::vector<Conv2dChoice> conv2d_choices(const Conv2dShape& c, const KernelPolicy& p) {
  const std::vector<Conv2dRoute> routes = conv2d_candidates(c, p);
  std::vector<Conv2dChoice> out(routes.begin(), routes.end());
  // On a CPU driver the rule's widths are the only ones: measured there (lavapipe runs a
  // workgroup on one thread, SIMD 8), and every candidate costs a forward and backward pass.
  if (p.cpu_driver) return out;
  for (Conv2dRoute r : routes)
    if (conv2d_route_has_width(r))
      for (uint32_t w : kGpuWidths)
        if (w <= p.max_workgroup_invocations && w <= p.max_workgroup_x) out.push_back({r, w});
  return out;
}

std::string conv2d_cache_key(const Conv2dShape& c, bool dx_needed, const std::vector<Conv2dChoice>& candidates,
                             bool backward) {
  std::vector<std::string> names;
  for (const Conv2dChoice& k : candidates) names.push_back(k.name());
  return candidates_key("conv2d " + c.str() + (!backward ? " forward" : dx_needed ? "" : " no-dx"), names);
}

std::vector<Conv2dMeasurement> measure_conv2d(Context& ctx, const Conv2dShape& c, bool dx_needed,
                                              const std::vector<Conv2dChoice>& choices, int reps, bool backward) {
  c.validate();
  std::vector<Conv2dChoice> routes = choices;
  const Conv2dChoice reference{Conv2dRoute::Im2col};
  if (std::find(routes.begin(), routes.end(), reference) == routes.end()) routes.push_back(reference);
  const uint64_t xs = uint64_t(c.N) * c.C * c.H * c.W, ws = uint64_t(c.K) * c.CRS();
  const Buffer x = random_buffer(ctx, xs, 1, "autotune x"), w = random_buffer(ctx, ws, 2, "autotune w"),
               b = random_buffer(ctx, c.K, 3, "autotune b"), dy = random_buffer(ctx, c.out_count(), 4, "autotune dy");

  std::vector<std::unique_ptr<Candidate>> cands;
  for (const Conv2dChoice& r : routes) {
    auto k = std::make_unique<Candidate>();
    k->plan = Conv2dPlan(c, r.route);
    k->plan.local_x = r.local_x;
    try {
      k->arena = std::make_unique<WorkspaceArena>(ctx);
      k->ws = std::make_unique<Conv2dWorkspaceRegions>(*k->arena, k->plan);
      k->y = scratch_buffer(ctx, c.out_count(), "autotune y");
      k->dx = scratch_buffer(ctx, xs, "autotune dx");
      k->dw = scratch_buffer(ctx, ws, "autotune dw");
      k->db = scratch_buffer(ctx, c.K, "autotune db");
      k->stream = std::make_unique<Stream>(ctx);
      Stream& s = *k->stream;
      // Without the fused ReLU: it costs nothing measurable, and outputs near 0 would be one more
      // way for two routes' roundings to route a gradient differently (kRouteTolerance).
      conv2d_forward(s, k->y, x, w, b, k->plan, k->ws->spans(), false);
      if (backward)
        conv2d_backward(s, dx_needed ? DeviceSpan(k->dx) : DeviceSpan{}, k->dw, k->db, dy, x, w, k->plan,
                        k->ws->spans());
      s.timestamp("end");
      s.run();  // warm: first-use costs (pipeline creation, page faults) are not the route's
    } catch (const std::exception& e) {
      k->failure = e.what();
      k->stream.reset();
    }
    cands.push_back(std::move(k));
  }
  // Taking turns, so that a machine's load drifting during the measurement hits every route alike.
  for (int rep = 0; rep < reps; ++rep)
    for (auto& k : cands) {
      if (k->stream) k->ms.push_back(run_and_time(*k->stream));
    }

  // The im2col route is the reference (it always applies).
  const Candidate& ref = **std::find_if(cands.begin(), cands.end(), [](const auto& k) {
    return k->plan.route == Conv2dRoute::Im2col && k->plan.local_x == 0;
  });
  if (!ref.stream) throw Error("conv2d autotune: the im2col route failed on " + c.str() + ": " + ref.failure);
  const auto outputs = [&](const Candidate& k) {
    std::vector<std::vector<float>> o{k.y.download_as<float>(c.out_count())};
    if (backward) {
      o.push_back(k.dw.download_as<float>(ws));
      o.push_back(k.db.download_as<float>(c.K));
    }
    if (backward && dx_needed) o.push_back(k.dx.download_as<float>(xs));
    return o;
  };
  const auto want = outputs(ref);
  std::vector<Conv2dMeasurement> out;
  for (const auto& k : cands) {
    Conv2dMeasurement m{Conv2dChoice{k->plan.route, k->plan.local_x}};
    if (!k->stream) {
      std::cerr << "vktrain: warning: conv2d route " << m.choice.name() << " failed on " << c.str()
                << ": " << k->failure << "\n";
      m.ms = INFINITY, m.error = INFINITY;
      out.push_back(m);
      continue;
    }
    m.ms = median(k->ms);
    const auto got = outputs(*k);
    for (size_t i = 0; i < got.size(); ++i) m.error = std::max(m.error, relative_l2(got[i], want[i]));
    m.correct = m.error <= kRouteTolerance;
    if (!m.correct)
      std::cerr << "vktrain: warning: conv2d route " << m.choice.name() << " differs from im2col by "
                << m.error << " (relative L2) on " << c.str() << "; not used\n";
    out.push_back(m);
  }
  return out;
}

Conv2dChoice pick_conv2d_route(const std::vector<Conv2dMeasurement>& m, Conv2dChoice fallback) {
  const Conv2dMeasurement* w = pick_fastest(m, [&](const Conv2dMeasurement& x) { return x.choice == fallback; });
  return w ? w->choice : Conv2dChoice{Conv2dRoute::Im2col};
}

Conv2dPlan plan_conv2d(Context& ctx, const Conv2dShape& c, bool dx_needed, bool backward) {
  const KernelPolicy& p = ctx.policy();
  std::vector<Conv2dChoice> candidates = conv2d_choices(c, p);
  const Conv2dRoute fallback = conv2d_default_route(c, p);
  if (p.autotune == AutotuneMode::Off) return {c, fallback};
  KernelCache& cache = plan_cache(ctx);
  // The widths `vktrain tune-kernels --conv --remember` found for this shape compete too.
  for (const Conv2dRoute r : conv2d_candidates(c, p)) {
    if (!conv2d_route_has_width(r)) continue;
    const auto tuned = cache.find(tuned_width_key(c, r));
    unsigned w = 0;
    char tail = 0;
    if (!tuned || std::sscanf(tuned->winner.c_str(), "wg%u%c", &w, &tail) != 1) continue;
    const Conv2dChoice k{r, w};
    if (w && w <= p.max_workgroup_invocations && w <= p.max_workgroup_x &&
        std::find(candidates.begin(), candidates.end(), k) == candidates.end())
      candidates.push_back(k);
  }
  if (candidates.size() < 2) return {c, fallback};
  const auto plan_of = [&](const Conv2dChoice& k) {
    Conv2dPlan plan(c, k.route);
    plan.local_x = k.local_x;
    return plan;
  };
  const std::string key = conv2d_cache_key(c, dx_needed, candidates, backward);
  if (const auto hit = cache.find(key))
    for (const Conv2dChoice& k : candidates)
      if (k.name() == hit->winner) return plan_of(k);
  if (p.autotune == AutotuneMode::Cached) return {c, fallback};
  const auto m = measure_conv2d(ctx, c, dx_needed, candidates, 5, backward);
  const Conv2dChoice winner = pick_conv2d_route(m, fallback);
  cache.remember(key, {winner.name(), measurement_detail(m, [](const Conv2dMeasurement& x) { return x.choice.name(); })});
  return plan_of(winner);
}

}  // namespace vkt::nn
