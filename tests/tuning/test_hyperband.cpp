#include <doctest/doctest.h>

#include <cmath>
#include <map>

#include "tuning/pruners/factory.hpp"
#include "tuning/pruners/hyperband_pruner.hpp"
#include "tuning/rng.hpp"
#include "util/error.hpp"

using namespace vkt;
using namespace vkt::tune;

TEST_CASE("tuning: hyperband brackets, rungs and their shares") {
  // min 1, max 27, eta 3: brackets start at 1, 3, 9, 27 epochs.
  const HyperbandPruner p({/*min_epochs=*/1, /*max_epochs=*/27, /*eta=*/3});
  REQUIRE(p.brackets() == 4);
  CHECK(p.rungs(0) == std::vector<int>{1, 3, 9});
  CHECK(p.rungs(1) == std::vector<int>{3, 9});
  CHECK(p.rungs(2) == std::vector<int>{9});
  CHECK(p.rungs(3).empty());  // the bracket whose trials always run all 27 epochs
  // Hyperband's configurations per bracket for s = 3: ceil(4/4*27) = 27, ceil(4/3*9) = 12,
  // ceil(4/2*3) = 6, ceil(4/1*1) = 4, of 49.
  std::map<int, int> count;
  const int n = 49000;
  for (int64_t id = 0; id < n; ++id) ++count[p.bracket_of(id)];
  CHECK(count[0] == doctest::Approx(n * 27.0 / 49).epsilon(0.03));
  CHECK(count[1] == doctest::Approx(n * 12.0 / 49).epsilon(0.05));
  CHECK(count[2] == doctest::Approx(n * 6.0 / 49).epsilon(0.06));
  CHECK(count[3] == doctest::Approx(n * 4.0 / 49).epsilon(0.08));
  // A function of the id alone: another pruner object (a resumed study) agrees.
  const HyperbandPruner again({1, 27, 3});
  for (int64_t id = 0; id < 200; ++id) CHECK(again.bracket_of(id) == p.bracket_of(id));

  // max not a power of eta times min: 2 .. 20, eta 3 -> first rungs 2, 6, 18.
  const HyperbandPruner q({2, 20, 3});
  CHECK(q.brackets() == 3);
  CHECK(q.rungs(0) == std::vector<int>{2, 6, 18});
  CHECK(q.rungs(2) == std::vector<int>{18});
  CHECK(HyperbandPruner({4, 4, 2}).brackets() == 1);
}

TEST_CASE("tuning: hyperband promotes the top 1/eta within a bracket, on a synthetic curve") {
  // Trials whose curve is quality * (1 - 1/epoch): a better quality is better at every epoch.
  // Run them one by one, as one worker would, and check who was stopped where.
  HyperbandPruner p({1, 9, 3});
  REQUIRE(p.brackets() == 3);
  std::vector<Trial> trials;
  Rng rng(7);
  std::map<int, std::vector<std::pair<double, int>>> by_bracket;  // quality, epochs run
  for (int64_t id = 0; id < 90; ++id) {
    Trial t;
    t.id = id;
    const double quality = rng.uniform();
    int epoch = 1;
    for (; epoch <= 9; ++epoch) {
      const double v = quality * (1.0 - 1.0 / (epoch + 1));
      t.epochs[epoch] = {v, 0};
      trials.push_back(t);
      const bool stop = p.should_prune(id, epoch, v, History{trials, Direction::Maximize});
      trials.pop_back();
      if (stop) break;
    }
    t.state = epoch <= 9 ? TrialState::Pruned : TrialState::Complete;
    t.value = t.epochs.rbegin()->second.value;
    trials.push_back(t);
    by_bracket[p.bracket_of(id)].push_back({quality, t.epochs_done()});
  }
  // Bracket 2 has no rung below 9: all its trials ran 9 epochs.
  for (const auto& [q, e] : by_bracket[2]) CHECK(e == 9);
  // In brackets 0 and 1 trials stop only at their rungs, and the best trial of each bracket
  // (it beats everyone at every rung) is never stopped.
  for (int b : {0, 1}) {
    REQUIRE(by_bracket[b].size() >= 5);
    const auto rungs = p.rungs(b);
    double best_quality = -1;
    int best_epochs = 0;
    int stopped = 0;
    for (const auto& [q, e] : by_bracket[b]) {
      CHECK((e == 9 || std::find(rungs.begin(), rungs.end(), e) != rungs.end()));
      stopped += e < 9;
      if (q > best_quality) best_quality = q, best_epochs = e;
    }
    CHECK(best_epochs == 9);
    // Asynchronous halving: roughly 1 - 1/eta of the late arrivals stop at the first rung.
    CHECK(stopped >= int(by_bracket[b].size()) / 2);
  }
  // Trials of bracket 0 stopped at epoch 1 were worse than a third of their bracket at epoch 1
  // (every one of them lost to at least one earlier trial of its bracket).
  int first_rung_losers = 0;
  for (const auto& [q, e] : by_bracket[0]) first_rung_losers += e == 1;
  CHECK(first_rung_losers > 0);
}

TEST_CASE("tuning: hyperband competes only within its bracket, NaN is pruned") {
  HyperbandPruner p({1, 9, 3});
  // Find two ids in bracket 0 and one in bracket 1.
  std::vector<int64_t> b0, b1;
  for (int64_t id = 0; b0.size() < 2 || b1.empty(); ++id) (p.bracket_of(id) == 0 ? b0 : b1).push_back(id);
  std::vector<Trial> trials;
  Trial strong;
  strong.id = b1[0];  // a very good trial, but of another bracket
  strong.state = TrialState::Complete;
  for (int e = 1; e <= 9; ++e) strong.epochs[e] = {0.99, 0};
  trials.push_back(strong);
  Trial weak;
  weak.id = b0[1];
  weak.epochs[1] = {0.1, 0};
  trials.push_back(weak);
  // b0[0] at 0.5 is the best of its bracket at epoch 1 (0.5 > 0.1): kept, whatever b1 did.
  CHECK_FALSE(p.should_prune(b0[0], 1, 0.5, History{trials, Direction::Maximize}));
  CHECK(p.should_prune(b0[0], 1, std::nan(""), History{trials, Direction::Maximize}));
  // Minimizing, 0.5 is worse than 0.1: with 2 values at the rung, keep 1: pruned.
  CHECK(p.should_prune(b0[0], 1, 0.5, History{trials, Direction::Minimize}));
  // Epoch 2 is no rung of bracket 0.
  CHECK_FALSE(p.should_prune(b0[0], 2, 0.0, History{trials, Direction::Maximize}));
}

TEST_CASE("tuning: hyperband settings: defaults from the study, bad values named") {
  const auto p = make_pruner("hyperband", 27);
  CHECK(p->config() == nlohmann::json{{"name", "hyperband"}, {"min_epochs", 1}, {"max_epochs", 27}, {"eta", 3}});
  CHECK(make_pruner(nlohmann::json{{"name", "hyperband"}, {"max_epochs", 8}, {"eta", 2}}, 27)->config()["max_epochs"] == 8);
  auto message = [](const nlohmann::json& j) {
    try {
      make_pruner(j, 9);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message({{"name", "hyperband"}, {"eta", 1}}).find("\"eta\"") != std::string::npos);
  CHECK(message({{"name", "hyperband"}, {"min_epochs", 0}}).find("\"min_epochs\"") != std::string::npos);
  CHECK(message({{"name", "hyperband"}, {"min_epochs", 10}}).find("\"max_epochs\"") != std::string::npos);
  CHECK(message({{"name", "hyperband"}, {"brackets", 3}}).find("\"brackets\"") != std::string::npos);
  CHECK(message({{"name", "hyperband"}, {"eta", "three"}}).find("hyperband") != std::string::npos);
}
