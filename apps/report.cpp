// `vktrain report`: a study's trials ranked, its best parameters as a train command, as text,
// JSON or a self-contained HTML page with SVG plots.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "apps/commands.hpp"
#include "tuning/importance/importance.hpp"
#include "tuning/report.hpp"
#include "tuning/report_html.hpp"
#include "tuning/storage/open_storage.hpp"
#include "tuning/storage/pg_uri.hpp"
#include "util/error.hpp"
#include "util/file_io.hpp"
#include "util/format.hpp"

namespace vkt::app {
namespace {

struct ReportCommand {
  std::string study, html;
  bool json = false;
};

void run_report(const ReportCommand& c) {
  if (!tune::storage::is_postgres_uri(c.study) && !std::filesystem::exists(c.study))
    throw InputError(c.study + ": no such study file");
  const auto storage = tune::storage::open_existing_storage(c.study);
  const auto& state = storage->state();
  const tune::Direction d = tune::study_direction(state);
  if (!c.html.empty()) {
    const std::string page = tune::report_html(state, d, "vktrain study " + storage->display_name());
    write_file_atomic(c.html, std::span(reinterpret_cast<const uint8_t*>(page.data()), page.size()));
  }
  if (c.json) {
    std::cout << tune::report_json(state, d).dump(2) << "\n";
    return;
  }
  // Cross-validated studies: the value is the folds' mean; the column beside it their spread.
  const bool cv = state.settings.value("cv_folds", 0) > 0;
  std::printf("%-5s %-6s %-9s %10s %s%7s  %s\n", "rank", "trial", "state", "value", cv ? "   cv_std " : "", "epochs",
              "parameters");
  int rank = 1;
  for (const tune::Trial* t : tune::ranked_trials(state, d)) {
    std::string ps;
    for (const auto& [k, v] : t->params) ps += (ps.empty() ? "" : " ") + k + "=" + tune::to_display_string(v);
    std::string spread;
    if (cv) {
      const tune::FoldSummary f = tune::fold_summary(*t, state.settings);
      char buf[32];
      if (f.values.size() < size_t(state.settings.value("cv_folds", 0)))  // stopped before its last fold
        std::snprintf(buf, sizeof buf, " %8s ", "-");
      else
        std::snprintf(buf, sizeof buf, " %8.4g ", f.std);
      spread = buf;
    }
    std::printf("%-5d %-6lld %-9s %10s %s%7d  %s\n", rank++, static_cast<long long>(t->id), tune::state_name(t->state),
                std::isfinite(t->value) ? format_significant(t->value, 6).c_str() : "-", spread.c_str(),
                t->epochs_done(), ps.c_str());
  }
  const tune::importance::ForestOptions forest;
  if (const auto shares = tune::parameter_importance(state, forest); !shares.empty()) {
    std::printf("\nparameter importance (fANOVA, %zu trees)\n", forest.trees);
    for (const auto& p : shares) std::printf("  %-24s %6.3f  (std %.3f)\n", p.name.c_str(), p.importance, p.std);
  }
  if (const tune::Trial* best = tune::best_trial(state.trials, d)) {
    std::printf("\nbest: trial %lld, value %.6g", static_cast<long long>(best->id), best->value);
    const tune::FoldSummary folds = tune::fold_summary(*best, state.settings);
    if (!folds.values.empty())
      std::printf(" (mean of %zu folds, std %.4g)", folds.values.size(), folds.std);
    std::printf("\n  %s\n", tune::train_command(*best, state.settings).c_str());
  }
  if (state.refit)
    std::printf("refit: trial %lld's setting on all %u training images, %u epochs: test_acc %.4f  test_loss %.4f\n",
                static_cast<long long>(state.refit->trial_id), state.refit->train_images, state.refit->epochs,
                state.refit->test_accuracy, state.refit->test_loss);
  if (!c.html.empty()) std::printf("wrote %s\n", c.html.c_str());
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("report", "Show a study: trials ranked, best parameters, plots");
  auto c = std::make_shared<ReportCommand>();
  cmd->add_option("study,--study", c->study,
                  "The study: a journal file (.vkts) or a postgresql://...?study=NAME URI, as given to tune")
      ->required();
  cmd->add_flag("--json", c->json, "Print {\"trials\": [...], \"best\": {...}}");
  cmd->add_option("--html", c->html, "Also write a self-contained HTML page with SVG plots here");
  cmd->callback([c] { run_report(*c); });
}

}  // namespace vkt::app
