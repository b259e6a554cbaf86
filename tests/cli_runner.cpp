#include "tests/cli_runner.hpp"

#include "tests/temp_dir.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace vkt::test {
namespace {

// In a forked child: sends stdout and stderr to the given files and becomes `binary`.
[[noreturn]] void exec_program(const std::string& binary, const std::vector<std::string>& args,
                               const std::string& out_path, const std::string& err_path) {
  const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int err = err_path == out_path ? out : open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  dup2(out, 1);
  dup2(err, 2);
  std::vector<char*> argv;
  std::string bin = binary;
  argv.push_back(bin.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(bin.c_str(), argv.data());
  _exit(127);
}

}  // namespace

CommandResult run_vktrain(const std::vector<std::string>& args) { return run_program(VKTRAIN_BINARY, args); }

CommandResult run_program(const std::string& binary, const std::vector<std::string>& args) {
  TempDir io;
  const std::string out_path = (io / "stdout").string(), err_path = (io / "stderr").string();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) exec_program(binary, args, out_path, err_path);
  CommandResult r;
  r.exit_code = wait_exit(pid);
  r.out = read_text(out_path);
  r.err = read_text(err_path);
  return r;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<nlohmann::json> read_jsonl(const std::string& path) {
  std::vector<nlohmann::json> rows;
  std::istringstream in(read_text(path));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  return rows;
}

nlohmann::json last_json_line(const std::string& out) {
  std::istringstream in(out);
  std::string last;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) last = line;
  return nlohmann::json::parse(last);
}

pid_t start_vktrain(const std::vector<std::string>& args, const std::string& log,
                    const std::map<std::string, std::string>& env) {
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
    const std::string to = log.empty() ? "/dev/null" : log;
    exec_program(VKTRAIN_BINARY, args, to, to);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

nlohmann::json study_report(const std::string& study) {
  const auto r = run_vktrain({"report", study, "--json"});
  INFO("vktrain report: " << r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

void check_trial_ids(const nlohmann::json& report, size_t n) {
  std::set<int64_t> ids;
  for (const auto& t : report["trials"]) ids.insert(t["id"].get<int64_t>());
  CHECK(report["trials"].size() == n);
  CHECK(ids.size() == n);
  CHECK((ids.empty() || (*ids.begin() == 0 && *ids.rbegin() == int64_t(n) - 1)));
}

}  // namespace vkt::test
