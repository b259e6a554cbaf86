#include "nn/plan/choose.hpp"

#include <cmath>
#include <iostream>
#include <memory>

#include "nn/plan/measure.hpp"
#include "runtime/context.hpp"
#include "runtime/kernel_cache.hpp"
#include "util/error.hpp"

namespace vkt::nn {

std::vector<VariantMeasurement> measure_variants(Context& ctx, const VariantTrial& t) {
  const size_t n = t.names.size();
  std::vector<VariantMeasurement> out(n);
  // One run each, the reference first: its output, each variant's error, and a first time.
  // Recording creates the pipelines; the untimed run takes the first-touch page faults.
  std::vector<double> first(n, INFINITY);
  std::vector<float> want;
  std::vector<size_t> order{t.reference};
  for (size_t i = 0; i < n; ++i)
    if (i != t.reference) order.push_back(i);
  for (size_t i : order) {
    out[i].name = t.names[i];
    out[i].ms = out[i].error = INFINITY;
    try {
      Stream s(ctx);
      t.record(i, s);
      s.timestamp("end");
      s.run();
      first[i] = run_and_time(s);
    } catch (const std::exception& e) {
      if (i == t.reference) throw Error("autotune: the reference variant " + t.names[i] + " failed: " + e.what());
      std::cerr << "vktrain: warning: variant " << t.names[i] << " failed: " << e.what() << "\n";
      continue;
    }
    if (i == t.reference) want = t.output(i);
    out[i].error = relative_l2(t.output(i), want);
    out[i].correct = out[i].error <= t.tolerance;
    if (!out[i].correct)
      std::cerr << "vktrain: warning: variant " << t.names[i] << " differs from " << t.names[t.reference] << " by "
                << out[i].error << " (relative L2); not used\n";
  }
  // A variant more than twice as slow as the fastest in that run cannot win by a few percent;
  // it keeps that first time. The default is always timed again: one run is one sample, and a
  // hiccup of the machine must not cost the default its place. The others are timed `repeat`
  // to a stream, in turns, so that load drifting during the measurement hits each alike.
  double fastest = INFINITY;
  for (size_t i = 0; i < n; ++i)
    if (out[i].correct) fastest = std::min(fastest, first[i]);
  std::vector<std::unique_ptr<Stream>> streams(n);
  std::vector<std::vector<double>> ms(n);
  for (size_t i = 0; i < n; ++i) {
    if (!out[i].correct) continue;
    out[i].ms = first[i];
    if (i != 0 && first[i] > 2 * fastest) continue;
    streams[i] = std::make_unique<Stream>(ctx);
    for (int r = 0; r < t.repeat; ++r) t.record(i, *streams[i]);
    streams[i]->timestamp("end");
  }
  for (int rep = 0; rep < t.reps; ++rep)
    for (size_t i = 0; i < n; ++i)
      if (streams[i]) ms[i].push_back(run_and_time(*streams[i]));
  for (size_t i = 0; i < n; ++i)
    if (streams[i]) out[i].ms = median(ms[i]) / t.repeat;
  return out;
}

size_t choose_variant(Context& ctx, const std::string& key, const VariantTrial& t) {
  const KernelPolicy& p = ctx.policy();
  if (p.autotune == AutotuneMode::Off || t.names.size() < 2) return 0;
  KernelCache& cache = plan_cache(ctx);
  if (const auto hit = cache.find(key))
    for (size_t i = 0; i < t.names.size(); ++i)
      if (t.names[i] == hit->winner) return i;
  if (p.autotune == AutotuneMode::Cached) return 0;
  const auto m = measure_variants(ctx, t);
  const VariantMeasurement* w = pick_fastest(m, [&](const VariantMeasurement& x) { return x.name == t.names[0]; });
  const size_t winner = w ? size_t(w - m.data()) : t.reference;
  cache.remember(key, {t.names[winner], measurement_detail(m, [](const VariantMeasurement& x) { return x.name; })});
  return winner;
}

}  // namespace vkt::nn
