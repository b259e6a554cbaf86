#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>

#include "tuning/normalize.hpp"
#include "tuning/samplers/factory.hpp"
#include "tuning/samplers/gp/acquisition.hpp"
#include "tuning/samplers/gp/encoding.hpp"
#include "tuning/samplers/gp/gaussian_process.hpp"
#include "tuning/samplers/gp/hyperparameter_fit.hpp"
#include "tuning/samplers/gp/log_h.hpp"
#include "tuning/samplers/gp_sampler.hpp"
#include "tuning/samplers/random_sampler.hpp"
#include "util/error.hpp"

using namespace vkt;
using namespace vkt::tune;
using namespace vkt::tune::gp;
using nlohmann::json;

namespace {

// n random points in [0,1]^dim with values of a smooth function, for the gradient checks.
Observations random_observations(size_t n, size_t dim, uint64_t seed) {
  Rng rng(seed);
  Observations obs(dim);
  for (size_t i = 0; i < n; ++i) {
    std::vector<double> x(dim);
    for (double& v : x) v = rng.uniform();
    double y = 0;
    for (size_t d = 0; d < dim; ++d) y += std::sin(3.0 * x[d] + double(d));
    obs.add(x, y + 0.05 * rng.normal());
  }
  return obs;
}

// Central differences of f at x, one coordinate at a time.
std::vector<double> numeric_gradient(const std::function<double(std::span<const double>)>& f, std::vector<double> x,
                                     double h) {
  std::vector<double> g(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const double keep = x[i];
    x[i] = keep + h;
    const double up = f(x);
    x[i] = keep - h;
    const double down = f(x);
    x[i] = keep;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

void check_gradient(std::span<const double> analytic, std::span<const double> numeric, double tolerance) {
  REQUIRE(analytic.size() == numeric.size());
  for (size_t i = 0; i < analytic.size(); ++i) {
    INFO("coordinate " << i << ": analytic " << analytic[i] << ", numeric " << numeric[i]);
    CHECK(std::abs(analytic[i] - numeric[i]) <= tolerance * std::max(1.0, std::abs(numeric[i])));
  }
}

Trial make_trial(int64_t id, Params params, TrialState state, double value = 0) {
  Trial t;
  t.id = id;
  t.params = std::move(params);
  t.state = state;
  t.value = value;
  return t;
}

// Two workers: each proposal sees the previous trial still Running; every fifth trial ends
// Pruned and every seventh Failed, the rest Complete with objective(params). `propose` gives
// the next params for a history.
using Propose = std::function<Params(const History&)>;
std::vector<Trial> simulate(const Propose& propose, int n, const std::function<double(const Params&)>& objective,
                            Direction direction = Direction::Maximize) {
  std::vector<Trial> trials;
  for (int i = 0; i < n; ++i) {
    Params p = propose(History{trials, direction});
    if (!trials.empty()) {
      Trial& last = trials.back();
      last.state = last.id % 5 == 4 ? TrialState::Pruned : last.id % 7 == 6 ? TrialState::Failed : TrialState::Complete;
      last.value = objective(last.params);
    }
    trials.push_back(make_trial(i, std::move(p), TrialState::Running));
  }
  return trials;
}

// Sequential, every trial Complete; returns the best value found.
double best_after(Sampler& sampler, const Space& space, int n, const std::function<double(const Params&)>& objective) {
  std::vector<Trial> trials;
  double best = -INFINITY;
  for (int i = 0; i < n; ++i) {
    const Params p = *sampler.sample(space, History{trials, Direction::Maximize});
    const double v = objective(p);
    best = std::max(best, v);
    trials.push_back(make_trial(i, p, TrialState::Complete, v));
  }
  return best;
}

const Space& conditional_space() {
  static const Space space = Space::parse(json::parse(R"({
    "lr": {"type": "float", "low": 1e-4, "high": 1e-1, "log": true},
    "hidden": {"type": "int", "low": 16, "high": 512, "step": 16},
    "layers": {"type": "int", "low": 1, "high": 64, "log": true},
    "optimizer": {"type": "categorical", "choices": ["adam", "sgd", "momentum"]},
    "momentum": {"type": "float", "low": 0.5, "high": 0.99, "when": {"optimizer": "momentum"}},
    "nesterov": {"type": "categorical", "choices": [true, false], "when": {"optimizer": "momentum"}},
    "dropout": 0.2})"));
  return space;
}

// Best with momentum near 0.9 and nesterov; lr near 3e-3 for every optimizer.
double conditional_objective(const Params& p) {
  const Space& s = conditional_space();
  double v = -std::pow(to_unit(*s.find("lr"), p.at("lr")) - 0.65, 2) -
             std::pow(to_unit(*s.find("hidden"), p.at("hidden")) - 0.4, 2);
  const std::string optimizer = std::get<std::string>(p.at("optimizer"));
  if (optimizer == "sgd") v -= 0.3;
  if (optimizer == "adam") v -= 0.1;
  if (optimizer == "momentum") {
    v -= std::pow(std::get<double>(p.at("momentum")) - 0.9, 2);
    if (!std::get<bool>(p.at("nesterov"))) v -= 0.05;
  }
  return v;
}

}  // namespace

TEST_CASE("tuning: gp posterior matches a hand-computed 1-D case (RBF, two points)") {
  const double l = 0.3, s = 1.5, noise = 0.01;
  const double x1 = 0.2, x2 = 0.6, y1 = 1.0, y2 = -0.5, xs = 0.35;
  Observations obs(1);
  obs.add(std::vector{x1}, y1);
  obs.add(std::vector{x2}, y2);
  const std::vector<double> theta{std::log(l), std::log(s), std::log(noise)};
  const GaussianProcess gp(KernelKind::Rbf, theta, obs);

  const auto k = [&](double a, double b) { return s * std::exp(-(a - b) * (a - b) / (2 * l * l)); };
  // K = [[s + noise, k12], [k12, s + noise]]; its inverse by the 2x2 formula.
  const double d = s + noise, k12 = k(x1, x2), det = d * d - k12 * k12;
  const double inv[2][2] = {{d / det, -k12 / det}, {-k12 / det, d / det}};
  const double ks[2] = {k(xs, x1), k(xs, x2)};
  const double y[2] = {y1, y2};
  double mean = 0, explained = 0;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) {
      mean += ks[i] * inv[i][j] * y[j];
      explained += ks[i] * inv[i][j] * ks[j];
    }
  const Posterior p = gp.posterior(std::vector{xs});
  CHECK(p.mean == doctest::Approx(mean).epsilon(1e-12));
  CHECK(p.variance == doctest::Approx(s - explained).epsilon(1e-12));

  // The batch path and the gradient path agree with the single one.
  Points batch(1);
  batch.add(std::vector{xs});
  batch.add(std::vector{0.9});
  const auto both = gp.posterior_batch(batch);
  CHECK(both[0].mean == doctest::Approx(mean).epsilon(1e-12));
  CHECK(both[0].variance == doctest::Approx(s - explained).epsilon(1e-12));
  std::vector<double> dm(1), dv(1);
  const Posterior with_gradient = gp.posterior(std::vector{0.9}, dm, dv);
  CHECK(with_gradient.mean == doctest::Approx(both[1].mean).epsilon(1e-12));
  CHECK(with_gradient.variance == doctest::Approx(both[1].variance).epsilon(1e-12));

  // log p(y) = -1/2 y^T K^-1 y - 1/2 log det K - log 2 pi (n = 2).
  double quad = 0;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) quad += y[i] * inv[i][j] * y[j];
  const double lml = -0.5 * quad - 0.5 * std::log(det) - std::log(2 * std::numbers::pi);
  CHECK(log_marginal_likelihood(KernelKind::Rbf, obs, theta) == doctest::Approx(lml).epsilon(1e-12));

  // Matern-5/2 at r = 1 (distance = length scale): s (1 + sqrt5 + 5/3) exp(-sqrt5).
  const Kernel matern(KernelKind::Matern52, theta, 1);
  CHECK(matern(std::vector{0.0}, std::vector{l}) ==
        doctest::Approx(s * (1 + std::sqrt(5.0) + 5.0 / 3.0) * std::exp(-std::sqrt(5.0))).epsilon(1e-12));
}

TEST_CASE("tuning: gp log marginal likelihood gradient matches central differences") {
  const Observations obs = random_observations(9, 3, 4);
  Rng rng(17);
  for (const KernelKind kind : {KernelKind::Matern52, KernelKind::Rbf}) {
    for (int point = 0; point < 4; ++point) {
      std::vector<double> theta(theta_size(3));
      for (size_t i = 0; i < 3; ++i) theta[i] = std::log(rng.uniform(0.1, 2.0));
      theta[signal_index(3)] = std::log(rng.uniform(0.3, 3.0));
      theta[noise_index(3)] = std::log(rng.uniform(1e-3, 0.3));
      INFO("kernel " << (kind == KernelKind::Rbf ? "rbf" : "matern52") << ", point " << point);
      std::vector<double> analytic(theta.size());
      log_marginal_likelihood(kind, obs, theta, analytic);
      const auto lml = [&](std::span<const double> t) { return log_marginal_likelihood(kind, obs, t); };
      check_gradient(analytic, numeric_gradient(lml, theta, 1e-5), 1e-6);
      // The fit's objective adds the priors; its gradient must hold too.
      log_posterior(kind, obs, theta, analytic);
      const auto posterior = [&](std::span<const double> t) { return log_posterior(kind, obs, t); };
      check_gradient(analytic, numeric_gradient(posterior, theta, 1e-5), 1e-6);
    }
  }
}

TEST_CASE("tuning: gp acquisition x-gradient matches central differences") {
  const Observations obs = random_observations(10, 3, 8);
  const double best = *std::max_element(obs.y.begin(), obs.y.end());
  Rng rng(3);
  for (const KernelKind kind : {KernelKind::Matern52, KernelKind::Rbf}) {
    const GaussianProcess gp(kind, {std::log(0.4), std::log(0.7), std::log(0.3), 0.0, std::log(1e-3)}, obs);
    for (const AcquisitionKind a : {AcquisitionKind::LogEi, AcquisitionKind::Ucb}) {
      const Acquisition acquisition{a, best, 2.0};
      for (int point = 0; point < 5; ++point) {
        std::vector<double> x{rng.uniform(0.05, 0.95), rng.uniform(0.05, 0.95), rng.uniform(0.05, 0.95)};
        INFO("kernel " << int(kind) << ", acquisition " << int(a) << ", x " << x[0] << " " << x[1] << " " << x[2]);
        std::vector<double> analytic(3);
        const double value = acquisition.at(gp, x, analytic);
        CHECK(std::isfinite(value));
        CHECK(value == doctest::Approx(acquisition.at(gp, x)).epsilon(1e-12));
        const auto f = [&](std::span<const double> p) { return acquisition.at(gp, p); };
        check_gradient(analytic, numeric_gradient(f, x, 1e-6), 1e-5);
      }
    }
  }
}

TEST_CASE("tuning: log EI agrees with log(EI) where EI is representable and stays finite where it underflows") {
  // Reference h(z) = phi(z) + z Phi(z) in long double, accurate down to z = -25.
  const auto reference = [](long double z) {
    const long double phi = std::exp(-z * z / 2) / std::sqrt(2 * std::numbers::pi_v<long double>);
    return std::log(phi + z * std::erfc(-z / std::numbers::sqrt2_v<long double>) / 2);
  };
  for (double z = -25; z <= 10; z += 0.25) {
    INFO("z = " << z);
    CHECK(log_h(z) == doctest::Approx(double(reference(z))).epsilon(1e-10));
  }
  // Where double EI underflows (-inf or nan), log_h keeps decreasing and follows the
  // asymptote h(z) ~ phi(z)/z^2 (1 - 3/z^2 + 15/z^4).
  double previous = log_h(-30);
  for (const double z : {-40.0, -100.0, -1e3, -1e5, -1e7, -1e9, -1e12}) {
    INFO("z = " << z);
    const double naive =
        std::log(std::exp(-z * z / 2) / std::sqrt(2 * std::numbers::pi) + z * 0.5 * std::erfc(-z / std::sqrt(2.0)));
    CHECK_FALSE(std::isfinite(naive));
    const double value = log_h(z);
    REQUIRE(std::isfinite(value));
    CHECK(value < previous);
    previous = value;
    const double asymptote = -z * z / 2 - 0.5 * std::log(2 * std::numbers::pi) - 2 * std::log(-z) +
                            std::log1p(-3 / (z * z) + 15 / (z * z * z * z));
    CHECK(value == doctest::Approx(asymptote).epsilon(1e-9));
    CHECK(std::isfinite(log_h_slope(z)));
  }
  // No jumps where the formula changes branch, nor where erfcx does.
  CHECK(log_h(-1 - 1e-12) == doctest::Approx(log_h(-1 + 1e-12)).epsilon(1e-10));
  const double far = -1 / std::sqrt(std::numeric_limits<double>::epsilon());
  CHECK(log_h(far * (1 + 1e-12)) == doctest::Approx(log_h(far * (1 - 1e-12))).epsilon(1e-10));
  CHECK(erfcx(26 - 1e-12) == doctest::Approx(erfcx(26 + 1e-12)).epsilon(1e-13));
  // The slope is the derivative, in every branch.
  for (const double z : {3.0, 0.0, -0.5, -2.0, -10.0, -30.0, -200.0}) {
    INFO("z = " << z);
    const double h = 1e-6 * std::max(1.0, std::abs(z));
    CHECK(log_h_slope(z) == doctest::Approx((log_h(z + h) - log_h(z - h)) / (2 * h)).epsilon(1e-6));
  }
}

TEST_CASE("tuning: gp sampler beats random on a smooth 3-D objective at 30 trials") {
  const Space space = Space::parse(json::parse(R"({
    "lr": {"type": "float", "low": 1e-4, "high": 1e-1, "log": true},
    "hidden": {"type": "int", "low": 16, "high": 512, "step": 16},
    "dropout": {"type": "float", "low": 0.0, "high": 0.5}})"));
  // A smooth bowl with its peak (value 0) inside the box, away from the corners.
  const auto objective = [&](const Params& p) {
    const double a = to_unit(*space.find("lr"), p.at("lr")) - 0.62;
    const double b = to_unit(*space.find("hidden"), p.at("hidden")) - 0.3;
    const double c = to_unit(*space.find("dropout"), p.at("dropout")) - 0.45;
    return -(a * a + b * b + c * c + a * b);
  };
  std::vector<double> gp_regret, random_regret;
  for (uint64_t seed = 1; seed <= 7; ++seed) {
    GpSampler gp(GpOptions{}, seed);
    RandomSampler random(seed);
    gp_regret.push_back(-best_after(gp, space, 30, objective));
    random_regret.push_back(-best_after(random, space, 30, objective));
  }
  std::sort(gp_regret.begin(), gp_regret.end());
  std::sort(random_regret.begin(), random_regret.end());
  MESSAGE("median regret after 30 trials: gp " << gp_regret[3] << ", random " << random_regret[3]);
  CHECK(gp_regret[3] < 0.1 * random_regret[3]);
}

TEST_CASE("tuning: gp sampler resumed between every call proposes what an uninterrupted one does") {
  const Space& space = conditional_space();
  GpOptions options;
  options.n_startup = 5;
  options.n_candidates = 256;
  SUBCASE("matern52, log_ei") {}
  SUBCASE("rbf, ucb") {
    options.kernel = KernelKind::Rbf;
    options.acquisition = AcquisitionKind::Ucb;
  }
  GpSampler uninterrupted(options, 21);
  const auto a = simulate([&](const History& h) { return *uninterrupted.sample(space, h); }, 16, conditional_objective);

  std::vector<uint8_t> state = GpSampler(options, 21).save_state();
  const auto b = simulate(
      [&](const History& h) {
        GpSampler fresh(options, 999);  // another seed: the restored state must decide everything
        fresh.restore_state(state);
        Params p = *fresh.sample(space, h);
        state = fresh.save_state();
        return p;
      },
      16, conditional_objective);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) CHECK(a[i].params == b[i].params);
  CHECK(state == uninterrupted.save_state());
  CHECK(a[14].params != a[15].params);
}

TEST_CASE("tuning: gp proposals with categoricals and conditional params always pass Space::check") {
  const Space& space = conditional_space();
  GpOptions options;
  options.n_startup = 6;
  options.n_candidates = 512;
  GpSampler sampler(options, 5);
  int with_momentum = 0, without = 0;
  simulate(
      [&](const History& h) {
        Params p = *sampler.sample(space, h);
        CHECK_NOTHROW(space.check(p));
        if (h.trials.size() >= 10) (p.count("momentum") ? with_momentum : without) += 1;
        return p;
      },
      30, conditional_objective);
  // Both branches come out of the model (not just the random startup), so decoding was checked
  // with the conditional parameters active and inactive.
  MESSAGE("modelled proposals with momentum active: " << with_momentum << ", inactive: " << without);
  CHECK(with_momentum > 0);
  CHECK(without > 0);

  // Only categoricals: nothing for L-BFGS to move, the candidates decide.
  const Space choices = Space::parse(json::parse(R"({
    "a": {"type": "categorical", "choices": ["x", "y", "z"]},
    "b": {"type": "categorical", "choices": [1, 2], "when": {"a": ["x", "y"]}}})"));
  GpSampler categorical(options, 6);
  simulate(
      [&](const History& h) {
        Params p = *categorical.sample(choices, h);
        CHECK_NOTHROW(choices.check(p));
        return p;
      },
      12, [](const Params& p) { return std::get<std::string>(p.at("a")) == "y" ? 1.0 : 0.0; });
}

TEST_CASE("tuning: gp kriging believer steers the next proposal away from a running trial") {
  const Space space = Space::parse(json::parse(R"({
    "x": {"type": "float", "low": 0.0, "high": 1.0},
    "y": {"type": "float", "low": 0.0, "high": 1.0}})"));
  const auto objective = [](const Params& p) {
    const double a = std::get<double>(p.at("x")) - 0.3, b = std::get<double>(p.at("y")) - 0.6;
    return -(a * a + b * b);
  };
  const auto distance = [](const Params& a, const Params& b) {
    return std::hypot(std::get<double>(a.at("x")) - std::get<double>(b.at("x")),
                      std::get<double>(a.at("y")) - std::get<double>(b.at("y")));
  };
  GpOptions options;
  options.n_startup = 8;
  std::vector<double> moved;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    GpSampler sampler(options, seed);
    std::vector<Trial> trials;
    for (int i = 0; i < 10; ++i) {
      const Params p = *sampler.sample(space, History{trials, Direction::Maximize});
      trials.push_back(make_trial(i, p, TrialState::Complete, objective(p)));
    }
    const std::vector<uint8_t> state = sampler.save_state();

    // The proposal the sampler would make; then the same draw with it already running elsewhere.
    const Params first = *sampler.sample(space, History{trials, Direction::Maximize});
    std::vector<Trial> with_running = trials;
    with_running.push_back(make_trial(10, first, TrialState::Running));
    sampler.restore_state(state);
    const Params second = *sampler.sample(space, History{with_running, Direction::Maximize});
    moved.push_back(distance(first, second));
    CHECK(moved.back() > 1e-3);
    sampler.restore_state(state);
    CHECK(*sampler.sample(space, History{trials, Direction::Maximize}) == first);  // the running trial made it

    // A running trial at the incumbent: the next proposal is elsewhere.
    const Trial& incumbent = *best_trial(trials, Direction::Maximize);
    std::vector<Trial> at_incumbent = trials;
    at_incumbent.push_back(make_trial(10, incumbent.params, TrialState::Running));
    sampler.restore_state(state);
    CHECK(distance(*sampler.sample(space, History{at_incumbent, Direction::Maximize}), incumbent.params) > 1e-3);
  }
  // Early on the believed point removes most of the acquisition around it. (Once the model is
  // sure of the optimum, the next point can be as close as the learned noise lets it.)
  std::sort(moved.begin(), moved.end());
  MESSAGE("distance from the running trial's point: " << moved[0] << " " << moved[1] << " " << moved[2]);
  CHECK(moved[1] > 0.05);
}

TEST_CASE("tuning: gp sampler options: defaults in config, bad values named in one line") {
  const Space space = Space::parse(json::parse(R"({"x": {"type": "float", "low": 0, "high": 1}})"));
  const json defaults = make_sampler("gp", space, 3)->config();
  CHECK(defaults == json{{"name", "gp"},      {"seed", 3},          {"n_startup", 10},        {"kernel", "matern52"},
                         {"acquisition", "log_ei"}, {"beta", 2.0}, {"n_candidates", 2048}, {"n_restarts", 5}});
  const json custom = make_sampler(json{{"name", "gp"}, {"kernel", "rbf"}, {"acquisition", "ucb"}, {"beta", 0.5},
                                        {"n_startup", 0}, {"n_candidates", 64}, {"n_restarts", 1}},
                                   space, 3)
                          ->config();
  CHECK(custom["kernel"] == "rbf");
  CHECK(custom["acquisition"] == "ucb");
  CHECK(custom["beta"] == 0.5);
  CHECK(custom["n_startup"] == 0);
  CHECK(custom["n_candidates"] == 64);
  CHECK(custom["n_restarts"] == 1);
  // As read from a settings file (non-negative integers parse as unsigned).
  const json parsed = json::parse(R"({"name": "gp", "n_startup": 3, "n_candidates": 100, "beta": 4})");
  CHECK(make_sampler(parsed, space, 3)->config()["n_candidates"] == 100);

  const std::vector<std::pair<json, std::string>> bad = {
      {{{"kernel", "linear"}}, "\"kernel\" must be matern52 or rbf"},
      {{{"kernel", 1}}, "\"kernel\""},
      {{{"acquisition", "ei"}}, "\"acquisition\" must be log_ei or ucb"},
      {{{"beta", -1}}, "\"beta\""},
      {{{"beta", "big"}}, "\"beta\""},
      {{{"n_startup", -1}}, "\"n_startup\""},
      {{{"n_startup", 2.5}}, "\"n_startup\""},
      {{{"n_candidates", 0}}, "\"n_candidates\""},
      {{{"n_restarts", 0}}, "\"n_restarts\""},
      {{{"n_restarts", "5"}}, "\"n_restarts\""},
      {{{"n_candidates", 1000000000}}, "\"n_candidates\" must be at most"},
      {{{"n_restarts", 100000}}, "\"n_restarts\" must be at most"},
      {{{"n_startps", 5}}, "unknown option \"n_startps\""},
  };
  for (const auto& [options, expected] : bad) {
    json config = options;
    config["name"] = "gp";
    INFO(config.dump());
    try {
      make_sampler(config, space, 0);
      FAIL("expected InputError");
    } catch (const InputError& e) {
      const std::string message = e.what();
      CHECK(message.find(expected) != std::string::npos);
      CHECK(message.find("sampler gp") != std::string::npos);
      CHECK(message.find('\n') == std::string::npos);
    }
  }
}
