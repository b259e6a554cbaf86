// `vktrain tune` and `report` on PostgreSQL studies, end to end, on the tests' own server
// (tests/support/postgres_server.hpp): --command studies, so no data or device is needed.
// Several processes on one study, and the one-line errors with their exit codes.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdlib.h>

#include "tests/cli_runner.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/temp_dir.hpp"

using namespace vkt::test;
using json = nlohmann::json;

namespace {

// What a command study's trial runs: reports x, and notes its trial id in `log` (appends of a
// few bytes: whole lines even from processes writing at once).
std::string command_logging_to(const std::string& log) {
  return "echo $VKTRAIN_TRIAL_ID >> '" + log + "'; echo \"{\\\"epoch\\\": 1, \\\"value\\\": {x}}\"; echo \"{\\\"value\\\": {x}}\"";
}

std::vector<std::string> tune_args(const std::string& space, const std::string& study, const std::string& command,
                                   int trials, std::vector<std::string> extra = {}) {
  std::vector<std::string> a = {"tune", "--space", space, "--study", study, "--command", command,
                                "--sampler", "random", "--trials", std::to_string(trials), "--epochs", "1"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

std::multiset<int64_t> logged_ids(const std::string& log) {
  std::ifstream in(log);
  std::multiset<int64_t> ids;
  for (int64_t id; in >> id;) ids.insert(id);
  return ids;
}

bool mentions_password(const CommandResult& r, const std::string& password = PostgresServer::kPassword) {
  return r.out.find(password) != std::string::npos || r.err.find(password) != std::string::npos;
}

// One line on stderr, saying `says`, with exit code `code`, and never the password.
void check_one_line_error(const CommandResult& r, int code, const std::string& says, const std::string& password) {
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == code);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.find(says) != std::string::npos);
  CHECK(r.err.find(password) == std::string::npos);
}

}  // namespace

TEST_CASE("tune postgres: a --command study runs on PostgreSQL, resumes with two workers, and report reads it") {
  const PostgresServer& server = shared_postgres();
  TempDir dir;
  const std::string space = (dir / "space.json").string(), log = (dir / "ran.log").string();
  std::ofstream(space) << R"({"x": {"type": "float", "low": 0, "high": 1}})";
  const std::string name = unique_study_name("cli");
  const std::string study = server.uri(name);
  const std::string shown = "postgresql://vktrain_test@127.0.0.1:" + std::to_string(server.port()) +
                            "/vktrain_test?study=" + name;

  const auto first = run_vktrain(tune_args(space, study, command_logging_to(log), 3));
  INFO("stderr: " << first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(first.out.find("study " + shown + ": 3 trials") != std::string::npos);
  CHECK_FALSE(mentions_password(first));

  const auto more = run_vktrain(tune_args(space, study, command_logging_to(log), 7, {"--workers", "2"}));
  INFO("stderr: " << more.err);
  REQUIRE(more.exit_code == 0);
  CHECK_FALSE(mentions_password(more));
  const std::multiset<int64_t> ran = logged_ids(log);
  CHECK(ran.size() == 7);
  for (int64_t i = 0; i < 7; ++i) CHECK(ran.count(i) == 1);

  const json rep = study_report(study);  // `report STUDY --json`
  check_trial_ids(rep, 7);
  for (const auto& t : rep["trials"]) {
    CHECK(t["state"] == "complete");
    CHECK(t["value"].get<double>() == t["params"]["x"].get<double>());
  }
  const auto text = run_vktrain({"report", "--study", study});
  INFO("stderr: " << text.err);
  REQUIRE(text.exit_code == 0);
  CHECK(text.out.find("best: trial " + std::to_string(rep["best"]["id"].get<int64_t>())) != std::string::npos);
  // The password may come from the environment instead, as libpq reads it there by itself.
  setenv("PGPASSWORD", PostgresServer::kPassword, 1);
  const auto via_env = run_vktrain({"report", shown});
  unsetenv("PGPASSWORD");
  INFO("stderr: " << via_env.err);
  CHECK(via_env.exit_code == 0);
  CHECK(via_env.out == text.out);
  const auto html = run_vktrain({"report", study, "--html", (dir / "r.html").string()});
  REQUIRE(html.exit_code == 0);
  std::ifstream page((dir / "r.html").string());
  const std::string page_text((std::istreambuf_iterator<char>(page)), std::istreambuf_iterator<char>());
  CHECK(page_text.find(name) != std::string::npos);
  CHECK(page_text.find(PostgresServer::kPassword) == std::string::npos);

  // The same name with another space is another study: refused, as for a journal file.
  std::ofstream(space) << R"({"x": {"type": "float", "low": 0, "high": 2}})";
  const auto refused = run_vktrain(tune_args(space, study, command_logging_to(log), 8));
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("different") != std::string::npos);
  CHECK_FALSE(mentions_password(refused));
}

TEST_CASE("tune postgres: processes started at once on a new study run every trial exactly once") {
  const PostgresServer& server = shared_postgres();
  TempDir dir;
  const std::string space = (dir / "space.json").string(), log = (dir / "ran.log").string();
  std::ofstream(space) << R"({"x": {"type": "float", "low": 0, "high": 1}})";
  const std::string study = server.uri(unique_study_name("crowd"));
  constexpr int kProcesses = 3, kTrials = 24;
  // Every process races to create the study, then to claim: 3 processes of 2 workers each.
  const auto args = tune_args(space, study, command_logging_to(log), kTrials, {"--workers", "2"});
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcesses; ++p) {
    pids.push_back(start_vktrain(args, (dir / ("worker-" + std::to_string(p) + ".log")).string()));
  }
  for (int p = 0; p < kProcesses; ++p) {
    INFO("worker " << p << ": " << read_text(dir / ("worker-" + std::to_string(p) + ".log")));
    CHECK(wait_exit(pids[size_t(p)]) == 0);
  }
  const std::multiset<int64_t> ran = logged_ids(log);
  CHECK(ran.size() == size_t(kTrials));
  for (int64_t i = 0; i < kTrials; ++i) CHECK(ran.count(i) == 1);
  const json rep = study_report(study);
  check_trial_ids(rep, kTrials);
  for (const auto& t : rep["trials"]) CHECK(t["state"] == "complete");
}

TEST_CASE("tune postgres: a wrong password, a closed port and a missing database fail in one line with exit 1") {
  const PostgresServer& server = shared_postgres();
  TempDir dir;
  const std::string space = (dir / "space.json").string();
  std::ofstream(space) << R"({"x": {"type": "float", "low": 0, "high": 1}})";
  const std::string wrong = "Wr0ng-pass-77";
  const std::string port = std::to_string(server.port());
  const std::string bad_password =
      "postgresql://" + std::string(PostgresServer::kUser) + ":" + wrong + "@127.0.0.1:" + port + "/vktrain_test?study=s";
  const std::string closed_port = "postgresql://" + std::string(PostgresServer::kUser) + ":" + wrong +
                                  "@127.0.0.1:" + std::to_string(free_port()) + "/vktrain_test?study=s";
  const std::string no_database = server.uri("s", "no_such_database");
  const std::map<std::string, std::string> says = {{bad_password, "password authentication failed"},
                                                   {closed_port, "Connection refused"},
                                                   {no_database, "database \"no_such_database\" does not exist"}};
  for (const auto& each : says) {
    const std::string &study = each.first, &message = each.second;
    CAPTURE(study);
    check_one_line_error(run_vktrain(tune_args(space, study, "echo '{\"value\": 1}'", 2)), 1, message, wrong);
    const auto report = run_vktrain({"report", study});
    check_one_line_error(report, 1, message, wrong);
    CHECK(report.out.empty());
  }
}

TEST_CASE("tune postgres: a malformed study URI is bad input: exit 2, one line, no password") {
  TempDir dir;
  const std::string space = (dir / "space.json").string();
  std::ofstream(space) << R"({"x": {"type": "float", "low": 0, "high": 1}})";
  const std::string pw = "Sekr1t-pw";
  const std::map<std::string, std::string> says = {
      {"postgresql://u:" + pw + "@127.0.0.1/db", "names no study"},
      {"postgresql://u:" + pw + "@127.0.0.1:notaport/db?study=s", "not a valid PostgreSQL URI"},
      {"postgres://u:" + pw + "@127.0.0.1/db?study=s&no_such_option=1", "not a valid PostgreSQL URI"}};
  for (const auto& each : says) {
    const std::string &study = each.first, &message = each.second;
    CAPTURE(study);
    check_one_line_error(run_vktrain(tune_args(space, study, "echo '{\"value\": 1}'", 2)), 2, message, pw);
    check_one_line_error(run_vktrain({"report", study}), 2, message, pw);
  }
  // The exit codes are documented where the user looks.
  const auto help = run_vktrain({"tune", "--help"});
  CHECK(help.out.find("Exit codes: 0 done; 1 a run-time failure") != std::string::npos);
  CHECK(help.out.find("--storage-timeout") != std::string::npos);
}
