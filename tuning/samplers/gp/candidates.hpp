#pragma once
// The points the acquisition is first evaluated at, before L-BFGS refines the best few:
//  - three quarters drawn from the prior (resolve_conditions on nothing): uniform in the
//    normalized space, every choice and every conditional branch represented;
//  - a quarter near the best observed points (the top few by value, in turn): their movable
//    coordinates (encoding.hpp) moved by a Gaussian step of kLocalSigma and clamped to [0,1].
//    Exploitation needs points close to the incumbent, which uniform draws rarely are once
//    the length scales are short.
#include <vector>

#include "tuning/rng.hpp"
#include "tuning/samplers/gp/encoding.hpp"
#include "tuning/samplers/gp/points.hpp"

namespace vkt::tune::gp {

inline constexpr double kLocalSigma = 0.05;

// `best`: encoded points, best first (may be empty: then every candidate is drawn).
Points make_candidates(const Space& space, const Encoding& encoding, const Points& best, size_t count, Rng& rng);

}  // namespace vkt::tune::gp
