#include "tuning/samplers/gp/candidates.hpp"

#include <algorithm>

#include "tuning/normalize.hpp"

namespace vkt::tune::gp {

Points make_candidates(const Space& space, const Encoding& encoding, const Points& best, size_t count, Rng& rng) {
  Points out(encoding.dims());
  const size_t local = best.size() == 0 ? 0 : count / 4;
  for (size_t i = 0; i < count - local; ++i) out.add(encoding.encode(resolve_conditions(space, {}, rng)));
  for (size_t i = 0; i < local; ++i) {
    const auto centre = best[i % best.size()];
    std::vector<double> x(centre.begin(), centre.end());
    const std::vector<bool> movable = encoding.movable(x);
    for (size_t d = 0; d < x.size(); ++d)
      if (movable[d]) x[d] = std::clamp(x[d] + kLocalSigma * rng.normal(), 0.0, 1.0);
    out.add(x);
  }
  return out;
}

}  // namespace vkt::tune::gp
