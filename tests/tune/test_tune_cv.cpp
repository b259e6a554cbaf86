// End-to-end tests of cross-validation (`train --cv`, `tune --cv`), a cross-validated trial
// killed in its second fold and resumed there, and `tune --refit`. Trials train the MLP on
// 1,200 Fashion-MNIST images (600 per fold's training half with --cv 2).
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/cli_runner.hpp"
#include "tests/temp_dir.hpp"
#include "tuning/storage/journal.hpp"

using namespace vkt::test;
using json = nlohmann::json;

namespace {

void require_data() {
  REQUIRE_MESSAGE(std::filesystem::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"),
                  "these tests train on Fashion-MNIST: apt-get install dataset-fashion-mnist");
}

const char* kSpace = R"({"lr": {"type": "float", "low": 1e-3, "high": 1e-2, "log": true},
  "hidden": {"type": "int", "low": 32, "high": 64, "step": 32}, "batch": 64})";

std::vector<std::string> cv_tune_args(const std::string& space, const std::string& study, int trials, int epochs,
                                      std::vector<std::string> extra = {}) {
  std::vector<std::string> a = {"tune",   "--space", space, "--study", study, "--model", "mlp",
                                "--epochs", std::to_string(epochs), "--train-limit", "1200", "--cv", "2",
                                "--trials", std::to_string(trials), "--seed", "11", "--sampler", "random"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

}  // namespace

TEST_CASE("train --cv: K folds, their mean and spread, no model to save") {
  require_data();
  const auto r = run_vktrain({"train", "--model", "mlp", "--train-limit", "900", "--cv", "3", "--epochs", "1",
                              "--seed", "4", "--json"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  const json j = json::parse(r.out);
  REQUIRE(j["fold_val_acc"].size() == 3);
  double mean = 0;
  for (const auto& v : j["fold_val_acc"]) {
    CHECK(v.get<double>() > 0.3);  // 300 images per fold: an MLP learns something in one epoch
    mean += v.get<double>() / 3;
  }
  CHECK(j["val_acc_mean"].get<double>() == doctest::Approx(mean));
  CHECK(j["val_acc_std"].get<double>() >= 0);
  // The same seed gives the same folds and the same models.
  const auto again = run_vktrain({"train", "--model", "mlp", "--train-limit", "900", "--cv", "3", "--epochs", "1",
                                  "--seed", "4", "--json"});
  CHECK(json::parse(again.out)["fold_val_acc"] == j["fold_val_acc"]);

  const auto save = run_vktrain({"train", "--model", "mlp", "--cv", "3", "--save", "/tmp/never.safetensors"});
  CHECK(save.exit_code == 2);
  CHECK(save.err.find("--cv cannot be combined with --save") != std::string::npos);
  CHECK(run_vktrain({"train", "--model", "mlp", "--cv", "1"}).exit_code == 2);
}

TEST_CASE("tune --cv: a trial killed in fold 2 resumes in fold 2 and ends as an uninterrupted one") {
  require_data();
  TempDir dir;
  const std::string space = (dir / "space.json").string();
  std::ofstream(space) << kSpace;
  const int epochs = 3;  // steps 1-3 are fold 1, 4-6 fold 2

  const std::string whole = (dir / "whole.vkts").string();
  const auto straight = run_vktrain(cv_tune_args(space, whole, 1, epochs));
  INFO("stderr: " << straight.err);
  REQUIRE(straight.exit_code == 0);
  const json expected = study_report(whole)["trials"][0];
  REQUIRE(expected["cv"]["folds"].size() == 2);

  // The same study again, killed once its trial has reported fold 2's first epoch.
  const std::string study = (dir / "killed.vkts").string();
  const pid_t pid = start_vktrain(cv_tune_args(space, study, 1, epochs), (dir / "killed.log").string());
  int reached = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (reached < epochs + 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (!std::filesystem::exists(study)) continue;
    vkt::tune::storage::Journal j(study);
    if (!j.state().trials.empty()) reached = j.state().trials[0].epochs_done();
  }
  kill(pid, SIGKILL);
  wait_exit(pid);
  {
    vkt::tune::storage::Journal j(study);
    REQUIRE(j.state().trials.size() == 1);
    const auto& t = j.state().trials[0];
    INFO("steps reported before the kill: " << t.epochs_done());
    // Killed in fold 2 (its checkpoint written after step 4 or 5), before the trial ended.
    REQUIRE(t.state == vkt::tune::TrialState::Running);
    REQUIRE(t.epochs_done() > epochs);
    REQUIRE(t.epochs_done() < 2 * epochs);
    REQUIRE(t.checkpoint.has_value());
  }
  const auto resumed = run_vktrain(cv_tune_args(space, study, 1, epochs));
  INFO("stderr: " << resumed.err);
  REQUIRE(resumed.exit_code == 0);
  vkt::tune::storage::Journal j(study);
  CHECK(j.state().trials[0].resumed == 1);
  const json got = study_report(study)["trials"][0];
  CHECK(got["state"] == "complete");
  CHECK(got["epochs_done"] == 2 * epochs);
  // Resume is bit-exact: the same folds, the same per-step values, the same mean.
  CHECK(got["cv"]["folds"] == expected["cv"]["folds"]);
  CHECK(got["value"] == expected["value"]);
  for (size_t i = 0; i < got["curve"].size(); ++i) CHECK(got["curve"][i]["value"] == expected["curve"][i]["value"]);
}

TEST_CASE("tune --cv --refit: the best setting retrained on every training image and tested") {
  require_data();
  TempDir dir;
  const std::string space = (dir / "space.json").string(), study = (dir / "s.vkts").string();
  std::ofstream(space) << kSpace;
  const auto r = run_vktrain(cv_tune_args(space, study, 3, 1, {"--refit", "--pruner", "hyperband"}));
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("refit: trial ") != std::string::npos);
  const json rep = study_report(study);
  REQUIRE(rep.contains("refit"));
  CHECK(rep["refit"]["trial"] == rep["best"]["id"]);
  CHECK(rep["refit"]["train_images"] == 1200);  // both folds: the whole (limited) training set
  CHECK(rep["refit"]["test_acc"].get<double>() > 0.5);
  CHECK(rep["refit"]["test_acc"].get<double>() <= 1.0);
  for (const auto& t : rep["trials"]) {
    if (t["state"] != "complete") continue;
    // A cross-validated trial's value is the mean of its folds.
    CHECK(t["value"].get<double>() ==
          doctest::Approx((t["cv"]["folds"][0].get<double>() + t["cv"]["folds"][1].get<double>()) / 2));
  }
  const auto text = run_vktrain({"report", study});
  CHECK(text.out.find("cv_std") != std::string::npos);
  CHECK(text.out.find("refit: trial") != std::string::npos);
}
