#pragma once
// Bound-constrained maximization with NLopt's L-BFGS (NLOPT_LD_LBFGS), shared by the
// hyperparameter fit and the acquisition refinement. The result is the best point the
// objective was evaluated at, not NLopt's last iterate, so a run that stops on round-off or
// an evaluation limit still returns its best, and never worse than the start.
// L-BFGS is deterministic: the same start and objective give the same result.
#include <functional>
#include <span>
#include <vector>

namespace vkt::tune::gp {

// f(x, gradient) returns the value at x and writes d/dx into gradient (same size as x).
using Objective = std::function<double(std::span<const double> x, std::span<double> gradient)>;

struct LbfgsOptions {
  int max_evaluations = 100;
  double relative_tolerance = 1e-7;  // on the objective's value
};

struct LbfgsResult {
  std::vector<double> x;
  double value = 0;
};

// `start` is clamped into [lower, upper] first. Exceptions thrown by f are rethrown.
LbfgsResult maximize_lbfgs(const Objective& f, std::vector<double> start, std::span<const double> lower,
                           std::span<const double> upper, const LbfgsOptions& options = {});

}  // namespace vkt::tune::gp
