// End-to-end tests of `vktrain tune` / `report` with real (small) training trials:
// resume to the total, a refused space, a diverged trial, two workers, and SIGKILL at random
// moments followed by a resume. Trials train the MLP on 600 Fashion-MNIST images. Then
// --command studies, which need neither data nor a device.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "tests/cli_runner.hpp"
#include "tests/temp_dir.hpp"
#include "tuning/storage/journal.hpp"
#include "tuning/value.hpp"

using namespace vkt::test;
using json = nlohmann::json;

namespace {

bool have_data() { return std::filesystem::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"); }

const char* kSpace = R"({"lr": {"type": "float", "low": 1e-4, "high": 1e-2, "log": true},
  "hidden": {"type": "int", "low": 32, "high": 128, "step": 32}, "batch": 64})";

std::vector<std::string> tune_args(const std::string& space, const std::string& study, int trials,
                                   std::vector<std::string> extra = {}, int epochs = 1) {
  std::vector<std::string> a = {"tune", "--space", space, "--study", study, "--model", "mlp", "--epochs",
                                std::to_string(epochs), "--train-limit", "600", "--trials", std::to_string(trials),
                                "--seed", "3"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

}  // namespace

TEST_CASE("tune: a study runs, resumes to its total with two workers, and refuses another space") {
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  TempDir dir;
  const std::string space = (dir / "space.json").string(), study = (dir / "s.vkts").string();
  std::ofstream(space) << kSpace;
  const auto first = run_vktrain(tune_args(space, study, 3));
  INFO("stderr: " << first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(first.err.find("validation") == std::string::npos);
  const json a = study_report(study);
  check_trial_ids(a, 3);
  for (const auto& t : a["trials"]) CHECK(t["state"] == "complete");

  const auto more = run_vktrain(tune_args(space, study, 6, {"--workers", "2"}));
  INFO("stderr: " << more.err);
  REQUIRE(more.exit_code == 0);
  const json b = study_report(study);
  check_trial_ids(b, 6);
  for (const auto& t : a["trials"])  // the first three are kept as they were
    for (const auto& u : b["trials"])
      if (u["id"] == t["id"]) CHECK(u["params"] == t["params"]);
  CHECK(b["best"]["value"].get<double>() >= a["best"]["value"].get<double>());

  // Asking again for the same total runs nothing new.
  REQUIRE(run_vktrain(tune_args(space, study, 6)).exit_code == 0);
  check_trial_ids(study_report(study), 6);

  // The suggested command retrains the best trial: the study's own train options included.
  const auto text_report = run_vktrain({"report", study});
  REQUIRE(text_report.exit_code == 0);
  const std::string best_seed = " --seed " + std::to_string(b["best"]["seed"].get<uint64_t>()) + " ";
  CHECK(text_report.out.find("vktrain train --model mlp --train-limit 600 --epochs 1" + best_seed) !=
        std::string::npos);

  // Other fixed train options make another study.
  const auto other_options = run_vktrain(tune_args(space, study, 8, {"--l2", "0.001"}));
  CHECK(other_options.exit_code == 2);

  std::ofstream(space) << R"({"lr": {"type": "float", "low": 1e-3, "high": 1e-1, "log": true}})";
  const auto refused = run_vktrain(tune_args(space, study, 8));
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("different") != std::string::npos);

  const auto html = run_vktrain({"report", study, "--html", (dir / "r.html").string()});
  REQUIRE(html.exit_code == 0);
  std::ifstream page((dir / "r.html").string());
  const std::string text((std::istreambuf_iterator<char>(page)), std::istreambuf_iterator<char>());
  CHECK(text.find("<svg") != std::string::npos);
  CHECK(text.find("parallel coordinates") != std::string::npos);
}

TEST_CASE("tune: a diverging trial is recorded as diverged and the study goes on") {
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  TempDir dir;
  const std::string space = (dir / "space.json").string(), study = (dir / "s.vkts").string();
  std::ofstream(space) << R"({"lr": {"type": "categorical", "choices": [1e30, 0.001]}, "optimizer": "sgd"})";
  const auto r = run_vktrain(tune_args(space, study, 2, {"--sampler", "grid"}));
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  std::set<std::string> states;
  const json rep = study_report(study);
  INFO("report: " << rep.dump());
  for (const auto& t : rep["trials"]) states.insert(t["state"].get<std::string>());
  CHECK(states == std::set<std::string>{"complete", "diverged"});
}

TEST_CASE("tune: SIGKILL at random moments loses no finished trial, duplicates none, resumes from checkpoints") {
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  TempDir dir;
  const std::string space = (dir / "space.json").string(), study = (dir / "s.vkts").string();
  std::ofstream(space) << kSpace;
  const auto args = tune_args(space, study, 5, {}, 3);
  std::mt19937 rng(12345);
  for (int round = 0; round < 4; ++round) {
    const pid_t pid = start_vktrain(args);
    std::this_thread::sleep_for(std::chrono::milliseconds(800 + rng() % 2500));
    kill(pid, SIGKILL);
    wait_exit(pid);
  }
  const auto finish = run_vktrain(args);
  INFO("stderr: " << finish.err);
  REQUIRE(finish.exit_code == 0);
  const json rep = study_report(study);
  check_trial_ids(rep, 5);
  for (const auto& t : rep["trials"]) {
    CHECK(t["state"] == "complete");
    CHECK(t["epochs_done"] == 3);
    CHECK(t["curve"].size() == 3);
  }
  // The journal itself: a trial taken over after its owner died continued from its checkpoint.
  vkt::tune::storage::Journal journal(study);
  int resumed = 0;
  for (const auto& t : journal.state().trials) {
    resumed += t.resumed;
    if (t.resumed) CHECK(t.checkpoint.has_value());
  }
  MESSAGE("trials resumed after a kill: " << resumed);
}

// ---- --command studies: any program as the objective; no data, no device ---------------

namespace {

// Hides every Vulkan driver from the vktrain runs meanwhile, so opening a device would fail
// them; the variables are put back as they were (a CI may point them at its driver).
class NoVulkanDrivers {
 public:
  NoVulkanDrivers() {
    for (const char* name : kNames) {
      const char* v = std::getenv(name);
      saved_.emplace_back(v ? std::optional<std::string>(v) : std::nullopt);
      setenv(name, "/nonexistent/icd.json", 1);
    }
  }
  ~NoVulkanDrivers() {
    for (size_t i = 0; i < saved_.size(); ++i)
      saved_[i] ? setenv(kNames[i], saved_[i]->c_str(), 1) : unsetenv(kNames[i]);
  }

 private:
  static constexpr const char* kNames[] = {"VK_ICD_FILENAMES", "VK_DRIVER_FILES"};
  std::vector<std::optional<std::string>> saved_;
};

std::vector<std::string> command_args(const std::string& space, const std::string& study, const std::string& command,
                                      std::vector<std::string> extra) {
  std::vector<std::string> a = {"tune", "--space", space, "--study", study, "--command", command};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

}  // namespace

TEST_CASE("tune --command: a study runs any command, with two workers, and the report shows the command") {
  TempDir dir;
  const NoVulkanDrivers no_drivers;
  const std::string space = (dir / "space.json").string(), study = (dir / "s.vkts").string();
  std::ofstream(space) << R"({"x": {"type": "float", "low": 0, "high": 1}, "scale": 2})";
  const std::string cmd = R"(echo "log line"; echo "{\"epoch\": 1, \"value\": {x}}"; echo "{\"value\": {x}}")";
  const auto first = run_vktrain(command_args(space, study, cmd, {"--sampler", "random", "--trials", "5",
                                                                  "--direction", "minimize", "--epochs", "1"}));
  INFO("stderr: " << first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(first.out.find("best: trial ") != std::string::npos);
  CHECK(first.out.find("scale=2") != std::string::npos);
  CHECK(first.out.find("vktrain train") == std::string::npos);

  const auto more = run_vktrain(command_args(space, study, cmd, {"--sampler", "random", "--trials", "8",
                                                                 "--direction", "minimize", "--epochs", "1",
                                                                 "--workers", "2"}));
  INFO("stderr: " << more.err);
  REQUIRE(more.exit_code == 0);
  const json rep = study_report(study);
  check_trial_ids(rep, 8);
  CHECK(rep["direction"] == "minimize");
  double lowest = 2;
  for (const auto& t : rep["trials"]) {
    CHECK(t["state"] == "complete");
    CHECK(t["value"].get<double>() == t["params"]["x"].get<double>());  // the command printed x
    CHECK(t["curve"].size() == 1);
    lowest = std::min(lowest, t["value"].get<double>());
  }
  CHECK(rep["best"]["value"].get<double>() == lowest);

  vkt::tune::storage::Journal journal(study);
  CHECK(journal.state().settings["command"] == cmd);
  CHECK(journal.state().settings["train_args"].empty());

  const auto text = run_vktrain({"report", study});
  REQUIRE(text.exit_code == 0);
  const std::string best_x = vkt::tune::to_string(vkt::tune::Value(rep["best"]["params"]["x"].get<double>()));
  CHECK(text.out.find(R"(echo "{\"value\": )" + best_x + R"(}")") != std::string::npos);
}

TEST_CASE("tune --command: failing and timed-out trials are recorded with their reason and the study goes on") {
  TempDir dir;
  const std::string space = (dir / "space.json").string(), study = (dir / "s.vkts").string();
  std::ofstream(space) << R"({"n": {"type": "int", "low": 1, "high": 4}})";
  const std::string cmd = R"(case {n} in 2) echo 'bad n' >&2; exit 3;; 3) sleep 30;; esac; echo "{\"value\": {n}}")";
  const auto r = run_vktrain(
      command_args(space, study, cmd, {"--sampler", "grid", "--trials", "4", "--trial-timeout", "1"}));
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  const json rep = study_report(study);
  std::map<int64_t, json> by_n;
  for (const auto& t : rep["trials"]) by_n[t["params"]["n"].get<int64_t>()] = t;
  REQUIRE(by_n.size() == 4);
  CHECK(by_n[1]["state"] == "complete");
  CHECK(by_n[2]["state"] == "failed");
  CHECK(by_n[2]["reason"] == "command exited with status 3: bad n");
  CHECK(by_n[3]["state"] == "failed");
  CHECK(by_n[3]["reason"] == "command timed out after 1 s");
  CHECK(by_n[4]["state"] == "complete");
  const auto text = run_vktrain({"report", study});
  CHECK(text.out.find("failed") != std::string::npos);
  CHECK(text.out.find(R"(echo "{\"value\": 4}")") != std::string::npos);  // maximized by default
}

TEST_CASE("tune --command: an unknown {name} and conflicting options are refused in one line") {
  TempDir dir;
  const std::string space = (dir / "space.json").string(), study = (dir / "s.vkts").string();
  std::ofstream(space) << R"({"lr": {"type": "float", "low": 0.001, "high": 0.1}})";
  auto refused = [&](std::vector<std::string> args, const std::string& says) {
    const auto r = run_vktrain(args);
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.err.find(says) != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(study));  // refused before the study file is made
  };
  refused(command_args(space, study, "prog --lr {lr} --depth {depth}", {}), "{depth}");
  refused({"tune", "--space", space, "--study", study, "--objective", "val_loss", "--direction", "maximize"},
          "--direction");
  refused(command_args(space, study, "prog {lr}", {"--objective", "val_loss"}), "--objective");
  refused(command_args(space, study, "prog {lr}", {"--model", "mlp"}), "--model");
  refused(command_args(space, study, "prog {lr}", {"--direction", "sideways"}), "sideways");
}
