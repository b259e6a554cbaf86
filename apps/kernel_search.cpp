#include "apps/kernel_search.hpp"

#include <cstdio>

#include "tuning/samplers/factory.hpp"
#include "tuning/trial.hpp"

namespace vkt::app {

KernelSearch search_against_rule(const TuneKernelsOptions& o, const tune::Space& space,
                                 const std::function<KernelProposal(const tune::Params&)>& measure) {
  const auto sampler = tune::make_sampler(o.sampler, space, o.seed);
  std::vector<tune::Trial> trials;
  KernelSearch out;
  for (int i = 0; i < o.trials; ++i) {
    const tune::History history{trials, tune::Direction::Minimize};
    const auto params = sampler->sample(space, history);
    if (!params) break;
    tune::Trial t;
    t.id = i;
    t.seed = uint64_t(i);
    t.params = space.with_fixed(*params);
    const KernelProposal p = measure(t.params);
    const bool done = p.failure.empty();
    t.state = done ? tune::TrialState::Complete : tune::TrialState::Failed;
    t.reason = p.failure;
    if (done) t.value = p.ms / p.rule_ms;
    out.trials.push_back({{"trial", i}, {"variant", p.name}, {"state", tune::state_name(t.state)}, {"ms", p.ms},
                          {"rule_ms", p.rule_ms}, {"ratio", done ? t.value : -1.0}});
    if (!o.json) {
      char line[96];
      std::snprintf(line, sizeof line, "%.3f ms, %.3f x the rule's %.3f ms", p.ms, t.value, p.rule_ms);
      std::printf("%3d  %-22s %s\n", i, p.name.c_str(), done ? line : p.failure.c_str());
    }
    trials.push_back(std::move(t));
  }
  if (const tune::Trial* best = tune::best_trial(trials, tune::Direction::Minimize)) {
    const nlohmann::json& row = out.trials[size_t(best->id)];
    out.best = {{"variant", row["variant"]}, {"ms", row["ms"]}, {"ratio", best->value}, {"trial", best->id}};
    out.best_params = best->params;
  }
  return out;
}

void print_best(const KernelSearch& s) {
  if (s.best.is_null()) {
    std::printf("best: none (every trial failed)\n");
    return;
  }
  std::printf("best: %s, %.3f ms, %.3f x the rule's (trial %lld)\n", s.best["variant"].get<std::string>().c_str(),
              s.best["ms"].get<double>(), s.best["ratio"].get<double>(), s.best["trial"].get<long long>());
}

}  // namespace vkt::app
