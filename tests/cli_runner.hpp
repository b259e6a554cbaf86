#pragma once
// Runs the vktrain binary for end-to-end tests: exit code, stdout and stderr.
#include <sys/types.h>

#include <map>
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

// Starts build/vktrain with `args` in the background and returns its pid: stdout and stderr
// go to `log` (/dev/null when empty), and `env` is set in the child before it starts.
pid_t start_vktrain(const std::vector<std::string>& args, const std::string& log = "",
                    const std::map<std::string, std::string>& env = {});
// Waits for a started process: its exit code, or 128 + the signal that ended it.
int wait_exit(pid_t pid);

// `vktrain report STUDY --json`, parsed; the calling test fails if it does not succeed.
nlohmann::json study_report(const std::string& study);
// A whole file's text ("" if it cannot be read).
std::string read_text(const std::string& path);
// A JSON-lines file (a `--log`), one value per non-empty line.
std::vector<nlohmann::json> read_jsonl(const std::string& path);
// The last non-empty line of a command's output as JSON: `train --json`'s result after any
// text printed before it.
nlohmann::json last_json_line(const std::string& out);
// Checks that a report's trials are ids 0..n-1, each exactly once.
void check_trial_ids(const nlohmann::json& report, size_t n);

}  // namespace vkt::test
