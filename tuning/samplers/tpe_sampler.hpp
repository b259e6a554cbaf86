#pragma once
// TPE, the Tree-structured Parzen Estimator of Hyperopt and Optuna. After `n_startup` random
// trials, the observed trials are split into the good ones and the rest (tpe/observations.hpp);
// a Parzen mixture l(x) models the good, g(x) the rest (tpe/parzen_estimator.hpp), each in the
// model coordinates of tpe/model_space.hpp. `n_candidates` points drawn from l(x) compete,
// and the one with the highest log l(x) - log g(x) (expected improvement, for TPE) is proposed,
// both scored as Optuna 3.1 scores them (ParzenEstimator::log_acquisition_pdf).
//  - Univariate (the default): each parameter is modelled and chosen on its own, in the
//    space's dependency order, so a conditional parameter is proposed only when active and
//    is modelled only from the trials where it was active.
//  - Multivariate: the unconditional parameters share one joint mixture (one kernel per
//    trial over all of them) and are chosen together; conditional parameters, which a trial
//    may lack, fall back to univariate TPE once the joint ones have decided their conditions.
//  - Constant liar (default on): Running trials join the rest as the worst, so parallel
//    workers do not all propose the point the model likes best.
// The state is the random generator alone; everything else is rebuilt from the history on
// every call, so a resumed study proposes exactly what an uninterrupted one would.
#include "tuning/rng.hpp"
#include "tuning/samplers/sampler.hpp"

namespace vkt::tune {

struct TpeOptions {
  int64_t n_startup = 10;     // observed trials (Complete or Pruned) before modelling starts
  int64_t n_candidates = 24;  // draws from l(x) per decision
  bool multivariate = false;
  double prior_weight = 1.0;  // the prior component's weight, relative to 1 per observation
  bool constant_liar = true;
  bool consider_endpoints = false;  // let the bounds widen the outermost kernels
};

// The options of a {"name": "tpe", ...} setting (other keys are not looked at); InputError
// naming the key for a value of the wrong type.
TpeOptions tpe_options_from_json(const nlohmann::json& config);

class TpeSampler : public Sampler {
 public:
  // InputError naming the option for an out-of-range value.
  TpeSampler(TpeOptions options, uint64_t seed);

  std::string name() const override { return "tpe"; }
  nlohmann::json config() const override;
  std::optional<Params> sample(const Space& space, const History& history) override;
  std::vector<uint8_t> save_state() const override { return rng_.save(); }
  void restore_state(std::span<const uint8_t> state) override { rng_.restore(state); }

 private:
  TpeOptions options_;
  uint64_t seed_;
  Rng rng_;
};

}  // namespace vkt::tune
