#pragma once
// Runs the vktrain binary for end-to-end tests: exit code, stdout and stderr.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vkt::test {

struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};

// Runs build/vktrain with `args` (no shell: arguments are passed as they are).
CommandResult run_vktrain(const std::vector<std::string>& args);
// The same for another binary (a copy of vktrain somewhere else).
CommandResult run_program(const std::string& binary, const std::vector<std::string>& args);

// `vktrain report STUDY --json`, parsed; the calling test fails if it does not succeed.
nlohmann::json study_report(const std::string& study);


}  // namespace vkt::test
