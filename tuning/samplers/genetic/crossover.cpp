#include "tuning/samplers/genetic/crossover.hpp"

#include <algorithm>
#include <cmath>

#include "tuning/normalize.hpp"

namespace vkt::tune::genetic {

Params crossover(const Space& space, const Params& a, const Params& b, Rng& rng, const CrossoverOptions& options) {
  Params child;
  // Dependency order: a conditional parameter is decided after the keys its `when` reads.
  for (const Parameter& p : space.parameters()) {
    if (!space.is_active(p, child)) continue;
    const auto ia = a.find(p.name);
    const auto ib = b.find(p.name);
    const bool has_a = ia != a.end() && is_legal(p, ia->second);
    const bool has_b = ib != b.end() && is_legal(p, ib->second);
    if (!has_a && !has_b) {
      child[p.name] = draw_value(p, rng);
    } else if (has_a != has_b) {
      child[p.name] = has_a ? ia->second : ib->second;
    } else if (!p.numeric()) {
      child[p.name] = rng.uniform() < options.swap_probability ? ib->second : ia->second;
    } else {
      const double ua = to_unit(p, ia->second);
      const double ub = to_unit(p, ib->second);
      const double spread = options.alpha * std::fabs(ua - ub);
      const double lo = std::min(ua, ub) - spread;
      const double hi = std::max(ua, ub) + spread;
      child[p.name] = from_unit(p, lo == hi ? lo : rng.uniform(lo, hi));
    }
  }
  return child;
}

}  // namespace vkt::tune::genetic
