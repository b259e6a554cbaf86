#include "tuning/samplers/genetic/population.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace vkt::tune::genetic {
namespace {

Individual as_individual(const Space& space, const Trial& t, Direction d) {
  Individual ind{t.id, {}, oriented(t.value, d)};
  for (const auto& p : space.parameters()) {
    const auto it = t.params.find(p.name);
    if (it != t.params.end()) ind.params[p.name] = it->second;
  }
  return ind;
}

}  // namespace

std::vector<Individual> parent_pool(const Space& space, const History& history, int64_t generation,
                                    size_t population_size, size_t elite) {
  std::vector<Individual> completed;
  for (const Trial& t : history.trials)
    if (t.state == TrialState::Complete && std::isfinite(t.value))
      completed.push_back(as_individual(space, t, history.direction));

  const auto first = (generation - 1) * int64_t(population_size);
  const auto last = first + int64_t(population_size);
  std::vector<Individual> pool;
  std::set<int64_t> in_pool;
  for (const auto& ind : completed)
    if (ind.trial_id >= first && ind.trial_id < last) {
      pool.push_back(ind);
      in_pool.insert(ind.trial_id);
    }
  if (pool.size() < 2) return completed;

  // Best first; ties by id so the pool is the same on every run.
  std::stable_sort(completed.begin(), completed.end(),
                   [](const Individual& a, const Individual& b) { return a.fitness > b.fitness; });
  for (size_t i = 0; i < completed.size() && i < elite; ++i)
    if (!in_pool.count(completed[i].trial_id)) pool.push_back(completed[i]);
  return pool;
}

}  // namespace vkt::tune::genetic
