// The HTML report's learning curves mark where each pruned trial was cut, and the JSON
// report carries a cross-validated trial's folds and a study's refit.
#include <doctest/doctest.h>

#include "tuning/report.hpp"
#include "tuning/report_html.hpp"

using namespace vkt::tune;

namespace {

Trial trial(int64_t id, TrialState state, std::vector<double> curve) {
  Trial t;
  t.id = id;
  t.state = state;
  t.params["lr"] = 0.001 * double(id + 1);
  for (size_t e = 0; e < curve.size(); ++e) t.epochs[int(e) + 1] = {curve[e], 0.5};
  t.value = curve.back();
  return t;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("report: learning curves mark each pruned trial where it was cut") {
  StudyState s;
  s.settings = {{"direction", "maximize"}, {"epochs", 4}, {"space", {{"lr", {{"type", "float"}, {"low", 1e-4}, {"high", 1e-1}, {"log", true}}}}}};
  s.trials = {trial(0, TrialState::Complete, {0.5, 0.6, 0.7, 0.8}), trial(1, TrialState::Pruned, {0.3}),
              trial(2, TrialState::Pruned, {0.4, 0.45, 0.5}), trial(3, TrialState::Complete, {0.6, 0.7, 0.75, 0.79})};
  const std::string html = report_html(s, Direction::Maximize, "t");
  CHECK(count(html, "class='cut'") == 2);
  CHECK(html.find("trial 1 pruned at epoch 1") != std::string::npos);
  CHECK(html.find("trial 2 pruned at epoch 3") != std::string::npos);
  CHECK(html.find("trial 0 pruned") == std::string::npos);
}

TEST_CASE("report: a cross-validated trial's folds, mean and spread, the refit") {
  StudyState s;
  s.settings = {{"direction", "maximize"}, {"epochs", 2}, {"cv_folds", 3}};
  // Steps 2, 4, 6 end folds 1-3: 0.80, 0.84, 0.82.
  s.trials = {trial(0, TrialState::Complete, {0.7, 0.80, 0.75, 0.84, 0.77, 0.82}),
              trial(1, TrialState::Pruned, {0.5, 0.6, 0.55})};
  s.trials[0].value = 0.82;
  const FoldSummary f = fold_summary(s.trials[0], s.settings);
  REQUIRE(f.values == std::vector<double>{0.80, 0.84, 0.82});
  CHECK(f.mean == doctest::Approx(0.82));
  CHECK(f.std == doctest::Approx(std::sqrt((0.0004 + 0.0004 + 0) / 3)));
  CHECK(fold_summary(s.trials[1], s.settings).values == std::vector<double>{0.6});  // stopped in fold 2
  CHECK(fold_summary(s.trials[0], {{"epochs", 2}}).values.empty());                 // no cross-validation

  s.refit = RefitResult{0, 60000, 2, 0.875, 0.35, 12.5};
  const auto j = report_json(s, Direction::Maximize);
  CHECK(j["best"]["cv"]["folds"].size() == 3);
  CHECK(j["best"]["cv"]["mean"].get<double>() == doctest::Approx(0.82));
  CHECK(j["refit"]["trial"] == 0);
  CHECK(j["refit"]["train_images"] == 60000);
  CHECK(j["refit"]["test_acc"].get<double>() == doctest::Approx(0.875));
}
