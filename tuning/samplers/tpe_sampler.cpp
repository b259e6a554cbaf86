#include "tuning/samplers/tpe_sampler.hpp"

#include <cmath>
#include <limits>

#include "tuning/normalize.hpp"
#include "tuning/samplers/tpe/model_space.hpp"
#include "tuning/samplers/tpe/observations.hpp"
#include "tuning/samplers/tpe/parzen_estimator.hpp"
#include "util/error.hpp"

namespace vkt::tune {
namespace {

using nlohmann::json;

[[noreturn]] void bad_option(const std::string& key, const std::string& what) {
  throw InputError("sampler tpe: \"" + key + "\" " + what);
}

int64_t whole_option(const json& config, const char* key, int64_t fallback) {
  if (!config.contains(key)) return fallback;
  const json& v = config.at(key);
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float() && v.get<double>() == std::floor(v.get<double>()) && std::fabs(v.get<double>()) < 9e15)
    return int64_t(v.get<double>());
  bad_option(key, "must be a whole number, got " + v.dump());
}

bool bool_option(const json& config, const char* key, bool fallback) {
  if (!config.contains(key)) return fallback;
  if (!config.at(key).is_boolean()) bad_option(key, "must be true or false, got " + config.at(key).dump());
  return config.at(key).get<bool>();
}

double number_option(const json& config, const char* key, double fallback) {
  if (!config.contains(key)) return fallback;
  if (!config.at(key).is_number()) bad_option(key, "must be a number, got " + config.at(key).dump());
  return config.at(key).get<double>();
}

}  // namespace

TpeOptions tpe_options_from_json(const json& config) {
  TpeOptions o;
  o.n_startup = whole_option(config, "n_startup", o.n_startup);
  o.n_candidates = whole_option(config, "n_candidates", o.n_candidates);
  o.multivariate = bool_option(config, "multivariate", o.multivariate);
  o.prior_weight = number_option(config, "prior_weight", o.prior_weight);
  o.constant_liar = bool_option(config, "constant_liar", o.constant_liar);
  o.consider_endpoints = bool_option(config, "consider_endpoints", o.consider_endpoints);
  return o;
}

TpeSampler::TpeSampler(TpeOptions options, uint64_t seed) : options_(options), seed_(seed), rng_(seed) {
  if (options_.n_startup < 0) bad_option("n_startup", "must not be negative");
  if (options_.n_candidates < 1) bad_option("n_candidates", "must be at least 1");
  // Each candidate is scored against every observation: beyond this a proposal takes seconds.
  if (options_.n_candidates > 100000) bad_option("n_candidates", "must be at most 100000");
  if (!(options_.prior_weight > 0) || !std::isfinite(options_.prior_weight))
    bad_option("prior_weight", "must be a positive number");
}

json TpeSampler::config() const {
  return {{"name", "tpe"},
          {"seed", seed_},
          {"n_startup", options_.n_startup},
          {"n_candidates", options_.n_candidates},
          {"multivariate", options_.multivariate},
          {"prior_weight", options_.prior_weight},
          {"constant_liar", options_.constant_liar},
          {"consider_endpoints", options_.consider_endpoints}};
}

namespace {

// One TPE decision over `params` (one of them, or the joint ones): the values of the
// candidate from l(x) with the highest log l(x) - log g(x).
std::vector<Value> propose(const std::vector<const Parameter*>& params, const tpe::Split& split,
                           const TpeOptions& options, bool multivariate, Rng& rng) {
  std::vector<tpe::Dimension> dims;
  for (const Parameter* p : params) dims.push_back(tpe::dimension_of(*p));
  const tpe::ParzenOptions parzen{options.prior_weight, options.consider_endpoints, multivariate};
  const tpe::ParzenEstimator good(dims, tpe::observations_of(params, split.below), parzen);
  const tpe::ParzenEstimator rest(dims, tpe::observations_of(params, split.above), parzen);

  std::vector<tpe::Point> candidates = good.sample(rng, size_t(options.n_candidates));
  std::vector<std::vector<Value>> values(candidates.size());
  // Scored where they will land: rounded onto their grid, as proposed.
  for (size_t i = 0; i < candidates.size(); ++i)
    for (size_t j = 0; j < params.size(); ++j) {
      values[i].push_back(tpe::from_model(*params[j], candidates[i][j]));
      candidates[i][j] = tpe::to_model(*params[j], values[i].back());
    }
  const std::vector<double> log_l = good.log_acquisition_pdf(candidates);
  const std::vector<double> log_g = rest.log_acquisition_pdf(candidates);
  size_t best = 0;
  double best_score = -std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < candidates.size(); ++i) {
    const double score = log_l[i] - log_g[i];
    if (score > best_score) {  // NaN never wins; ties go to the earlier draw
      best_score = score;
      best = i;
    }
  }
  return values[best];
}

}  // namespace

std::optional<Params> TpeSampler::sample(const Space& space, const History& history) {
  const tpe::Split split = tpe::split_trials(history, options_.constant_liar);
  if (int64_t(split.observations) < options_.n_startup) return resolve_conditions(space, {}, rng_);

  Params out;
  if (options_.multivariate) {
    // Every trial holds the unconditional parameters; a single choice is nothing to model.
    std::vector<const Parameter*> joint;
    for (const Parameter& p : space.parameters())
      if (p.when.empty() && !(p.type == ParamType::Categorical && p.choices.size() == 1)) joint.push_back(&p);
    if (!joint.empty()) {
      const auto values = propose(joint, split, options_, true, rng_);
      for (size_t j = 0; j < joint.size(); ++j) out[joint[j]->name] = values[j];
    }
  }
  // Dependency order: the keys a `when` reads are decided before it is evaluated.
  for (const Parameter& p : space.parameters()) {
    if (out.count(p.name) || !space.is_active(p, out)) continue;
    out[p.name] = propose({&p}, split, options_, false, rng_).front();
  }
  return out;
}

}  // namespace vkt::tune
