#include <doctest/doctest.h>

#include <cmath>

#include "tuning/pruners/asha_pruner.hpp"
#include "tuning/pruners/factory.hpp"
#include "tuning/pruners/median_pruner.hpp"
#include "util/error.hpp"

using namespace vkt;
using namespace vkt::tune;

namespace {

Trial with_curve(int64_t id, TrialState state, std::vector<double> values) {
  Trial t;
  t.id = id;
  t.state = state;
  for (size_t e = 0; e < values.size(); ++e) t.epochs[int(e) + 1] = {values[e], 0};
  if (!values.empty()) t.value = values.back();
  return t;
}

}  // namespace

TEST_CASE("tuning: median pruner prunes below the median after startup and warmup") {
  std::vector<Trial> trials = {
      with_curve(0, TrialState::Complete, {0.5, 0.6, 0.7}),
      with_curve(1, TrialState::Complete, {0.4, 0.5, 0.6}),
      with_curve(2, TrialState::Complete, {0.6, 0.7, 0.8}),
      with_curve(3, TrialState::Pruned, {0.99}),  // pruned trials do not count toward the median
      with_curve(4, TrialState::Running, {0.3}),  // the trial being judged
  };
  const History max{trials, Direction::Maximize};
  MedianPruner pruner({/*n_startup_trials=*/3, /*n_warmup_epochs=*/0});
  // Median at epoch 1 of trials 0..2 is 0.5.
  CHECK(pruner.should_prune(4, 1, 0.3, max));
  CHECK_FALSE(pruner.should_prune(4, 1, 0.5, max));  // equal to the median is not worse
  CHECK_FALSE(pruner.should_prune(4, 1, 0.55, max));
  CHECK(pruner.should_prune(4, 1, std::nan(""), max));

  // Running trials count too: add a running trial at 0.1 and 0.2, the median drops to 0.45.
  trials.push_back(with_curve(5, TrialState::Running, {0.1}));
  CHECK_FALSE(pruner.should_prune(4, 1, 0.46, History{trials, Direction::Maximize}));
  CHECK(pruner.should_prune(4, 1, 0.44, History{trials, Direction::Maximize}));
  trials.pop_back();

  // Minimizing: a loss above the median is worse.
  CHECK(pruner.should_prune(4, 1, 0.55, History{trials, Direction::Minimize}));
  CHECK_FALSE(pruner.should_prune(4, 1, 0.45, History{trials, Direction::Minimize}));

  MedianPruner warm({3, 1});
  CHECK_FALSE(warm.should_prune(4, 1, 0.0, max));  // epoch 1 is warmup
  CHECK(warm.should_prune(4, 2, 0.0, max));
  MedianPruner startup({4, 0});
  CHECK_FALSE(startup.should_prune(4, 1, 0.0, max));  // only 3 complete trials
  // No other trial reached epoch 5: nothing to compare with.
  CHECK_FALSE(pruner.should_prune(4, 5, 0.0, max));
}

TEST_CASE("tuning: ASHA rungs and promotion of the top 1/eta") {
  AshaPruner asha({/*min_epochs=*/1, /*eta=*/3});
  CHECK(asha.is_rung(1));
  CHECK(asha.is_rung(3));
  CHECK(asha.is_rung(9));
  CHECK_FALSE(asha.is_rung(2));
  CHECK_FALSE(asha.is_rung(6));

  // Nine trials recorded at rung 1 with values 0.1..0.9; the top third is 0.7, 0.8, 0.9.
  std::vector<Trial> trials;
  for (int i = 0; i < 9; ++i) trials.push_back(with_curve(i, TrialState::Running, {0.1 * (i + 1)}));
  const History max{trials, Direction::Maximize};
  CHECK(asha.should_prune(5, 1, 0.6, max));
  CHECK_FALSE(asha.should_prune(6, 1, 0.7, max));
  CHECK_FALSE(asha.should_prune(8, 1, 0.9, max));
  CHECK_FALSE(asha.should_prune(5, 2, 0.01, max));  // epoch 2 is not a rung
  // Minimizing: the three lowest survive.
  const History min{trials, Direction::Minimize};
  CHECK_FALSE(asha.should_prune(2, 1, 0.3, min));
  CHECK(asha.should_prune(3, 1, 0.4, min));

  // The first trial at a rung is alone and best: it always goes on; with two, only the best.
  std::vector<Trial> few = {with_curve(0, TrialState::Complete, {0.5, 0.5, 0.5})};
  CHECK_FALSE(asha.should_prune(1, 3, 0.9, History{few, Direction::Maximize}));
  CHECK(asha.should_prune(1, 3, 0.1, History{few, Direction::Maximize}));
  std::vector<Trial> alone;
  CHECK_FALSE(asha.should_prune(0, 1, 0.0, History{alone, Direction::Maximize}));

  AshaPruner wide({/*min_epochs=*/2, /*eta=*/2});
  CHECK(wide.is_rung(2));
  CHECK(wide.is_rung(8));
  CHECK_FALSE(wide.is_rung(1));
  CHECK_THROWS_AS(AshaPruner({1, 1}), InputError);
}

TEST_CASE("tuning: pruner factory") {
  CHECK(make_pruner("none", 3)->name() == "none");
  CHECK(make_pruner(nlohmann::json{{"name", "median"}, {"n_startup_trials", 2}}, 3)->config()["n_startup_trials"] == 2);
  CHECK(make_pruner("asha", 3)->config()["eta"] == 3);
  CHECK_THROWS_AS(make_pruner("successive_halving", 3), InputError);
  CHECK_THROWS_AS(make_pruner(nlohmann::json{{"name", "asha"}, {"etta", 3}}, 3), InputError);
}
