#pragma once
// The one way vktrain's programs (vktrain, vktrain_bench) end: parse the command line, run the
// chosen callback, and turn what it throws into one line on stderr and an exit code:
//   0 ok, 1 run-time failure (driver, device, diverged I/O), 2 usage or input error.
// Lines start with the app's name ("vktrain: error: ...", "vktrain bench: error: ...").
#include <CLI/CLI.hpp>

namespace vkt::app {

// `exit_code` is what a callback may set besides throwing (train: 1 when training diverged);
// it is returned when nothing was thrown.
int run_cli(CLI::App& app, int argc, char** argv, const int& exit_code);

}  // namespace vkt::app
