#include "tuning/report.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "tuning/command_objective.hpp"
#include "tuning/importance/importance.hpp"
#include "util/error.hpp"

namespace vkt::tune {
namespace {

int rank_group(TrialState s) {
  switch (s) {
    case TrialState::Complete: return 0;
    case TrialState::Pruned: return 1;
    case TrialState::Diverged: return 2;
    case TrialState::Failed: return 3;
    case TrialState::Running: return 4;
  }
  return 5;
}

nlohmann::json finite_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

std::string shell_quote(const std::string& s) {
  const bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-_.,/:=+@%").find(c) != std::string_view::npos;
  });
  if (plain) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

Direction study_direction(const StudyState& state) {
  if (!state.settings.contains("direction") || !state.settings["direction"].is_string())
    throw InputError("the study's settings do not record an objective direction");
  return parse_direction(state.settings["direction"].get<std::string>());
}

std::vector<const Trial*> ranked_trials(const StudyState& state, Direction d) {
  std::vector<const Trial*> out;
  for (const auto& t : state.trials) out.push_back(&t);
  std::stable_sort(out.begin(), out.end(), [d](const Trial* a, const Trial* b) {
    const int ga = rank_group(a->state), gb = rank_group(b->state);
    if (ga != gb) return ga < gb;
    if (is_better(a->value, b->value, d)) return true;
    if (is_better(b->value, a->value, d)) return false;
    return a->id < b->id;
  });
  return out;
}

nlohmann::json trial_json(const Trial& t) {
  nlohmann::json curve = nlohmann::json::array();
  for (const auto& [epoch, r] : t.epochs)
    curve.push_back({{"epoch", epoch}, {"value", finite_or_null(r.value)}, {"loss", finite_or_null(r.loss)}});
  nlohmann::json j = {{"id", t.id},
                      {"state", state_name(t.state)},
                      {"value", t.state == TrialState::Running ? nlohmann::json(nullptr) : finite_or_null(t.value)},
                      {"params", params_to_json(t.params)},
                      {"epochs_done", t.epochs_done()},
                      {"curve", curve},
                      {"seed", t.seed}};
  if (!t.reason.empty()) j["reason"] = t.reason;
  if (t.resumed) j["resumed"] = t.resumed;
  // Where a running trial would resume if its worker died now (the epoch in progress for a
  // mid-epoch checkpoint).
  if (t.state == TrialState::Running && t.checkpoint) j["checkpoint_epoch"] = t.checkpoint->first;
  return j;
}

FoldSummary fold_summary(const Trial& trial, const nlohmann::json& settings) {
  FoldSummary out;
  const int folds = settings.value("cv_folds", 0), epochs = settings.value("epochs", 0);
  if (folds <= 0 || epochs <= 0) return out;
  for (int f = 1; f <= folds; ++f) {
    const auto it = trial.epochs.find(f * epochs);
    if (it == trial.epochs.end()) break;
    out.values.push_back(it->second.value);
  }
  if (out.values.empty()) return out;
  for (double v : out.values) out.mean += v / double(out.values.size());
  for (double v : out.values) out.std += (v - out.mean) * (v - out.mean) / double(out.values.size());
  out.std = std::sqrt(out.std);
  return out;
}

nlohmann::json report_json(const StudyState& state, Direction d) {
  auto with_folds = [&](const Trial& t) {
    nlohmann::json j = trial_json(t);
    const FoldSummary f = fold_summary(t, state.settings);
    if (!f.values.empty()) {
      nlohmann::json values = nlohmann::json::array();
      for (double v : f.values) values.push_back(finite_or_null(v));
      j["cv"] = {{"folds", values}, {"mean", finite_or_null(f.mean)}, {"std", finite_or_null(f.std)}};
    }
    return j;
  };
  nlohmann::json trials = nlohmann::json::array();
  for (const Trial* t : ranked_trials(state, d)) trials.push_back(with_folds(*t));
  const Trial* best = best_trial(state.trials, d);
  nlohmann::json out = {{"direction", direction_name(d)},
                        {"trials", trials},
                        {"best", best ? with_folds(*best) : nlohmann::json(nullptr)}};
  if (state.refit)
    out["refit"] = {{"trial", state.refit->trial_id},       {"train_images", state.refit->train_images},
                    {"epochs", state.refit->epochs},        {"test_acc", finite_or_null(state.refit->test_accuracy)},
                    {"test_loss", finite_or_null(state.refit->test_loss)}, {"seconds", state.refit->seconds}};
  out["importance"] = importance_json(parameter_importance(state));
  return out;
}

namespace {

// Space keys may spell options with '_' (weight_decay): the CLI uses '-'.
std::string flag_of(const std::string& key) {
  std::string flag = "--" + key;
  for (auto& c : flag)
    if (c == '_') c = '-';
  return flag;
}

std::string params_args(const Params& params) {
  std::string args;
  for (const auto& [name, value] : params) {
    args += ' ';
    args += flag_of(name);
    args += ' ';
    args += shell_quote(to_string(value));
  }
  return args;
}

}  // namespace

std::string train_command(const Params& params) { return "vktrain train" + params_args(params); }

std::string study_command(const Trial& trial, const std::string& command_template) {
  return substitute(command_template, trial.params);
}

std::string train_command(const Trial& trial, const nlohmann::json& settings) {
  if (settings.contains("command") && settings["command"].is_string())
    return study_command(trial, settings["command"].get<std::string>());
  std::set<std::string> set_by_params;
  for (const auto& [name, value] : trial.params) set_by_params.insert(flag_of(name));
  std::string cmd = "vktrain train";
  // train_args holds "--flag", value pairs, as `vktrain tune` recorded them (absent in
  // journals written before it did).
  const auto args = settings.value("train_args", std::vector<std::string>{});
  for (size_t i = 0; i + 1 < args.size(); i += 2)
    if (!set_by_params.count(args[i])) cmd += " " + args[i] + " " + shell_quote(args[i + 1]);
  if (settings.contains("epochs") && !set_by_params.count("--epochs"))
    cmd += " --epochs " + std::to_string(settings["epochs"].get<int64_t>());
  if (!set_by_params.count("--seed")) cmd += " --seed " + std::to_string(trial.seed);
  return cmd + params_args(trial.params);
}

}  // namespace vkt::tune
