#include "tuning/samplers/gp_sampler.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "tuning/normalize.hpp"
#include "tuning/samplers/gp/acquisition_optimizer.hpp"
#include "tuning/samplers/gp/candidates.hpp"
#include "tuning/samplers/gp/encoding.hpp"
#include "tuning/samplers/gp/gaussian_process.hpp"
#include "tuning/samplers/gp/hyperparameter_fit.hpp"
#include "util/error.hpp"

namespace vkt::tune {
namespace {

// How many of the best observed points seed local candidates.
constexpr size_t kLocalCentres = 5;

InputError bad(const std::string& key, const std::string& what) {
  return InputError("sampler gp: \"" + key + "\" " + what);
}

size_t count_option(const nlohmann::json& config, const std::string& key, size_t fallback, size_t minimum) {
  if (!config.contains(key)) return fallback;
  const auto& v = config[key];
  // Parsed JSON holds non-negative integers as unsigned, JSON built in code as signed.
  const bool ok = v.is_number_unsigned() ? v.get<uint64_t>() >= minimum
                                         : v.is_number_integer() && v.get<int64_t>() >= int64_t(minimum);
  if (!ok) throw bad(key, "must be a whole number >= " + std::to_string(minimum));
  return v.get<size_t>();
}

template <typename Enum>
Enum name_option(const nlohmann::json& config, const std::string& key, Enum fallback,
                 std::initializer_list<std::pair<const char*, Enum>> names, const std::string& allowed) {
  if (!config.contains(key)) return fallback;
  const auto& v = config[key];
  if (v.is_string())
    for (const auto& [name, value] : names)
      if (v.get<std::string>() == name) return value;
  throw bad(key, "must be " + allowed);
}

const char* kernel_name(gp::KernelKind k) { return k == gp::KernelKind::Rbf ? "rbf" : "matern52"; }
const char* acquisition_name(gp::AcquisitionKind a) { return a == gp::AcquisitionKind::Ucb ? "ucb" : "log_ei"; }

// Shifted to mean 0 and scaled to variance 1 (left unscaled when all values are equal).
void standardize(std::vector<double>& y) {
  const double n = double(y.size());
  const double mean = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double ss = 0;
  for (double v : y) ss += (v - mean) * (v - mean);
  const double sd = std::sqrt(ss / n);
  for (double& v : y) v = sd > 1e-12 ? (v - mean) / sd : v - mean;
}

}  // namespace

GpOptions gp_options_from_json(const nlohmann::json& config) {
  GpOptions o;
  o.n_startup = count_option(config, "n_startup", o.n_startup, 0);
  o.n_candidates = count_option(config, "n_candidates", o.n_candidates, 1);
  o.n_restarts = count_option(config, "n_restarts", o.n_restarts, 1);
  o.kernel = name_option(config, "kernel", o.kernel,
                         {{"matern52", gp::KernelKind::Matern52}, {"rbf", gp::KernelKind::Rbf}}, "matern52 or rbf");
  o.acquisition = name_option(config, "acquisition", o.acquisition,
                              {{"log_ei", gp::AcquisitionKind::LogEi}, {"ucb", gp::AcquisitionKind::Ucb}},
                              "log_ei or ucb");
  if (config.contains("beta")) {
    const auto& v = config["beta"];
    if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0)
      throw bad("beta", "must be a number >= 0");
    o.beta = v.get<double>();
  }
  return o;
}

GpSampler::GpSampler(GpOptions options, uint64_t seed) : options_(options), seed_(seed), rng_(seed) {
  // The upper bounds keep an absurd setting from exhausting memory (candidates x dimensions
  // doubles) or time (a full L-BFGS fit per restart) instead of failing at once.
  if (options_.n_candidates < 1) throw bad("n_candidates", "must be a whole number >= 1");
  if (options_.n_candidates > 1000000) throw bad("n_candidates", "must be at most 1000000");
  if (options_.n_restarts < 1) throw bad("n_restarts", "must be a whole number >= 1");
  if (options_.n_restarts > 1000) throw bad("n_restarts", "must be at most 1000");
  if (!std::isfinite(options_.beta) || options_.beta < 0) throw bad("beta", "must be a number >= 0");
}

nlohmann::json GpSampler::config() const {
  return {{"name", "gp"},
          {"seed", seed_},
          {"n_startup", options_.n_startup},
          {"kernel", kernel_name(options_.kernel)},
          {"acquisition", acquisition_name(options_.acquisition)},
          {"beta", options_.beta},
          {"n_candidates", options_.n_candidates},
          {"n_restarts", options_.n_restarts}};
}

std::optional<Params> GpSampler::sample(const Space& space, const History& history) {
  const gp::Encoding encoding(space);
  gp::Observations complete(encoding.dims());
  std::vector<const Trial*> believed;
  for (const Trial& t : history.trials) {
    if (t.state == TrialState::Complete && std::isfinite(t.value))
      complete.add(encoding.encode(t.params), oriented(t.value, history.direction));
    else
      believed.push_back(&t);
  }
  if (encoding.dims() == 0 || complete.size() < std::max<size_t>(options_.n_startup, 1))
    return resolve_conditions(space, {}, rng_);

  // The best observed points, for local candidates (ties: the earlier trial).
  std::vector<size_t> order(complete.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return complete.y[a] > complete.y[b]; });
  gp::Points best(encoding.dims());
  for (size_t i = 0; i < std::min(kLocalCentres, order.size()); ++i) best.add(complete.x[order[i]]);

  standardize(complete.y);
  std::vector<double> theta = gp::fit_hyperparameters(options_.kernel, complete, options_.n_restarts, rng_);
  gp::GaussianProcess model(options_.kernel, theta, complete);
  if (!believed.empty()) {
    gp::Observations with_believed = model.observations();
    for (const Trial* t : believed) {
      const std::vector<double> x = encoding.encode(t->params);
      with_believed.add(x, model.posterior(x).mean);
    }
    model = gp::GaussianProcess(options_.kernel, std::move(theta), std::move(with_believed));
  }

  gp::Acquisition acquisition;
  acquisition.kind = options_.acquisition;
  acquisition.beta = options_.beta;
  acquisition.best = *std::max_element(model.observations().y.begin(), model.observations().y.end());
  const gp::Points candidates = gp::make_candidates(space, encoding, best, options_.n_candidates, rng_);
  const gp::Maximum maximum = gp::maximize_acquisition(model, acquisition, encoding, candidates);
  // Decoding keeps the active set of the point (encoding.hpp); resolve_conditions only
  // guards the corner where it could not (a categorical left undecided).
  return resolve_conditions(space, encoding.decode(maximum.x), rng_);
}

}  // namespace vkt::tune
