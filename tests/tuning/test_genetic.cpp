#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "tuning/normalize.hpp"
#include "tuning/samplers/genetic/crossover.hpp"
#include "tuning/samplers/genetic/mutation.hpp"
#include "tuning/samplers/genetic/population.hpp"
#include "tuning/samplers/genetic/selection.hpp"
#include "tuning/samplers/genetic_sampler.hpp"
#include "tuning/samplers/random_sampler.hpp"

using namespace vkt;
using namespace vkt::tune;
using namespace vkt::tune::genetic;
using nlohmann::json;

namespace {

const Space& space() {
  static const Space s = Space::parse(json::parse(R"({
    "lr": {"type": "float", "low": 1e-4, "high": 1e-2, "log": true},
    "hidden": {"type": "int", "low": 64, "high": 256, "step": 32},
    "layers": {"type": "int", "low": 1, "high": 100, "log": true},
    "batch": {"type": "categorical", "choices": [32, 64, 128, 256]},
    "optimizer": {"type": "categorical", "choices": ["adam", "sgd", "momentum"]},
    "momentum": {"type": "float", "low": 0.5, "high": 0.99, "when": {"optimizer": "momentum"}}})"));
  return s;
}

// Every value in bounds and on its grid, and exactly the active parameters present.
void check_valid(const Params& p) { CHECK_NOTHROW(space().check(p)); }

Trial finished(int64_t id, Params params, double value, TrialState state = TrialState::Complete) {
  Trial t;
  t.id = id;
  t.params = std::move(params);
  t.value = value;
  t.state = state;
  return t;
}

}  // namespace

TEST_CASE("tuning: tournament selection prefers the fit and is deterministic") {
  std::vector<Individual> pool;
  for (int i = 0; i < 10; ++i) pool.push_back({i, {}, double(i)});
  Rng rng(1);
  int wins_of_best_half = 0;
  for (int i = 0; i < 2000; ++i) wins_of_best_half += tournament_select(pool, rng).fitness >= 5;
  // P(max of 3 draws >= 5) = 1 - 0.5^3 = 0.875
  CHECK(wins_of_best_half > 1650);
  CHECK(wins_of_best_half < 1850);
  Rng r1(5), r2(5);
  for (int i = 0; i < 20; ++i) CHECK(tournament_select(pool, r1).trial_id == tournament_select(pool, r2).trial_id);
}

TEST_CASE("tuning: crossover stays in bounds, on the step grid, with valid choices and conditions") {
  Rng rng(11);
  for (int i = 0; i < 2000; ++i) {
    const Params a = resolve_conditions(space(), {}, rng);
    const Params b = resolve_conditions(space(), {}, rng);
    const Params child = crossover(space(), a, b, rng);
    check_valid(child);
    // Categoricals come from one of the parents.
    CHECK((values_equal(child.at("batch"), a.at("batch")) || values_equal(child.at("batch"), b.at("batch"))));
  }
  // Identical parents give an identical child: BLX has a zero-width interval.
  const Params p = resolve_conditions(space(), {}, rng);
  CHECK(crossover(space(), p, p, rng) == p);
}

TEST_CASE("tuning: crossover blends numbers inside the widened parent interval") {
  Rng rng(2);
  const Parameter& lr = *space().find("lr");
  Params a{{"lr", 1e-3}, {"hidden", int64_t(64)}, {"layers", int64_t(1)}, {"batch", int64_t(32)}, {"optimizer", std::string("adam")}};
  Params b = a;
  b["lr"] = 2e-3;
  const double ua = to_unit(lr, 1e-3), ub = to_unit(lr, 2e-3), d = ub - ua;
  bool outside_parents = false;
  for (int i = 0; i < 500; ++i) {
    const double u = to_unit(lr, crossover(space(), a, b, rng).at("lr"));
    CHECK(u >= ua - 0.5 * d - 1e-12);
    CHECK(u <= ub + 0.5 * d + 1e-12);
    outside_parents |= u < ua || u > ub;
  }
  CHECK(outside_parents);  // alpha = 0.5 really explores beyond the parents
}

TEST_CASE("tuning: mutation keeps children valid and changes about one parameter in n") {
  Rng rng(3);
  for (int i = 0; i < 2000; ++i) check_valid(mutate(space(), resolve_conditions(space(), {}, rng), rng));

  // Four floats at their midpoints: any mutation changes the value, so we can count them.
  const Space floats = Space::parse(json::parse(R"({
    "a": {"type": "float", "low": 0, "high": 1}, "b": {"type": "float", "low": 0, "high": 1},
    "c": {"type": "float", "low": 0, "high": 1}, "d": {"type": "float", "low": 0, "high": 1}})"));
  const Params mid{{"a", 0.5}, {"b", 0.5}, {"c", 0.5}, {"d", 0.5}};
  const int children = 20000;
  int changed = 0;
  for (int i = 0; i < children; ++i) {
    const Params m = mutate(floats, mid, rng);
    for (const auto& [k, v] : m) changed += std::get<double>(v) != 0.5;
  }
  // Expected 1 per child (4 params x 1/4); binomial sd over 80000 draws ~ 0.003 per child.
  CHECK(double(changed) / children == doctest::Approx(1.0).epsilon(0.03));

  // A categorical mutation always picks another choice.
  const Space cat = Space::parse(json::parse(R"({"o": {"type": "categorical", "choices": ["x", "y", "z"]}})"));
  int moved = 0;
  for (int i = 0; i < 300; ++i) moved += mutate(cat, {{"o", std::string("x")}}, rng).at("o") != Value(std::string("x"));
  CHECK(moved == 300);  // n = 1: rate 1, and never "mutated" to the same choice
}

TEST_CASE("tuning: parent pool keeps the elite unchanged and uses the previous generation") {
  Rng rng(4);
  std::vector<Trial> trials;
  for (int i = 0; i < 12; ++i) trials.push_back(finished(i, resolve_conditions(space(), {}, rng), double(i % 4)));
  trials[1].value = 100;  // generation 0's star
  trials[2].state = TrialState::Failed;
  // Generation 2 (population 4) breeds from generation 1 (ids 4..7) plus the 2 best overall.
  const auto pool = parent_pool(space(), History{trials, Direction::Maximize}, 2, 4, 2);
  std::set<int64_t> ids;
  for (const auto& ind : pool) ids.insert(ind.trial_id);
  CHECK(ids.count(1));                                   // the elite, from an older generation
  for (int64_t id = 4; id < 8; ++id) CHECK(ids.count(id));
  for (const auto& ind : pool)
    if (ind.trial_id == 1) {
      CHECK(ind.params == trials[1].params);  // unchanged
      CHECK(ind.fitness == 100);
    }
  // Elite 2 = ids 1 (100) and 3 (value 3, the lowest id of the ties): 4 + 2 individuals.
  CHECK(ids.count(3));
  CHECK(pool.size() == 6);

  // Minimizing turns fitness around: the lowest value is the elite.
  const auto min_pool = parent_pool(space(), History{trials, Direction::Minimize}, 2, 4, 1);
  bool has_zero_from_gen0 = false;
  for (const auto& ind : min_pool) has_zero_from_gen0 |= ind.trial_id == 0 && ind.fitness == 0;
  CHECK(has_zero_from_gen0);
}

namespace {

// A smooth objective with its peak at lr = 1e-3, hidden = 160.
double synthetic(const Params& p) {
  const double lr = std::get<double>(p.at("lr"));
  const double hidden = double(std::get<int64_t>(p.at("hidden")));
  return -std::pow(std::log10(lr) + 3, 2) - std::pow((hidden - 160) / 100, 2);
}

double best_after(Sampler& sampler, const Space& s, int budget) {
  std::vector<Trial> trials;
  double best = -1e9;
  for (int i = 0; i < budget; ++i) {
    const Params p = *sampler.sample(s, History{trials, Direction::Maximize});
    const double v = synthetic(p);
    best = std::max(best, v);
    trials.push_back(finished(i, p, v));
  }
  return best;
}

}  // namespace

TEST_CASE("tuning: genetic sampler is deterministic and beats random on a smooth objective") {
  const Space s = Space::parse(json::parse(R"({
    "lr": {"type": "float", "low": 1e-5, "high": 1e-1, "log": true},
    "hidden": {"type": "int", "low": 16, "high": 1024, "step": 8}})"));
  GeneticOptions options;
  options.population = 10;
  {
    GeneticSampler a(options, 1), b(options, 1);
    std::vector<Trial> ta, tb;
    for (int i = 0; i < 40; ++i) {
      const Params pa = *a.sample(s, History{ta, Direction::Maximize});
      const Params pb = *b.sample(s, History{tb, Direction::Maximize});
      CHECK(pa == pb);
      ta.push_back(finished(i, pa, synthetic(pa)));
      tb.push_back(finished(i, pb, synthetic(pb)));
    }
  }
  // Over 10 seeds and 60 trials each, the GA's mean best must not be worse than random's,
  // and it must win on most seeds. Random's best regret here is typically ~0.02-0.1.
  double ga_sum = 0, random_sum = 0;
  int ga_wins = 0;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    GeneticSampler ga(options, seed);
    RandomSampler rnd(seed);
    const double g = best_after(ga, s, 60), r = best_after(rnd, s, 60);
    ga_sum += g;
    random_sum += r;
    ga_wins += g >= r;
  }
  MESSAGE("mean best: genetic " << ga_sum / 10 << ", random " << random_sum / 10 << ", GA wins " << ga_wins);
  CHECK(ga_sum >= random_sum);
  CHECK(ga_wins >= 6);
}

TEST_CASE("tuning: genetic sampler state resumes the same sequence") {
  GeneticOptions options;
  options.population = 4;
  GeneticSampler a(options, 9);
  std::vector<Trial> trials;
  std::vector<uint8_t> state_at_6;
  std::vector<Params> tail;
  for (int i = 0; i < 12; ++i) {
    if (i == 6) state_at_6 = a.save_state();
    const Params p = *a.sample(space(), History{trials, Direction::Maximize});
    check_valid(p);
    if (i >= 6) tail.push_back(p);
    trials.push_back(finished(i, p, double(i * 7 % 5)));
  }
  GeneticSampler b(options, 12345);
  b.restore_state(state_at_6);
  std::vector<Trial> prefix(trials.begin(), trials.begin() + 6);
  for (int i = 6; i < 12; ++i) {
    CHECK(*b.sample(space(), History{prefix, Direction::Maximize}) == tail[size_t(i - 6)]);
    prefix.push_back(trials[size_t(i)]);
  }
}
