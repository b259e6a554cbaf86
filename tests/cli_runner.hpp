#pragma once
// Runs the vktrain binary for end-to-end tests: exit code, stdout and stderr.
#include <string>
#include <vector>

namespace vkt::test {

struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};

// Runs build/vktrain with `args` (no shell: arguments are passed as they are).
CommandResult run_vktrain(const std::vector<std::string>& args);


}  // namespace vkt::test
