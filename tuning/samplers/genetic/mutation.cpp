#include "tuning/samplers/genetic/mutation.hpp"

#include "tuning/normalize.hpp"

namespace vkt::tune::genetic {

Params mutate(const Space& space, const Params& params, Rng& rng, const MutationOptions& options) {
  Params out = resolve_conditions(space, params, rng);
  if (out.empty()) return out;
  const double rate = 1.0 / double(out.size());
  for (const Parameter& p : space.parameters()) {
    const auto it = out.find(p.name);
    if (it == out.end()) continue;
    if (rng.uniform() >= rate) continue;
    if (p.numeric()) {
      it->second = from_unit(p, to_unit(p, it->second) + options.sigma * rng.normal());
    } else if (p.choices.size() > 1) {
      // Pick among the other choices: index k of the n-1 others, skipping the current one.
      const size_t current = size_t(to_unit(p, it->second) * double(p.choices.size()));
      size_t k = rng.below(p.choices.size() - 1);
      if (k >= current) ++k;
      it->second = p.choices[k];
    }
  }
  return resolve_conditions(space, out, rng);
}

}  // namespace vkt::tune::genetic
