#pragma once
// Kernel hyperparameters by maximum a posteriori: the log marginal likelihood plus weak
// log-normal priors, maximized by L-BFGS in log space (theta, see kernel.hpp) from several
// starts. With ten-odd points the bare likelihood is often maximized by a degenerate model:
// length scales so short that every point is its own island, or a noise so large that the
// data is all noise. The priors (on y standardized to mean 0, variance 1, and x in [0,1]^d)
//   log l_i ~ N(log 0.5, 1.5^2)    log s ~ N(0, 1.5^2)    log noise ~ N(log 1e-2, 2^2)
// are wide enough that a few dozen points override them, and keep the fit away from those
// edges until then. The bounds are hard limits beyond any sensible fit; the noise floor 1e-6
// keeps K + noise I comfortably positive definite even with repeated points.
//
// The first start is the priors' centre, the others are drawn from the priors (from the
// sampler's Rng, so a resumed study draws the same ones). Each start gets a short scouting
// run of kScoutEvaluations; the best of those then runs to convergence. One evaluation costs
// a Cholesky factorization and an n x n inverse (for the gradient's trace term), which at 300
// points is most of a proposal's time; on test data of 20 to 300 points this found the same
// optimum as running every start to convergence, with a third of the evaluations.
#include <span>
#include <vector>

#include "tuning/rng.hpp"
#include "tuning/samplers/gp/kernel.hpp"
#include "tuning/samplers/gp/points.hpp"

namespace vkt::tune::gp {

inline constexpr double kMinNoiseVariance = 1e-6;
inline constexpr int kScoutEvaluations = 8;
inline constexpr int kPolishEvaluations = 100;

// The log prior density (up to a constant) and, if `gradient` is not empty, its gradient.
double log_prior(std::span<const double> theta, std::span<double> gradient = {});

// log marginal likelihood + log prior, the fit's objective, with its gradient.
double log_posterior(KernelKind kind, const Observations& observations, std::span<const double> theta,
                     std::span<double> gradient = {});

// The best theta found from `restarts` starts (restarts >= 1), as above.
std::vector<double> fit_hyperparameters(KernelKind kind, const Observations& observations, size_t restarts, Rng& rng);

}  // namespace vkt::tune::gp
