// `vktrain report`: a study's trials ranked, its best parameters as a train command, as text,
// JSON or a self-contained HTML page with SVG plots.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "apps/commands.hpp"
#include "tuning/report.hpp"
#include "tuning/report_html.hpp"
#include "tuning/storage/journal.hpp"
#include "util/error.hpp"
#include "util/file_io.hpp"

namespace vkt::app {
namespace {

struct ReportCommand {
  std::string study, html;
  bool json = false;
};

void run_report(const ReportCommand& c) {
  if (!std::filesystem::exists(c.study)) throw InputError(c.study + ": no such study file");
  tune::storage::Journal journal(c.study);
  const auto& state = journal.state();
  const tune::Direction d = tune::study_direction(state);
  if (!c.html.empty()) {
    const std::string page = tune::report_html(state, d, "vktrain study " + c.study);
    write_file_atomic(c.html, std::span(reinterpret_cast<const uint8_t*>(page.data()), page.size()));
  }
  if (c.json) {
    std::cout << tune::report_json(state, d).dump(2) << "\n";
    return;
  }
  std::printf("%-5s %-6s %-9s %10s %7s  %s\n", "rank", "trial", "state", "value", "epochs", "parameters");
  int rank = 1;
  for (const tune::Trial* t : tune::ranked_trials(state, d)) {
    std::string ps;
    for (const auto& [k, v] : t->params) ps += (ps.empty() ? "" : " ") + k + "=" + tune::to_string(v);
    std::printf("%-5d %-6lld %-9s %10s %7d  %s\n", rank++, static_cast<long long>(t->id), tune::state_name(t->state),
                std::isfinite(t->value) ? std::to_string(t->value).substr(0, 8).c_str() : "-", t->epochs_done(),
                ps.c_str());
  }
  if (const tune::Trial* best = tune::best_trial(state.trials, d))
    std::printf("\nbest: trial %lld, value %.4f\n  %s\n", static_cast<long long>(best->id), best->value,
                tune::train_command(*best, state.settings).c_str());
  if (!c.html.empty()) std::printf("wrote %s\n", c.html.c_str());
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("report", "Show a study: trials ranked, best parameters, plots");
  auto c = std::make_shared<ReportCommand>();
  cmd->add_option("study", c->study, "The study journal (.vkts)")->required();
  cmd->add_flag("--json", c->json, "Print {\"trials\": [...], \"best\": {...}}");
  cmd->add_option("--html", c->html, "Also write a self-contained HTML page with SVG plots here");
  cmd->callback([c] { run_report(*c); });
}

}  // namespace vkt::app
