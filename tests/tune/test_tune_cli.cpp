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

#include "nn/checkpoint/training_state.hpp"
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

// The checkpoints (trial id, epoch) of the running trials, read without writing as `report`
// does; a study still being created reads as none.
std::set<std::pair<int64_t, int>> running_checkpoints(const std::string& study) {
  std::set<std::pair<int64_t, int>> found;
  try {
    const vkt::tune::storage::Journal journal(study);
    for (const auto& t : journal.state().trials)
      if (t.state == vkt::tune::TrialState::Running && t.checkpoint) found.emplace(t.id, t.checkpoint->first);
  } catch (const std::exception&) {
  }
  return found;
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
  // The table shows 4 significant digits of each learning rate; the JSON keeps every digit
  // (the sampled doubles, bit for bit), and so does the best trial's command, which must
  // reproduce it.
  for (const auto& t : b["trials"]) {
    const double lr = t["params"]["lr"].get<double>();
    const std::string shown = "lr=" + vkt::tune::to_display_string(lr), full = vkt::tune::to_string(lr);
    CAPTURE(full);
    CHECK(shown.size() <= 3 + 10);  // "lr=" and e.g. "0.0001234" or "1.235e-05"
    CHECK((text_report.out.find(shown + " ") != std::string::npos || text_report.out.find(shown + "\n") != std::string::npos));
    const bool is_best = t["id"] == b["best"]["id"];
    if (full.size() > shown.size() - 3)  // every sampled lr has more digits than the table's
      CHECK(text_report.out.find("=" + full) == std::string::npos);
    if (is_best) CHECK(text_report.out.find("--lr " + full) != std::string::npos);
  }

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
  // One table row per trial, best first, each with its state and its parameters.
  size_t rows = 0;
  for (size_t at = text.find("<tr><td>"); at != std::string::npos; at = text.find("<tr><td>", at + 1)) ++rows;
  CHECK(rows == b["trials"].size());
  const std::string best_row = "<tr><td>1</td><td>" + std::to_string(b["best"]["id"].get<int64_t>()) + "</td>";
  CHECK(text.find(best_row) != std::string::npos);
  for (const auto& t : b["trials"]) {
    const std::string cells = "</td><td>" + std::to_string(t["id"].get<int64_t>()) + "</td><td>complete</td>";
    const size_t row = text.find(cells);
    REQUIRE_MESSAGE(row != std::string::npos, "no row for trial " << t["id"]);
    const std::string line = text.substr(row, text.find("</tr>", row) - row);
    CHECK_MESSAGE(line.find("hidden=" + std::to_string(t["params"]["hidden"].get<int64_t>())) != std::string::npos, line);
    CHECK_MESSAGE(line.find("lr=") != std::string::npos, line);
  }
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

TEST_CASE("tune --patience: a trial whose objective stops improving ends early, as train's run would") {
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  TempDir dir;
  // An lr so small that no weight changes in float: every epoch has the same validation
  // accuracy, never an improvement. The other trial learns.
  const std::string space = (dir / "space.json").string();
  std::ofstream(space) << R"({"lr": {"type": "categorical", "choices": [1e-12, 0.05]}, "optimizer": "sgd"})";
  auto curves = [&](const std::string& name, std::vector<std::string> extra) {
    const std::string study = (dir / name).string();
    extra.insert(extra.end(), {"--sampler", "grid"});
    const auto r = run_vktrain(tune_args(space, study, 2, extra, 4));
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    std::map<double, size_t> epochs_by_lr;
    const json rep = study_report(study);  // kept: a loop over a temporary's member would dangle
    for (const auto& t : rep["trials"]) {
      CHECK(t["state"] == "complete");
      epochs_by_lr[t["params"]["lr"].get<double>()] = t["curve"].size();
    }
    return epochs_by_lr;
  };
  const auto without = curves("plain.vkts", {});
  CHECK(without == std::map<double, size_t>{{1e-12, 4}, {0.05, 4}});
  // Patience 2: epochs 2 and 3 bring no improvement over epoch 1, so the frozen trial stops
  // after epoch 3; the learning one improves every epoch (600 images, lr 0.05) and runs all 4.
  const auto with = curves("patience.vkts", {"--patience", "2"});
  CHECK(with.at(1e-12) == 3);
  CHECK(with.at(0.05) == 4);
}

TEST_CASE("tune: SIGKILL at random moments loses no finished trial, duplicates none, resumes from checkpoints") {
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  TempDir dir;
  const std::string space = (dir / "space.json").string(), study = (dir / "s.vkts").string();
  std::ofstream(space) << kSpace;
  const auto args = tune_args(space, study, 5, {}, 3);
  std::mt19937 rng(12345);
  int killed_with_checkpoint = 0;
  for (int round = 0; round < 4; ++round) {
    const pid_t pid = start_vktrain(args);
    if (round % 2 == 0) {
      // A random moment: before the study exists, between trials, mid-write.
      std::this_thread::sleep_for(std::chrono::milliseconds(800 + rng() % 2500));
    } else {
      // Once this process has written a checkpoint of a running trial (orphans of earlier
      // rounds do not count), so the next process has an orphan to resume.
      const auto before = running_checkpoints(study);
      auto is_new = [&] {
        for (const auto& c : running_checkpoints(study))
          if (!before.count(c)) return true;
        return false;
      };
      bool found = false;
      for (int poll = 0; poll < 600 && !(found = is_new()); ++poll)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      killed_with_checkpoint += found;
    }
    kill(pid, SIGKILL);
    wait_exit(pid);
  }
  REQUIRE_MESSAGE(killed_with_checkpoint == 2, "no running trial wrote a checkpoint within 30 s");
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
  // Each kill with a checkpoint left an orphan that the next process took over.
  CHECK_MESSAGE(resumed >= killed_with_checkpoint, "trials resumed after a kill: " << resumed);
}

TEST_CASE("tune --checkpoint-every: a trial killed mid-epoch resumes from its mid-epoch checkpoint") {
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  TempDir dir;
  const std::string space = (dir / "space.json").string();
  std::ofstream(space) << kSpace;
  // 3,000 training images (the limit applies after the validation split) of batch 64: 46 steps
  // an epoch, 9 mid-epoch checkpoints in each.
  auto args = [&](const std::string& study) {
    return std::vector<std::string>{"tune", "--space", space, "--study", study, "--model", "mlp", "--epochs", "3",
                                    "--train-limit", "3000", "--trials", "1", "--seed", "3", "--checkpoint-every", "5"};
  };
  const std::string reference = (dir / "reference.vkts").string();
  const auto uninterrupted = run_vktrain(args(reference));
  INFO("stderr: " << uninterrupted.err);
  REQUIRE(uninterrupted.exit_code == 0);
  const json want = study_report(reference)["trials"][0];

  // Kill the worker as soon as its trial has a checkpoint; a few tries, since the last one
  // may be an epoch end's (or the trial may finish first).
  std::optional<vkt::nn::TrainingState> killed_at;
  std::string study;
  for (int attempt = 0; attempt < 8 && !killed_at; ++attempt) {
    study = (dir / "s").string();
    study += std::to_string(attempt);
    study += ".vkts";
    const pid_t pid = start_vktrain(args(study));
    for (int poll = 0; poll < 30000 && running_checkpoints(study).empty(); ++poll)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    kill(pid, SIGKILL);
    wait_exit(pid);
    const vkt::tune::storage::Journal journal(study);
    const auto& trials = journal.state().trials;
    if (trials.empty() || trials[0].state != vkt::tune::TrialState::Running || !trials[0].checkpoint) continue;
    const auto state = vkt::nn::read_training_state(trials[0].checkpoint->second);
    if (state.position_in_epoch == 0) continue;
    // Journaled as the step of the epoch in progress.
    CHECK(trials[0].checkpoint->first == int(state.epoch) + 1);
    killed_at = state;
  }
  REQUIRE_MESSAGE(killed_at, "no kill landed after a mid-epoch checkpoint in 8 tries");

  // Mark the state: one more loss unit per sample of the epoch in its sums. A resumed trial
  // that goes on from it reports that epoch's training loss higher by exactly 1; one that
  // started afresh would not.
  vkt::nn::TrainingState marked = *killed_at;
  const uint64_t samples_per_epoch = (3000 / 64) * 64;
  marked.epoch_sums.loss_sum += float(samples_per_epoch);
  {
    const vkt::tune::storage::Journal journal(study);
    vkt::nn::write_training_state(journal.state().trials[0].checkpoint->second, marked);
  }
  const auto finish = run_vktrain(args(study));
  INFO("stderr: " << finish.err);
  REQUIRE(finish.exit_code == 0);
  const json got = study_report(study)["trials"][0];
  INFO("uninterrupted: " << want.dump() << "\nresumed: " << got.dump());
  CHECK(got["state"] == "complete");
  CHECK(got.value("resumed", 0) == 1);
  CHECK(got["params"] == want["params"]);
  REQUIRE(got["curve"].size() == 3);
  REQUIRE(want["curve"].size() == 3);
  for (size_t e = 0; e < 3; ++e) {
    // The weights went on bit for bit: the same validation value every epoch.
    CHECK(got["curve"][e]["value"] == want["curve"][e]["value"]);
    const double extra = e == killed_at->epoch ? 1.0 : 0.0;
    CHECK(got["curve"][e]["loss"].get<double>() ==
          doctest::Approx(want["curve"][e]["loss"].get<double>() + extra).epsilon(1e-4));
  }
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

TEST_CASE("tune: a space whose trials cannot train is refused up front, naming the key, with no study made") {
  TempDir dir;
  const NoVulkanDrivers no_drivers;  // refused before any data or device is touched
  const std::string space = (dir / "space.json").string(), study = (dir / "s.vkts").string();
  const std::pair<const char*, const char*> cases[] = {
      {R"({"hiden": {"type": "int", "low": 32, "high": 64}})", "$hiden"},                      // a typo
      {R"({"batch": {"type": "categorical", "choices": [32, "big"]}})", "batch=big"},          // a wrong type
      {R"({"lr": 0.01, "optimizer": {"type": "categorical", "choices": ["adam", "adamm"]}})", "adamm"},
      {R"({"hidden": {"type": "int", "low": 0, "high": 64, "step": 32}})", "hidden=0"},          // out of range
  };
  for (const auto& each : cases) {
    const char *text = each.first, *named = each.second;
    std::ofstream(space) << text;
    CAPTURE(text);
    const auto r = run_vktrain(tune_args(space, study, 3));
    CHECK(r.exit_code == 2);
    CHECK_MESSAGE(r.err.find(named) != std::string::npos, r.err);
    CHECK_MESSAGE(r.err.find("cannot train") != std::string::npos, r.err);
    CHECK_MESSAGE(std::count(r.err.begin(), r.err.end(), '\n') == 1, r.err);
    CHECK_FALSE(std::filesystem::exists(study));
  }
}

TEST_CASE("tune --workers --json: the summary is printed once every worker has stopped, with all their trials") {
  TempDir dir;
  const NoVulkanDrivers no_drivers;
  const std::string space = (dir / "space.json").string(), study = (dir / "s.vkts").string();
  std::ofstream(space) << R"({"x": {"type": "float", "low": 0, "high": 1}})";
  // Worker 0's trials are instant; those of the workers it forked (their parent is a vktrain)
  // take a second, so worker 0 runs out of trials to claim while they are still running.
  const std::string cmd =
      R"sh(gp=$(cut -d' ' -f4 /proc/$PPID/stat); [ "$(cat /proc/$gp/comm)" = vktrain ] && sleep 1; echo "{\"value\": {x}}")sh";
  const auto r = run_vktrain(command_args(space, study, cmd, {"--sampler", "random", "--trials", "8", "--epochs", "1",
                                                              "--workers", "4", "--json"}));
  INFO("stderr: " << r.err << "\nstdout: " << r.out);
  REQUIRE(r.exit_code == 0);
  const json summary = json::parse(r.out);
  REQUIRE(summary["trials"].size() == 8);
  for (const auto& t : summary["trials"]) CHECK(t["state"] == "complete");
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
