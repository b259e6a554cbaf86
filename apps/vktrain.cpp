// vktrain: train and tune neural networks on any Vulkan device.
// This file only registers the subcommands; apps/cli_main.cpp parses and turns exceptions into
// one line + an exit code.
#include "apps/cli_main.hpp"
#include "apps/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"vktrain: train and tune neural networks on any Vulkan device", "vktrain"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "vktrain 0.1.0");
  vkt::app::add_devices_command(app);
  vkt::app::add_bench_command(app);
  int exit_code = 0;
  vkt::app::add_train_command(app, exit_code);
  vkt::app::add_eval_command(app);
  vkt::app::add_tune_command(app, exit_code);
  vkt::app::add_report_command(app);
  vkt::app::add_study_command(app);
  vkt::app::add_tune_kernels_command(app);

  return vkt::app::run_cli(app, argc, argv, exit_code);
}
