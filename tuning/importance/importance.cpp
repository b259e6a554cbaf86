#include "tuning/importance/importance.hpp"

#include <algorithm>
#include <cmath>

#include "tuning/importance/fanova.hpp"
#include "tuning/normalize.hpp"

namespace vkt::tune {
namespace {

using importance::FeatureDomain;

// Every parameter has a legal value, or is absent and conditional (then it was inactive).
bool fits(const Space& space, const Params& params) {
  for (const Parameter& p : space.parameters()) {
    const auto it = params.find(p.name);
    if (it == params.end() ? p.when.empty() : !is_legal(p, it->second)) return false;
  }
  return true;
}

size_t choice_index(const Parameter& p, const Value& v) {
  for (size_t c = 0; c < p.choices.size(); ++c)
    if (values_equal(p.choices[c], v)) return c;
  return 0;  // unreachable: fits() checked the value is a choice
}

// One parameter as a feature: its domain with the measure fANOVA integrates over, and each
// trial's value on it (see the header for the inactive slot).
void encode(const Parameter& p, const std::vector<const Trial*>& trials, FeatureDomain& domain,
            std::vector<double>& column) {
  const size_t n = trials.size();
  const auto inactive = size_t(std::count_if(trials.begin(), trials.end(), [&](const Trial* t) {
    return !t->params.count(p.name);
  }));
  domain = {};
  if (inactive == n) {  // never active: a constant feature no tree splits on, importance 0
    column.assign(n, 0);
    return;
  }
  const double q = double(inactive) / double(n);
  column.clear();
  if (!p.numeric()) {
    const size_t k = p.choices.size();
    domain.category_weights.assign(k, inactive ? (1 - q) / double(k) : 1.0);
    if (inactive) domain.category_weights.push_back(q);  // category k: inactive
    for (const Trial* t : trials) {
      const auto it = t->params.find(p.name);
      column.push_back(double(it == t->params.end() ? k : choice_index(p, it->second)));
    }
    return;
  }
  if (inactive) {
    domain.low = -q / (1 - q);  // [low, 0) is the inactive slot: a share q of [low, 1]
    domain.boundary = 0;
  }
  for (const Trial* t : trials) {
    const auto it = t->params.find(p.name);
    column.push_back(it == t->params.end() ? domain.low : to_unit(p, it->second));
  }
}

}  // namespace

std::vector<ParamImportance> parameter_importance(const Space& space, const std::vector<Trial>& trials,
                                                  const importance::ForestOptions& options) {
  std::vector<const Trial*> usable;
  for (const Trial& t : trials)
    if (t.state == TrialState::Complete && std::isfinite(t.value) && fits(space, t.params)) usable.push_back(&t);
  const auto& params = space.parameters();
  if (usable.size() < 2 || params.empty()) return {};

  std::vector<FeatureDomain> features(params.size());
  std::vector<std::vector<double>> columns(params.size());
  for (size_t f = 0; f < params.size(); ++f) encode(params[f], usable, features[f], columns[f]);
  std::vector<double> targets;
  for (const Trial* t : usable) targets.push_back(t->value);

  // shares[f]: feature f's share of each tree's variance, over the trees that have any.
  std::vector<std::vector<double>> shares(params.size());
  for (const auto& tree : importance::fit_forest(columns, targets, features, options)) {
    const importance::TreeVariance v = importance::decompose(tree, features);
    if (!(v.total > 0)) continue;  // a single-leaf tree (its bootstrap drew one value only)
    for (size_t f = 0; f < params.size(); ++f)
      shares[f].push_back(std::clamp(v.main_effect[f] / v.total, 0.0, 1.0));  // clamp: round-off only
  }
  if (shares[0].empty()) return {};

  std::vector<ParamImportance> out;
  double sum = 0;
  for (size_t f = 0; f < params.size(); ++f) {
    const auto& s = shares[f];
    double mean = 0, var = 0;
    for (double x : s) mean += x;
    mean /= double(s.size());
    for (double x : s) var += (x - mean) * (x - mean);
    out.push_back({params[f].name, mean, std::sqrt(var / double(s.size()))});
    sum += mean;
  }
  if (!(sum > 0)) return {};  // only interactions: no parameter has an effect of its own
  for (auto& p : out) p.importance /= sum, p.std /= sum;
  std::sort(out.begin(), out.end(), [](const ParamImportance& a, const ParamImportance& b) {
    return a.importance != b.importance ? a.importance > b.importance : a.name < b.name;
  });
  return out;
}

std::vector<ParamImportance> parameter_importance(const StudyState& state, const importance::ForestOptions& options) {
  if (!state.settings.is_object() || !state.settings.contains("space")) return {};
  return parameter_importance(Space::parse(state.settings["space"]), state.trials, options);
}

nlohmann::json importance_json(const std::vector<ParamImportance>& importances) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : importances) out.push_back({{"name", p.name}, {"importance", p.importance}, {"std", p.std}});
  return out;
}

}  // namespace vkt::tune
