#pragma once
// Hyperband (Li et al., JMLR 2018): several successive-halving ladders ("brackets") side by
// side, from the most aggressive one, whose first rung is at min_epochs, to the one whose
// trials always run max_epochs. No single first rung is right for every problem (early curves
// cross); hedging across brackets costs at most a log factor.
//
// Bracket b (0 .. brackets()-1) has rungs at min_epochs * eta^(b + k) below max_epochs, and a
// trial competes only with trials of its own bracket, by successive_halving.hpp's rule
// (asynchronously, as ASHA does, so workers never wait for a rung to fill). A trial's bracket
// is a function of its id alone, drawn with Hyperband's weights (bracket b gets a share
// proportional to ceil((s + 1) / (s - b' + 1) * eta^(s - b')) configurations, b' = b, s the
// number of brackets less one): a resumed study, or another process on the same study,
// assigns every trial the same bracket.
//
// What a sampler sees: trials stopped at different rungs are Pruned trials whose curves end
// at different epochs. TPE ranks them after the complete ones by how far they got, then by
// their value there (so TPE + Hyperband is BOHB's model-based Hyperband without BOHB's
// per-budget models); GP models Complete trials only.
#include "tuning/pruners/pruner.hpp"

namespace vkt::tune {

struct HyperbandOptions {
  int min_epochs = 1;
  int max_epochs = 0;  // 0: the study's epochs
  int eta = 3;
};

class HyperbandPruner : public Pruner {
 public:
  // InputError for min_epochs < 1, eta < 2 or max_epochs < min_epochs.
  explicit HyperbandPruner(HyperbandOptions options);
  std::string name() const override { return "hyperband"; }
  nlohmann::json config() const override;
  bool should_prune(int64_t trial_id, int epoch, double value, const History& history) override;

  int brackets() const { return brackets_; }
  int bracket_of(int64_t trial_id) const;
  // The epochs at which a trial of bracket b may be stopped, ascending.
  std::vector<int> rungs(int bracket) const;

 private:
  HyperbandOptions options_;
  int brackets_ = 1;
  std::vector<double> cumulative_share_;  // of the brackets' weights, ending at 1
};

}  // namespace vkt::tune
