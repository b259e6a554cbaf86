#pragma once
// Each subcommand lives in its own file and registers itself on the top-level CLI11 app.
// A command's callback throws vkt::InputError for bad input (exit 2) and vkt::Error for
// run-time failures (exit 1); apps/vktrain.cpp catches them once.
#include <CLI/CLI.hpp>

namespace vkt::app {

void add_devices_command(CLI::App& app);
void add_bench_command(CLI::App& app);
// Sets exit_code (1 when training diverged) in addition to throwing for errors.
void add_train_command(CLI::App& app, int& exit_code);
void add_eval_command(CLI::App& app);
void add_tune_command(CLI::App& app, int& exit_code);
void add_report_command(CLI::App& app);
void add_study_command(CLI::App& app);
void add_tune_kernels_command(CLI::App& app);

}  // namespace vkt::app
