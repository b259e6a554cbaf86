#include "nn/plan/conv2d_plan.hpp"

#include <algorithm>
#include <cmath>
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

// One candidate's outputs and workspace (allocated as the layer allocates it), and its recorded
// forward + backward.
struct Candidate {
  Conv2dPlan plan;
  std::unique_ptr<Conv2dWorkspaceBuffers> ws;
  Buffer y, dx, dw, db;
  std::unique_ptr<Stream> stream;
  std::vector<double> ms;
  std::string failure;
};

}  // namespace

std::string conv2d_cache_key(const Conv2dShape& c, bool dx_needed, const std::vector<Conv2dRoute>& candidates,
                             bool backward) {
  std::vector<std::string> names;
  for (Conv2dRoute r : candidates) names.push_back(conv2d_route_name(r));
  return candidates_key("conv2d " + c.str() + (!backward ? " forward" : dx_needed ? "" : " no-dx"), names);
}

std::vector<Conv2dMeasurement> measure_conv2d(Context& ctx, const Conv2dShape& c, bool dx_needed,
                                              const std::vector<Conv2dRoute>& routes_in, int reps, bool backward) {
  c.validate();
  std::vector<Conv2dRoute> routes = routes_in;
  if (std::find(routes.begin(), routes.end(), Conv2dRoute::Im2col) == routes.end()) routes.push_back(Conv2dRoute::Im2col);
  const uint64_t xs = uint64_t(c.N) * c.C * c.H * c.W, ws = uint64_t(c.K) * c.CRS();
  const Buffer x = random_buffer(ctx, xs, 1, "autotune x"), w = random_buffer(ctx, ws, 2, "autotune w"),
               b = random_buffer(ctx, c.K, 3, "autotune b"), dy = random_buffer(ctx, c.out_count(), 4, "autotune dy");

  std::vector<std::unique_ptr<Candidate>> cands;
  for (Conv2dRoute r : routes) {
    auto k = std::make_unique<Candidate>();
    k->plan = Conv2dPlan(c, r);
    try {
      k->ws = std::make_unique<Conv2dWorkspaceBuffers>(ctx, k->plan);
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

  // The im2col route is the reference (it is the last candidate, and always applies).
  const Candidate& ref = **std::find_if(cands.begin(), cands.end(),
                                        [](const auto& k) { return k->plan.route == Conv2dRoute::Im2col; });
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
    Conv2dMeasurement m{k->plan.route};
    if (!k->stream) {
      std::cerr << "vktrain: warning: conv2d route " << conv2d_route_name(k->plan.route) << " failed on " << c.str()
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
      std::cerr << "vktrain: warning: conv2d route " << conv2d_route_name(m.route) << " differs from im2col by "
                << m.error << " (relative L2) on " << c.str() << "; not used\n";
    out.push_back(m);
  }
  return out;
}

Conv2dRoute pick_conv2d_route(const std::vector<Conv2dMeasurement>& m, Conv2dRoute fallback) {
  const Conv2dMeasurement* w = pick_fastest(m, [&](const Conv2dMeasurement& x) { return x.route == fallback; });
  return w ? w->route : Conv2dRoute::Im2col;
}

Conv2dPlan plan_conv2d(Context& ctx, const Conv2dShape& c, bool dx_needed, bool backward) {
  const KernelPolicy& p = ctx.policy();
  const std::vector<Conv2dRoute> candidates = conv2d_candidates(c, p);
  const Conv2dRoute fallback = conv2d_default_route(c, p);
  if (p.autotune == AutotuneMode::Off || candidates.size() < 2) return {c, fallback};
  KernelCache& cache = plan_cache(ctx);
  const std::string key = conv2d_cache_key(c, dx_needed, candidates, backward);
  if (const auto hit = cache.find(key))
    for (Conv2dRoute r : candidates)
      if (conv2d_route_name(r) == hit->winner) return {c, r};
  if (p.autotune == AutotuneMode::Cached) return {c, fallback};
  const auto m = measure_conv2d(ctx, c, dx_needed, candidates, 5, backward);
  const Conv2dRoute winner = pick_conv2d_route(m, fallback);
  cache.remember(key, {conv2d_route_name(winner),
                       measurement_detail(m, [](const Conv2dMeasurement& x) { return conv2d_route_name(x.route); })});
  return {c, winner};
}

}  // namespace vkt::nn
