#include <doctest/doctest.h>

#include <set>

#include "tuning/pruners/factory.hpp"
#include "tuning/samplers/factory.hpp"
#include "tuning/samplers/grid_sampler.hpp"
#include "tuning/samplers/random_sampler.hpp"
#include "util/error.hpp"

using namespace vkt;
using namespace vkt::tune;
using nlohmann::json;

namespace {

const Space& conditional_space() {
  static const Space space = Space::parse(json::parse(R"({
    "lr": {"type": "float", "low": 1e-4, "high": 1e-2, "log": true, "count": 3},
    "hidden": {"type": "int", "low": 64, "high": 128, "step": 32},
    "optimizer": {"type": "categorical", "choices": ["adam", "sgd", "momentum"]},
    "momentum": {"type": "float", "low": 0.5, "high": 0.9, "values": [0.5, 0.9], "when": {"optimizer": "momentum"}},
    "nesterov": {"type": "categorical", "choices": [true, false], "when": {"optimizer": "momentum"}},
    "dropout": 0.2})"));
  return space;
}

std::vector<Params> draw(Sampler& sampler, const Space& space, int n) {
  std::vector<Trial> trials;
  std::vector<Params> out;
  for (int i = 0; i < n; ++i) {
    auto p = sampler.sample(space, History{trials, Direction::Maximize});
    REQUIRE(p);
    out.push_back(*p);
  }
  return out;
}

}  // namespace

TEST_CASE("tuning: random sampler is deterministic per seed and valid") {
  const Space& space = conditional_space();
  RandomSampler a(7), b(7), c(8);
  const auto sa = draw(a, space, 50), sb = draw(b, space, 50), sc = draw(c, space, 50);
  CHECK(sa == sb);
  CHECK(sa != sc);
  bool saw_momentum = false, saw_other = false;
  for (const Params& p : sa) {
    CHECK_NOTHROW(space.check(p));
    (p.count("momentum") ? saw_momentum : saw_other) = true;
  }
  CHECK(saw_momentum);
  CHECK(saw_other);
}

TEST_CASE("tuning: random sampler state save/restore continues the sequence") {
  const Space& space = conditional_space();
  RandomSampler a(3);
  draw(a, space, 5);
  const auto state = a.save_state();
  const auto rest = draw(a, space, 5);
  RandomSampler b(99);  // another seed: restore must override it completely
  b.restore_state(state);
  CHECK(draw(b, space, 5) == rest);
  CHECK_THROWS_AS(b.restore_state(std::vector<uint8_t>(5)), Error);
}

TEST_CASE("tuning: grid enumerates exactly the product, conditionals only under their condition") {
  const Space& space = conditional_space();
  // lr 3 x hidden 3 x (adam + sgd + momentum x momentum 2 x nesterov 2) = 9 x 6 = 54
  const auto grid = enumerate_grid(space);
  CHECK(grid.size() == 54);
  std::set<std::string> distinct;
  for (const Params& p : grid) {
    CHECK_NOTHROW(space.check(p));
    distinct.insert(params_to_json(p).dump());
  }
  CHECK(distinct.size() == grid.size());

  GridSampler sampler;
  std::vector<Trial> none;
  std::vector<Params> seen;
  while (auto p = sampler.sample(space, History{none, Direction::Maximize})) seen.push_back(*p);
  CHECK(seen == grid);  // same order, then exhausted
  CHECK_FALSE(sampler.sample(space, History{none, Direction::Maximize}));

  GridSampler resumed;
  GridSampler first;
  for (int i = 0; i < 10; ++i) first.sample(space, History{none, Direction::Maximize});
  resumed.restore_state(first.save_state());
  CHECK(*resumed.sample(space, History{none, Direction::Maximize}) == grid[10]);
}

TEST_CASE("tuning: grid refuses a float without values or count, naming it") {
  const Space space = Space::parse(json::parse(R"({"lr": {"type": "float", "low": 0.1, "high": 0.5}})"));
  try {
    make_sampler("grid", space, 0);
    FAIL("expected InputError");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("'lr'") != std::string::npos);
  }
  CHECK_THROWS_AS(make_sampler("bayes", space, 0), InputError);
  CHECK_THROWS_AS(make_sampler(json{{"name", "genetic"}, {"populaton", 4}}, space, 0), InputError);
  CHECK(make_sampler(json{{"name", "genetic"}, {"population", 4}}, space, 0)->config()["population"] == 4);
}

TEST_CASE("tuning: a huge sampler or pruner name is quoted shortened, in one short line") {
  const Space space = Space::parse(json::parse(R"({"x": {"type": "float", "low": 0, "high": 1}})"));
  const std::string huge(100000, '[');
  for (int which = 0; which < 2; ++which) {
    try {
      if (which == 0)
        make_sampler(huge, space, 0);
      else
        make_pruner(huge, 3);
      FAIL("expected InputError");
    } catch (const InputError& e) {
      const std::string message = e.what();
      CHECK(message.size() < 200);
      CHECK(message.find("[[[...") != std::string::npos);
      CHECK(message.find('\n') == std::string::npos);
    }
  }
}
