#include "tuning/pruners/hyperband_pruner.hpp"

#include <algorithm>
#include <cmath>

#include "tuning/pruners/successive_halving.hpp"
#include "tuning/rng.hpp"
#include "util/error.hpp"

namespace vkt::tune {

HyperbandPruner::HyperbandPruner(HyperbandOptions options) : options_(options) {
  if (options_.min_epochs < 1) throw InputError("hyperband pruner: \"min_epochs\" must be at least 1");
  if (options_.eta < 2) throw InputError("hyperband pruner: \"eta\" must be at least 2");
  if (options_.max_epochs < options_.min_epochs)
    throw InputError("hyperband pruner: \"max_epochs\" (" + std::to_string(options_.max_epochs) +
                     ") must be at least \"min_epochs\" (" + std::to_string(options_.min_epochs) + ")");
  // s = the largest power with min_epochs * eta^s <= max_epochs; brackets 0..s.
  int s = 0;
  for (int64_t r = int64_t(options_.min_epochs) * options_.eta; r <= options_.max_epochs; r *= options_.eta) ++s;
  brackets_ = s + 1;
  std::vector<double> weight;
  double total = 0;
  for (int b = 0; b <= s; ++b) {
    const int k = s - b;  // Hyperband's bracket index: k halvings from the first rung to the top
    weight.push_back(std::ceil(double(s + 1) / double(k + 1) * std::pow(double(options_.eta), k)));
    total += weight.back();
  }
  double acc = 0;
  for (double w : weight) cumulative_share_.push_back(acc += w / total);
  cumulative_share_.back() = 1.0;
}

nlohmann::json HyperbandPruner::config() const {
  return {{"name", "hyperband"},
          {"min_epochs", options_.min_epochs},
          {"max_epochs", options_.max_epochs},
          {"eta", options_.eta}};
}

int HyperbandPruner::bracket_of(int64_t trial_id) const {
  // A fixed hash of the id, not a draw from any generator: the same id, the same bracket.
  const double u = double(splitmix64(uint64_t(trial_id) ^ 0x68797065'7262616eull) >> 11) * 0x1.0p-53;
  for (int b = 0; b < brackets_; ++b)
    if (u < cumulative_share_[size_t(b)]) return b;
  return brackets_ - 1;
}

std::vector<int> HyperbandPruner::rungs(int bracket) const {
  std::vector<int> out;
  int64_t r = options_.min_epochs;
  for (int i = 0; i < bracket; ++i) r *= options_.eta;
  // Stopping a trial at max_epochs saves nothing: the top rung is never a rung.
  for (; r < options_.max_epochs; r *= options_.eta) out.push_back(int(r));
  return out;
}

bool HyperbandPruner::should_prune(int64_t trial_id, int epoch, double value, const History& history) {
  if (std::isnan(value)) return true;
  const int bracket = bracket_of(trial_id);
  const std::vector<int> mine = rungs(bracket);
  if (std::find(mine.begin(), mine.end(), epoch) == mine.end()) return false;
  return successive_halving_prunes(trial_id, epoch, value, history, options_.eta,
                                   [&](const Trial& t) { return bracket_of(t.id) == bracket; });
}

}  // namespace vkt::tune
