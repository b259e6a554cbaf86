#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "tuning/rng.hpp"
#include "tuning/samplers/factory.hpp"
#include "tuning/samplers/random_sampler.hpp"
#include "tuning/samplers/tpe/model_space.hpp"
#include "tuning/samplers/tpe/observations.hpp"
#include "tuning/samplers/tpe/parzen_estimator.hpp"
#include "tuning/samplers/tpe/truncated_normal.hpp"
#include "tuning/samplers/tpe_sampler.hpp"
#include "util/error.hpp"

using namespace vkt;
using namespace vkt::tune;
using namespace vkt::tune::tpe;
using nlohmann::json;

namespace {

// Written out from the textbook definitions, independently of truncated_normal.cpp.
double Phi(double z) { return 0.5 * (1 + std::erf(z / std::numbers::sqrt2)); }
double phi(double z) { return std::exp(-0.5 * z * z) / std::sqrt(2 * std::numbers::pi); }
// Density at x of N(mu, sigma) truncated to [lo, hi].
double trunc_pdf(double x, double mu, double sigma, double lo, double hi) {
  return phi((x - mu) / sigma) / sigma / (Phi((hi - mu) / sigma) - Phi((lo - mu) / sigma));
}
// Probability N(mu, sigma) truncated to [lo, hi] gives [a, b].
double trunc_mass(double a, double b, double mu, double sigma, double lo, double hi) {
  return (Phi((b - mu) / sigma) - Phi((a - mu) / sigma)) / (Phi((hi - mu) / sigma) - Phi((lo - mu) / sigma));
}

Trial trial(int64_t id, TrialState state, double value, Params params = {}) {
  Trial t;
  t.id = id;
  t.state = state;
  t.value = value;
  t.params = std::move(params);
  return t;
}

Trial pruned(int64_t id, std::vector<double> curve) {
  Trial t = trial(id, TrialState::Pruned, curve.empty() ? std::nan("") : curve.back());
  for (size_t e = 0; e < curve.size(); ++e) t.epochs[int(e) + 1] = {curve[e], 0};
  return t;
}

const Space& mixed_space() {
  static const Space s = Space::parse(json::parse(R"({
    "lr": {"type": "float", "low": 1e-5, "high": 1e-1, "log": true},
    "hidden": {"type": "int", "low": 16, "high": 512, "step": 16},
    "optimizer": {"type": "categorical", "choices": ["sgd", "adam", "rmsprop"]},
    "dropout": {"type": "float", "low": 0.0, "high": 0.8}})"));
  return s;
}

// Minimized; 0 at lr = 10^-2.5, hidden = 320, adam, dropout = 0.25.
double mixed_objective(const Params& p) {
  const double lr = std::log10(as_double(p.at("lr"))) + 2.5;
  const double hidden = (as_double(p.at("hidden")) - 320) / 160;
  const double dropout = as_double(p.at("dropout")) - 0.25;
  return lr * lr + hidden * hidden + (std::get<std::string>(p.at("optimizer")) == "adam" ? 0 : 1) +
         4 * dropout * dropout;
}

const Space& conditional_space() {
  static const Space s = Space::parse(json::parse(R"({
    "lr": {"type": "float", "low": 1e-4, "high": 1e-1, "log": true},
    "layers": {"type": "int", "low": 1, "high": 8, "log": true},
    "optimizer": {"type": "categorical", "choices": ["adam", "sgd", "momentum"]},
    "momentum": {"type": "float", "low": 0.5, "high": 0.99, "when": {"optimizer": "momentum"}},
    "nesterov": {"type": "categorical", "choices": [true, false], "when": {"optimizer": "momentum"}},
    "dropout": 0.2})"));
  return s;
}

// Maximized; momentum helps only when present.
double conditional_objective(const Params& p) {
  const double lr = std::log10(as_double(p.at("lr"))) + 2;
  double v = -lr * lr - 0.1 * std::fabs(as_double(p.at("layers")) - 3);
  if (p.count("momentum")) v += 0.5 - std::fabs(as_double(p.at("momentum")) - 0.9);
  return v;
}

// Runs `n` sequential trials of `objective`, every one completing; returns the history.
template <class Objective>
std::vector<Trial> run(Sampler& sampler, const Space& space, int n, Direction d, Objective objective) {
  std::vector<Trial> trials;
  for (int i = 0; i < n; ++i) {
    const auto p = sampler.sample(space, History{trials, d});
    REQUIRE(p);
    REQUIRE_NOTHROW(space.check(*p));
    trials.push_back(trial(i, TrialState::Complete, objective(*p), *p));
  }
  return trials;
}

double best_value(const std::vector<Trial>& trials) {
  double best = INFINITY;
  for (const Trial& t : trials) best = std::min(best, t.value);
  return best;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string error_of(const json& config) {
  try {
    make_sampler(config, mixed_space(), 0);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("tuning: tpe truncated normal masses stay accurate in the tails, and draws stay inside") {
  CHECK(std::exp(log_gauss_mass(-1, 2)) == doctest::Approx(Phi(2) - Phi(-1)).epsilon(1e-14));
  CHECK(std::exp(log_gauss_mass(-3, -2)) == doctest::Approx(Phi(-2) - Phi(-3)).epsilon(1e-12));
  CHECK(log_gauss_mass(1, 1) == -INFINITY);
  // Past z = -20 the asymptotic series takes over; at -25 erfc is still representable and agrees.
  CHECK(log_normal_cdf(-25) == doctest::Approx(std::log(0.5 * std::erfc(25 / std::numbers::sqrt2))).epsilon(1e-12));
  // 40 sigmas out, where erf() would give 0: finite, and mirrored tails agree.
  CHECK(std::isfinite(log_gauss_mass(40, 41)));
  CHECK(log_gauss_mass(40, 41) == doctest::Approx(log_gauss_mass(-41, -40)));
  // The mass beyond 41 sigmas is negligible next to the mass beyond 40.
  CHECK(log_gauss_mass(40, 41) == doctest::Approx(log_normal_cdf(-40)).epsilon(1e-9));
  // N(0, 1) truncated to [0, 1]: mean (phi(0) - phi(1)) / (Phi(1) - Phi(0)) = 0.4599.
  Rng rng(8);
  double sum = 0;
  bool inside = true;
  for (int i = 0; i < 20000; ++i) {
    const double x = sample_truncated(rng, 0, 1, 0, 1);
    inside = inside && x >= 0 && x <= 1;
    sum += x;
  }
  CHECK(inside);
  CHECK(sum / 20000 == doctest::Approx((phi(0) - phi(1)) / (Phi(1) - Phi(0))).epsilon(0.01));
}

TEST_CASE("tuning: tpe parzen estimator matches hand-computed univariate bandwidths and density") {
  const Dimension unit{Dimension::Kind::Continuous, 0, 1};
  const ParzenEstimator pe({unit}, {{0.2}, {0.6}}, {});
  // mus: the observations, then the prior at the centre.
  CHECK(pe.mus(0) == std::vector<double>{0.2, 0.6, 0.5});
  // Sorted with the bounds: 0 | 0.2 0.5 0.6 | 1. Gaps: 0.2 0.3 0.1 0.4.
  // Endpoints off: the outermost use their inner gap: sigma(0.2) = 0.3, sigma(0.6) = 0.1.
  // Magic clip: sigma >= 1 / min(100, 3 + 1) = 0.25, so sigma(0.6) = 0.25. Prior: 1.
  CHECK(pe.sigmas(0)[0] == doctest::Approx(0.3));
  CHECK(pe.sigmas(0)[1] == doctest::Approx(0.25));
  CHECK(pe.sigmas(0)[2] == doctest::Approx(1.0));
  // Fewer than 25 observations: weight 1 each, prior_weight 1: a third each.
  for (double w : pe.weights()) CHECK(w == doctest::Approx(1.0 / 3));
  const double at_04 =
      (trunc_pdf(0.4, 0.2, 0.3, 0, 1) + trunc_pdf(0.4, 0.6, 0.25, 0, 1) + trunc_pdf(0.4, 0.5, 1, 0, 1)) / 3;
  CHECK(std::exp(pe.log_pdf({{0.4}})[0]) == doctest::Approx(at_04).epsilon(1e-12));
  // A truncated mixture integrates to 1 over its bounds (midpoint rule, 2000 cells).
  std::vector<Point> grid;
  for (int i = 0; i < 2000; ++i) grid.push_back({(i + 0.5) / 2000});
  double integral = 0;
  for (double lp : pe.log_pdf(grid)) integral += std::exp(lp) / 2000;
  CHECK(integral == doctest::Approx(1.0).epsilon(1e-6));

  // Endpoints on: 0 | 0.4 0.45 0.5 | 1: sigma(0.4) = max(0.4, 0.05) = 0.4; off: its inner gap
  // 0.05, clipped up to 1/4. With prior_weight 2 the prior weighs 2/4.
  const ParzenEstimator on({unit}, {{0.4}, {0.45}}, {2.0, true, false});
  const ParzenEstimator off({unit}, {{0.4}, {0.45}}, {2.0, false, false});
  CHECK(on.sigmas(0)[0] == doctest::Approx(0.4));
  CHECK(off.sigmas(0)[0] == doctest::Approx(0.25));
  CHECK(on.weights() == std::vector<double>{0.25, 0.25, 0.5});
  // No observations: the prior alone.
  const ParzenEstimator empty({unit}, {}, {});
  CHECK(std::exp(empty.log_pdf({{0.9}})[0]) == doctest::Approx(trunc_pdf(0.9, 0.5, 1, 0, 1)));
}

TEST_CASE("tuning: tpe parzen estimator gives a step grid value its kernels' mass over the cell") {
  // An int 0..2 as grid indices: bounds widened by half a step to [-0.5, 2.5]; one observation at 0.
  const Dimension grid{Dimension::Kind::Stepped, -0.5, 2.5, 1.0};
  const ParzenEstimator pe({grid}, {{0}}, {});
  // mus 0 and the prior 1; sorted -0.5 | 0 1 | 2.5; endpoints off: both take the inner gap 1;
  // clip >= 3 / min(100, 3) = 1; the prior's sigma is the range 3.
  CHECK(pe.sigmas(0) == std::vector<double>{1.0, 3.0});
  const double p2 = 0.5 * trunc_mass(1.5, 2.5, 0, 1, -0.5, 2.5) + 0.5 * trunc_mass(1.5, 2.5, 1, 3, -0.5, 2.5);
  const double p0 = 0.5 * trunc_mass(-0.5, 0.5, 0, 1, -0.5, 2.5) + 0.5 * trunc_mass(-0.5, 0.5, 1, 3, -0.5, 2.5);
  const auto lp = pe.log_pdf({{2}, {0}, {1}});
  CHECK(std::exp(lp[0]) == doctest::Approx(p2).epsilon(1e-12));
  CHECK(std::exp(lp[1]) == doctest::Approx(p0).epsilon(1e-12));
  // The grid's cells tile the bounds, so the three probabilities sum to 1.
  CHECK(std::exp(lp[0]) + std::exp(lp[1]) + std::exp(lp[2]) == doctest::Approx(1.0));
  // A kernel tens of sigmas away still has a finite log mass (no underflow to -inf).
  const ParzenEstimator far({Dimension{Dimension::Kind::Stepped, -0.5, 400.5, 1.0}}, {{0}, {1}, {2}}, {});
  CHECK(std::isfinite(far.log_pdf({{400}})[0]));
}

TEST_CASE("tuning: tpe acquisition density weighs each continuous kernel by its sigma, as Optuna 3.1 scores") {
  // The estimator of the bandwidth test above: mus 0.2, 0.6, prior 0.5; sigmas 0.3, 0.25, 1.
  const Dimension unit{Dimension::Kind::Continuous, 0, 1};
  const ParzenEstimator pe({unit}, {{0.2}, {0.6}}, {});
  const auto acquisition = [](double x) {
    return (0.3 * trunc_pdf(x, 0.2, 0.3, 0, 1) + 0.25 * trunc_pdf(x, 0.6, 0.25, 0, 1) + trunc_pdf(x, 0.5, 1, 0, 1)) / 3;
  };
  const auto acq = pe.log_acquisition_pdf({{0.4}, {0.9}, {0.05}});
  CHECK(std::exp(acq[0]) == doctest::Approx(acquisition(0.4)).epsilon(1e-12));
  CHECK(std::exp(acq[1]) == doctest::Approx(acquisition(0.9)).epsilon(1e-12));
  CHECK(std::exp(acq[2]) == doctest::Approx(acquisition(0.05)).epsilon(1e-12));
  // Not the true density shifted by a constant: it reweights the components, so it can reorder
  // candidates. Relative to the true density it favours 0.9 (under the wide prior) over 0.4.
  const auto lp = pe.log_pdf({{0.4}, {0.9}});
  CHECK(acq[1] - lp[1] > acq[0] - lp[0] + 0.1);

  // Discrete cells keep their probability mass: nothing to weigh.
  const ParzenEstimator grid({Dimension{Dimension::Kind::Stepped, -0.5, 2.5, 1.0}}, {{0}}, {});
  const auto grid_acq = grid.log_acquisition_pdf({{0}, {2}});
  const auto grid_lp = grid.log_pdf({{0}, {2}});
  CHECK(grid_acq[0] == doctest::Approx(grid_lp[0]).epsilon(1e-14));
  CHECK(grid_acq[1] == doctest::Approx(grid_lp[1]).epsilon(1e-14));

  // Multivariate: component k's product density times the product of its sigmas. Two
  // observations: Scott's 0.2 * 2^(-1/6) = 0.178 is under the clip 1 / min(100, 3 + 1), so
  // 0.25 times each range; the prior's are the ranges.
  const Dimension a{Dimension::Kind::Continuous, 0, 1}, b{Dimension::Kind::Continuous, 0, 10};
  const ParzenEstimator mv({a, b}, {{0.2, 3.0}, {0.7, 6.0}}, {1.0, false, true});
  const double s0 = 0.25;
  REQUIRE(mv.sigmas(0)[0] == doctest::Approx(s0));
  REQUIRE(mv.sigmas(1)[1] == doctest::Approx(10 * s0));
  const Point x{0.3, 7.0};
  const double mv_acq = (s0 * 10 * s0 * trunc_pdf(x[0], 0.2, s0, 0, 1) * trunc_pdf(x[1], 3, 10 * s0, 0, 10) +
                         s0 * 10 * s0 * trunc_pdf(x[0], 0.7, s0, 0, 1) * trunc_pdf(x[1], 6, 10 * s0, 0, 10) +
                         1 * 10 * trunc_pdf(x[0], 0.5, 1, 0, 1) * trunc_pdf(x[1], 5, 10, 0, 10)) / 3;
  CHECK(std::exp(mv.log_acquisition_pdf({x})[0]) == doctest::Approx(mv_acq).epsilon(1e-12));
}

TEST_CASE("tuning: tpe proposes the candidate with the best acquisition ratio, not the best true-density ratio") {
  // One float, 12 complete trials (minimized: the value is the distance to 0.3), so gamma = 2.
  const Space space = Space::parse(json::parse(R"({"x": {"type": "float", "low": 0, "high": 1}})"));
  const std::vector<double> xs{0.11, 0.48, 0.85, 0.22, 0.59, 0.96, 0.33, 0.70, 0.07, 0.44, 0.81, 0.18};
  std::vector<Trial> trials;
  for (size_t i = 0; i < xs.size(); ++i)
    trials.push_back(trial(int64_t(i), TrialState::Complete, std::fabs(xs[i] - 0.3), {{"x", xs[i]}}));
  // The good: 0.22 and 0.33 (chronological); the rest: the other ten, in trial order.
  std::vector<Point> good_obs{{0.22}, {0.33}}, rest_obs;
  for (double x : xs)
    if (x != 0.22 && x != 0.33) rest_obs.push_back({x});
  const Dimension unit{Dimension::Kind::Continuous, 0, 1};
  const ParzenEstimator good({unit}, good_obs, {}), rest({unit}, rest_obs, {});
  const auto argmax = [](const std::vector<double>& l, const std::vector<double>& g) {
    size_t best = 0;
    for (size_t i = 1; i < l.size(); ++i)
      if (l[i] - g[i] > l[best] - g[best]) best = i;
    return best;
  };
  // A seed whose 24 candidates the two scores rank differently: the sampler draws them from
  // l(x) with a fresh generator of that seed, exactly as here.
  int seeds_where_they_differ = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    Rng rng(seed);
    const std::vector<Point> candidates = good.sample(rng, 24);
    const size_t by_acquisition = argmax(good.log_acquisition_pdf(candidates), rest.log_acquisition_pdf(candidates));
    const size_t by_density = argmax(good.log_pdf(candidates), rest.log_pdf(candidates));
    TpeSampler tpe({}, seed);
    const auto proposal = tpe.sample(space, History{trials, Direction::Minimize});
    REQUIRE(proposal);
    CHECK(as_double(proposal->at("x")) == candidates[by_acquisition][0]);
    seeds_where_they_differ += by_acquisition != by_density;
  }
  CHECK(seeds_where_they_differ > 0);
}

TEST_CASE("tuning: tpe parzen estimator smooths categorical counts with the prior") {
  const Dimension three{Dimension::Kind::Categorical, 0, 0, 0, 3};
  // Observations 0, 0, 2; each row gets prior_weight / (n + 1) = 1/4 on every choice plus 1 on
  // its own: (1.25, .25, .25) / 1.75 twice, (.25, .25, 1.25) / 1.75; the prior row is uniform.
  const ParzenEstimator pe({three}, {{0}, {0}, {2}}, {});
  CHECK(pe.choice_probabilities(0)[0][0] == doctest::Approx(1.25 / 1.75));
  CHECK(pe.choice_probabilities(0)[2][1] == doctest::Approx(0.25 / 1.75));
  CHECK(pe.choice_probabilities(0)[3][1] == doctest::Approx(1.0 / 3));
  // Weights 1/4 each: P(1) = (3 * .25/1.75 + 1/3) / 4 = 4/21; P(0) = 10/21; P(2) = 7/21.
  const auto lp = pe.log_pdf({{0}, {1}, {2}});
  CHECK(std::exp(lp[0]) == doctest::Approx(10.0 / 21));
  CHECK(std::exp(lp[1]) == doctest::Approx(4.0 / 21));
  CHECK(std::exp(lp[2]) == doctest::Approx(7.0 / 21));
  // Draws follow those probabilities.
  Rng rng(4);
  int ones = 0;
  for (const Point& x : pe.sample(rng, 21000)) ones += x[0] == 1;
  CHECK(ones == doctest::Approx(4000).epsilon(0.05));
}

TEST_CASE("tuning: tpe multivariate kernels use Scott's rule and multiply over dimensions") {
  const Dimension a{Dimension::Kind::Continuous, 0, 1}, b{Dimension::Kind::Continuous, 0, 10};
  std::vector<Point> obs;
  for (int i = 0; i < 10; ++i) obs.push_back({0.05 + 0.09 * i, 9.5 - 0.8 * i});
  const ParzenEstimator pe({a, b}, obs, {1.0, false, true});
  // sigma0 = 0.2 * 10^(-1/(2 + 4)) = 0.1468, above the clip 1/min(100, 12); scaled by each range.
  const double s0 = 0.2 * std::pow(10.0, -1.0 / 6);
  CHECK(pe.sigmas(0)[3] == doctest::Approx(s0));
  CHECK(pe.sigmas(1)[3] == doctest::Approx(10 * s0));
  CHECK(pe.sigmas(1)[10] == doctest::Approx(10.0));  // the prior
  const Point x{0.3, 7.0};
  double density = trunc_pdf(x[0], 0.5, 1, 0, 1) * trunc_pdf(x[1], 5, 10, 0, 10);  // the prior component
  for (const Point& o : obs) density += trunc_pdf(x[0], o[0], s0, 0, 1) * trunc_pdf(x[1], o[1], 10 * s0, 0, 10);
  CHECK(std::exp(pe.log_pdf({x})[0]) == doctest::Approx(density / 11).epsilon(1e-12));
}

TEST_CASE("tuning: tpe weights and gamma follow Optuna's defaults") {
  CHECK(good_count(0) == 0);
  CHECK(good_count(1) == 1);
  CHECK(good_count(10) == 1);
  CHECK(good_count(11) == 2);
  CHECK(good_count(249) == 25);
  CHECK(good_count(1000) == 25);
  CHECK(default_weights(24) == std::vector<double>(24, 1.0));
  const auto w30 = default_weights(30);  // linspace(1/30, 1, 5), then 25 ones
  REQUIRE(w30.size() == 30);
  CHECK(w30[0] == doctest::Approx(1.0 / 30));
  CHECK(w30[2] == doctest::Approx((1.0 / 30 + 1) / 2));
  CHECK(w30[4] == doctest::Approx(1.0));
  CHECK(w30[29] == 1.0);
  CHECK(default_weights(26)[0] == doctest::Approx(1.0 / 26));  // a one-point linspace is its start
}

TEST_CASE("tuning: tpe ranks complete, then pruned by epoch and value, then diverged, then running") {
  const std::vector<Trial> trials = {
      trial(0, TrialState::Complete, 0.5),
      pruned(1, {0.1, 0.2}),              // reached epoch 2
      trial(2, TrialState::Running, 0),
      pruned(3, {0.3, 0.9, 0.8}),         // reached epoch 3: first of the pruned
      trial(4, TrialState::Failed, 0.99),  // left out
      trial(5, TrialState::Diverged, NAN),
      trial(6, TrialState::Complete, 0.7),
      pruned(7, {0.95, 0.3}),             // epoch 2, better there than trial 1
      pruned(8, {}),                      // never reported: last of the pruned
      trial(9, TrialState::Complete, 0.2),
  };
  const History maximize{trials, Direction::Maximize};
  const Ranking r = rank_trials(maximize, true);
  CHECK(r.order == std::vector<size_t>{6, 0, 9, 3, 7, 1, 8, 5, 2});
  CHECK(r.observations == 7);  // complete and pruned
  CHECK(rank_trials(maximize, false).order == std::vector<size_t>{6, 0, 9, 3, 7, 1, 8, 5});
  // Minimizing turns the values around, but not the epochs.
  CHECK(rank_trials(History{trials, Direction::Minimize}, true).order ==
        std::vector<size_t>{9, 0, 6, 3, 1, 7, 8, 5, 2});

  // gamma(7) = 1: only the best is good; the rest, chronological, is above.
  const Split s = split_trials(maximize, true);
  REQUIRE(s.below.size() == 1);
  CHECK(s.below[0]->id == 6);
  std::vector<int64_t> above;
  for (const Trial* t : s.above) above.push_back(t->id);
  CHECK(above == std::vector<int64_t>{0, 1, 2, 3, 5, 7, 8, 9});

  // 11 observations: gamma = 2, the two best, in chronological order.
  std::vector<Trial> many;
  for (int i = 0; i < 11; ++i) many.push_back(trial(i, TrialState::Complete, i == 3 ? 20 : i == 8 ? 19 : i));
  const Split s2 = split_trials(History{many, Direction::Maximize}, true);
  REQUIRE(s2.below.size() == 2);
  CHECK(s2.below[0]->id == 3);
  CHECK(s2.below[1]->id == 8);
  CHECK(s2.above.size() == 9);
}

TEST_CASE("tuning: tpe models a conditional parameter only from trials where it was active") {
  const Space& space = conditional_space();
  const Parameter* momentum = space.find("momentum");
  REQUIRE(momentum);
  const std::vector<Trial> trials = {
      trial(0, TrialState::Complete, 1, {{"optimizer", "momentum"}, {"momentum", 0.6}}),
      trial(1, TrialState::Complete, 2, {{"optimizer", "adam"}}),
      trial(2, TrialState::Complete, 3, {{"optimizer", "momentum"}, {"momentum", 0.95}}),
      trial(3, TrialState::Complete, 4, {{"optimizer", "sgd"}}),
  };
  std::vector<const Trial*> group;
  for (const Trial& t : trials) group.push_back(&t);
  const auto obs = observations_of({momentum}, group);
  REQUIRE(obs.size() == 2);
  CHECK(obs[0][0] == 0.6);
  CHECK(obs[1][0] == 0.95);
}

TEST_CASE("tuning: tpe proposals on a conditional space always pass Space::check") {
  for (bool multivariate : {false, true}) {
    TpeOptions o;
    o.multivariate = multivariate;
    TpeSampler sampler(o, 17);
    // run() checks every proposal against the space.
    const auto trials = run(sampler, conditional_space(), 40, Direction::Maximize, conditional_objective);
    int with_momentum = 0;
    for (const Trial& t : trials) with_momentum += t.params.count("momentum") > 0;
    CHECK(with_momentum > 0);
    CHECK(with_momentum < 40);
  }
}

TEST_CASE("tuning: tpe beats random search at a fixed budget") {
  // 40 trials (10 random, 30 modelled) of a 4-parameter mixed space, 9 seeds each.
  std::vector<double> random_best, tpe_best, tpe_mv_best;
  for (uint64_t seed = 1; seed <= 9; ++seed) {
    RandomSampler random(seed);
    TpeSampler tpe({}, seed);
    TpeOptions mv;
    mv.multivariate = true;
    TpeSampler tpe_mv(mv, seed);
    random_best.push_back(best_value(run(random, mixed_space(), 40, Direction::Minimize, mixed_objective)));
    tpe_best.push_back(best_value(run(tpe, mixed_space(), 40, Direction::Minimize, mixed_objective)));
    tpe_mv_best.push_back(best_value(run(tpe_mv, mixed_space(), 40, Direction::Minimize, mixed_objective)));
  }
  MESSAGE("median best: random ", median(random_best), ", tpe ", median(tpe_best), ", multivariate ",
          median(tpe_mv_best));
  CHECK(median(tpe_best) < median(random_best));
  CHECK(median(tpe_mv_best) < median(random_best));
}

TEST_CASE("tuning: a tpe sampler restored before every call proposes what an uninterrupted one does") {
  for (bool multivariate : {false, true}) {
    TpeOptions o;
    o.multivariate = multivariate;
    o.n_startup = 5;
    const Space& space = conditional_space();
    TpeSampler uninterrupted(o, 3);
    std::vector<Trial> a, b;
    std::vector<uint8_t> state;
    for (int i = 0; i < 30; ++i) {
      const auto pa = uninterrupted.sample(space, History{a, Direction::Maximize});
      // As the study does: a new sampler per call, restored from the last saved state (another
      // seed than the first call's, so the restored state must override it completely).
      TpeSampler fresh(o, state.empty() ? 3 : 999);
      if (!state.empty()) fresh.restore_state(state);
      const auto pb = fresh.sample(space, History{b, Direction::Maximize});
      state = fresh.save_state();
      REQUIRE(pa);
      REQUIRE(pb);
      CHECK(*pa == *pb);
      // Some pruned and running trials, so every rule of the split is exercised.
      const TrialState st = i % 7 == 3    ? TrialState::Pruned
                            : i % 11 == 5 ? TrialState::Running
                                          : TrialState::Complete;
      Trial t = trial(i, st, conditional_objective(*pa), *pa);
      if (st == TrialState::Pruned) t.epochs[2] = {t.value, 0};
      a.push_back(t);
      b.push_back(t);
    }
    CHECK(uninterrupted.save_state() == state);
  }
}

TEST_CASE("tuning: tpe constant liar steers away from points other workers are running") {
  // One int 0..20; complete trials at every point but 10's neighbourhood is best (maximize).
  const Space space = Space::parse(json::parse(R"({"x": {"type": "int", "low": 0, "high": 20}})"));
  std::vector<Trial> trials;
  for (int x = 0; x <= 20; ++x)
    trials.push_back(trial(x, TrialState::Complete, -std::abs(x - 10), {{"x", int64_t(x)}}));
  int honest_tens = 0;
  for (uint64_t seed = 0; seed < 10; ++seed) {
    TpeOptions liar, honest;
    honest.constant_liar = false;
    std::vector<Trial> busy = trials;
    for (int w = 0; w < 3; ++w)
      busy.push_back(trial(int64_t(busy.size()), TrialState::Running, 0, {{"x", int64_t(10)}}));
    const auto lied = TpeSampler(liar, seed).sample(space, History{busy, Direction::Maximize});
    const auto plain = TpeSampler(honest, seed).sample(space, History{busy, Direction::Maximize});
    REQUIRE(lied);
    REQUIRE(plain);
    CHECK(lied->at("x") != Value(int64_t(10)));
    honest_tens += plain->at("x") == Value(int64_t(10));
  }
  // Without the liar the model keeps proposing the best point: the test above means something.
  CHECK(honest_tens >= 5);
}

TEST_CASE("tuning: tpe options are validated, named, and all part of the config") {
  CHECK(error_of({{"name", "tpe"}, {"n_candidates", 0}}) == "sampler tpe: \"n_candidates\" must be at least 1");
  CHECK(error_of({{"name", "tpe"}, {"n_candidates", 1e9}}).find("\"n_candidates\"") != std::string::npos);
  CHECK(error_of({{"name", "tpe"}, {"n_startup", -1}}).find("\"n_startup\"") != std::string::npos);
  CHECK(error_of({{"name", "tpe"}, {"n_startup", 2.5}}).find("\"n_startup\"") != std::string::npos);
  CHECK(error_of({{"name", "tpe"}, {"prior_weight", 0}}).find("\"prior_weight\"") != std::string::npos);
  CHECK(error_of({{"name", "tpe"}, {"prior_weight", "big"}}).find("\"prior_weight\"") != std::string::npos);
  CHECK(error_of({{"name", "tpe"}, {"multivariate", "yes"}}).find("\"multivariate\"") != std::string::npos);
  CHECK(error_of({{"name", "tpe"}, {"constant_liar", 1}}).find("\"constant_liar\"") != std::string::npos);
  CHECK(error_of({{"name", "tpe"}, {"consider_endpoints", nullptr}}).find("\"consider_endpoints\"") !=
        std::string::npos);
  CHECK(error_of({{"name", "tpe"}, {"n_ei_candidates", 24}}).find("\"n_ei_candidates\"") != std::string::npos);
  for (const json& bad : {json{{"name", "tpe"}, {"n_candidates", 0}}, json{{"name", "tpe"}, {"multivariate", 2}}})
    CHECK(error_of(bad).find('\n') == std::string::npos);

  const auto tpe = make_sampler(json{{"name", "tpe"}, {"n_startup", 4}, {"multivariate", true}}, mixed_space(), 5);
  CHECK(tpe->name() == "tpe");
  CHECK(tpe->config() == json{{"name", "tpe"},
                              {"seed", 5},
                              {"n_startup", 4},
                              {"n_candidates", 24},
                              {"multivariate", true},
                              {"prior_weight", 1.0},
                              {"constant_liar", true},
                              {"consider_endpoints", false}});
  CHECK(make_sampler("tpe", mixed_space(), 0)->config()["n_startup"] == 10);
}
