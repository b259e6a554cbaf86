#include "tuning/samplers/gp/lbfgs.hpp"

#include <nlopt.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <memory>

#include "util/error.hpp"

namespace vkt::tune::gp {
namespace {

struct Run {
  const Objective& f;
  nlopt_opt opt;
  LbfgsResult best{{}, -std::numeric_limits<double>::infinity()};
  std::exception_ptr error;
};

double callback(unsigned n, const double* x, double* gradient, void* data) {
  auto& run = *static_cast<Run*>(data);
  std::vector<double> scratch;
  if (!gradient) scratch.resize(n);  // L-BFGS always asks for it; stay safe if not
  double* g = gradient ? gradient : scratch.data();
  try {
    const double value = run.f({x, n}, {g, n});
    if (std::isfinite(value) && value > run.best.value) run.best = {std::vector<double>(x, x + n), value};
    return value;
  } catch (...) {
    run.error = std::current_exception();
    nlopt_force_stop(run.opt);
    std::fill(g, g + n, 0.0);
    return 0.0;
  }
}

}  // namespace

LbfgsResult maximize_lbfgs(const Objective& f, std::vector<double> start, std::span<const double> lower,
                           std::span<const double> upper, const LbfgsOptions& options) {
  const auto n = unsigned(start.size());
  for (size_t i = 0; i < start.size(); ++i) start[i] = std::clamp(start[i], lower[i], upper[i]);
  const std::unique_ptr<nlopt_opt_s, decltype(&nlopt_destroy)> opt(nlopt_create(NLOPT_LD_LBFGS, n), nlopt_destroy);
  if (!opt) throw Error("internal: nlopt_create failed");
  Run run{f, opt.get()};
  nlopt_set_lower_bounds(opt.get(), lower.data());
  nlopt_set_upper_bounds(opt.get(), upper.data());
  nlopt_set_max_objective(opt.get(), callback, &run);
  nlopt_set_maxeval(opt.get(), options.max_evaluations);
  nlopt_set_ftol_rel(opt.get(), options.relative_tolerance);
  double value = 0;
  std::vector<double> x = start;
  nlopt_optimize(opt.get(), x.data(), &value);  // any outcome: the best evaluation is kept
  if (run.error) std::rethrow_exception(run.error);
  if (run.best.x.empty()) {  // not even the start was finite: give it back
    std::vector<double> unused(n);
    return {start, f(start, unused)};
  }
  return run.best;
}

}  // namespace vkt::tune::gp
