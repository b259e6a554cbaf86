// Each training option reaches the trainer: a `vktrain train` run with the option set differs
// from the default run exactly when it should (a neutral value such as --l2 0 changes no
// bit), and a tuning trial's parameters become the same options as on the command line.
// The MLP on 600 Fashion-MNIST images, two epochs.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cli_runner.hpp"
#include "tests/nn_data/synthetic_data.hpp"
#include "tests/temp_dir.hpp"
#include "tuning/storage/journal.hpp"

using namespace vkt::test;
using json = nlohmann::json;

namespace {

bool have_data() { return std::filesystem::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"); }

// What a run did, to the bit: each epoch's training and validation loss, then the test loss.
struct Run {
  std::vector<double> losses;
  std::string status;
  int epochs = 0;
  bool operator==(const Run&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Run& r) {
  os << r.status << " after " << r.epochs << " epochs:";
  for (double v : r.losses) os << ' ' << v;
  return os;
}

Run train(const TempDir& dir, const std::vector<std::string>& options, int epochs = 2) {
  const std::string log = (dir / "log.jsonl").string();
  std::filesystem::remove(log);
  std::vector<std::string> args = {"train", "--model", "mlp", "--train-limit", "600", "--epochs",
                                   std::to_string(epochs), "--seed", "5", "--json", "--log", log};
  args.insert(args.end(), options.begin(), options.end());
  const auto r = run_vktrain(args);
  std::string cmd;
  for (const auto& a : options) cmd += " " + a;
  INFO("train" << cmd << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  Run out;
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const json row = json::parse(line);
    out.losses.push_back(row["loss"].get<double>());
    out.losses.push_back(row["val_loss"].get<double>());
  }
  std::istringstream lines(r.out);
  std::string line, last;
  while (std::getline(lines, line))
    if (!line.empty()) last = line;
  const json summary = json::parse(last);
  out.losses.push_back(summary["test_loss"].get<double>());
  out.status = summary["status"].get<std::string>();
  out.epochs = summary["epochs"].get<int>();
  return out;
}

}  // namespace

TEST_CASE("train options: each changes the run exactly when its value should") {
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  TempDir dir;
  const Run base = train(dir, {});
  REQUIRE(base.losses.size() == 5);
  CHECK(base.status == "ok");

  struct Case {
    std::vector<std::string> options;
    bool changes;
  };
  const std::vector<Case> cases = {
      {{"--schedule", "constant"}, false},  // the default
      {{"--schedule", "cosine"}, true},
      {{"--schedule", "step", "--decay", "1"}, false},  // gamma 1: the lr never moves
      {{"--schedule", "step", "--decay", "0.5", "--decay-steps", "3"}, true},
      {{"--schedule", "exp", "--decay", "0.9", "--decay-steps", "2"}, true},
      {{"--schedule", "inverse-time", "--decay", "0.5", "--decay-steps", "2"}, true},
      {{"--schedule", "linear"}, true},
      {{"--schedule", "linear", "--final-lr-ratio", "1"}, false},  // ends where it starts: constant
      {{"--schedule", "cosine", "--final-lr-ratio", "1"}, false},
      {{"--schedule", "plateau"}, false},  // patience 10: two epochs never reach a plateau
      {{"--loss", "cross_entropy"}, false},  // the default
      {{"--loss", "mse"}, true},
      {{"--augment", "none"}, false},  // the default
      {{"--augment", "crop:0,rotate:0,scale:0"}, false},  // the identity
      {{"--augment", "crop:2"}, true},
      {{"--augment", "flip"}, true},
      {{"--augment", "rotate:10"}, true},
      {{"--augment", "scale:0.1"}, true},
      {{"--warmup", "0"}, false},
      {{"--warmup", "5"}, true},
      {{"--clip-norm", "0"}, false},  // 0: off
      {{"--clip-norm", "0.01"}, true},
      {{"--l1", "0"}, false},
      {{"--l1", "0.001"}, true},
      {{"--l2", "0"}, false},
      {{"--l2", "0.001"}, true},
      {{"--optimizer", "adam"}, false},  // the default
      {{"--optimizer", "adamw", "--weight-decay", "0.01"}, true},
      {{"--optimizer", "rmsprop"}, true},
      {{"--optimizer", "adagrad"}, true},
      {{"--eps", "1e-7"}, false},  // Adam's default
      {{"--eps", "0.1"}, true},
      {{"--optimizer", "sgd"}, true},
      {{"--init", "glorot_uniform"}, false},  // the default
      {{"--init", "he_normal"}, true},
      {{"--dropout", "0.2"}, false},  // the preset's default
      {{"--dropout", "0.5"}, true},
      {{"--hidden", "128"}, false},
      {{"--hidden", "64"}, true},
  };
  for (const Case& c : cases) {
    std::string cmd;
    for (const auto& a : c.options) cmd += " " + a;
    const Run run = train(dir, c.options);
    INFO("train" << cmd << "\n  got " << run << "\n  default " << base);
    CHECK((run == base) == !c.changes);
  }

  // Options that only mean something beside another: each value of the second matters.
  const Run sgd = train(dir, {"--optimizer", "sgd", "--lr", "0.05"});
  CHECK(train(dir, {"--optimizer", "sgd", "--lr", "0.05", "--momentum", "0"}) == sgd);
  CHECK(!(train(dir, {"--optimizer", "sgd", "--lr", "0.05", "--momentum", "0.9"}) == sgd));
  const Run momentum = train(dir, {"--optimizer", "momentum", "--lr", "0.05"});
  CHECK(!(momentum == sgd));
  CHECK(train(dir, {"--optimizer", "momentum", "--lr", "0.05", "--momentum", "0.9"}) == momentum);  // its default
  CHECK(!(train(dir, {"--optimizer", "nesterov", "--lr", "0.05"}) == momentum));
  const Run adagrad = train(dir, {"--optimizer", "adagrad", "--lr", "0.05"});
  CHECK(train(dir, {"--optimizer", "adagrad", "--lr", "0.05", "--initial-accumulator", "0.1"}) == adagrad);
  CHECK(!(train(dir, {"--optimizer", "adagrad", "--lr", "0.05", "--initial-accumulator", "1"}) == adagrad));
  // The first epoch always improves on nothing, so a plateau can lower the rate of epoch 3 at
  // the earliest.
  const std::vector<std::string> flat = {"--schedule", "plateau", "--plateau-patience", "1", "--plateau-min-delta", "100"};
  const Run base3 = train(dir, {}, 3);
  CHECK(!(train(dir, flat, 3) == base3));
  std::vector<std::string> floor = flat;
  floor.insert(floor.end(), {"--min-lr", "0.001"});  // the rate is already at the floor
  CHECK(train(dir, floor, 3) == base3);
  const Run step_half = train(dir, {"--schedule", "step", "--decay", "0.5"});
  CHECK(!(step_half == base));  // one epoch's steps, then half the lr in epoch 2
  CHECK(!(train(dir, {"--schedule", "step", "--decay", "0.1"}) == step_half));
}

TEST_CASE("train options: --patience stops a run that does not improve, --val-split and --dataset choose the data") {
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  TempDir dir;
  // At lr 1e-9 nothing moves: the validation accuracy never improves on the first epoch's.
  const Run stuck = train(dir, {"--lr", "1e-9", "--patience", "2"}, 6);
  CHECK(stuck.status == "stopped_early");
  CHECK(stuck.epochs == 3);
  const Run no_patience = train(dir, {"--lr", "1e-9"}, 6);
  CHECK(no_patience.status == "ok");
  CHECK(no_patience.epochs == 6);

  const Run base = train(dir, {});
  CHECK(train(dir, {"--val-split", "0.1"}) == base);  // the default
  CHECK(!(train(dir, {"--val-split", "0.2"}) == base));

  // --dataset and --data: a CIFAR-10 directory in the real format trains the CIFAR CNN.
  std::filesystem::create_directories(dir / "cifar");
  write_cifar10_files(dir / "cifar", 40, 30);
  const auto r = run_vktrain({"train", "--model", "cifar-cnn", "--dataset", "cifar10", "--data",
                              (dir / "cifar").string(), "--epochs", "1", "--batch", "16", "--json"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  // 200 images less the 10 % held out, in batches of 16: 11 steps.
  CHECK(r.out.find("\"steps\":11") != std::string::npos);
  // The same directory read as MNIST: the IDX files are looked for, and named.
  const auto wrong = run_vktrain({"train", "--model", "mlp", "--dataset", "mnist", "--data",
                                  (dir / "cifar").string(), "--epochs", "1"});
  INFO("stderr: " << wrong.err);
  CHECK(wrong.exit_code == 2);
  CHECK(wrong.err.find("train-images-idx3-ubyte") != std::string::npos);
}

TEST_CASE("tune: a trial's parameters become the train options of the same name, and --sampler and --pruner reach the study") {
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  TempDir dir;
  const std::string space = (dir / "space.json").string(), study = (dir / "s.vkts").string();
  std::ofstream(space) << R"({"lr": {"type": "float", "low": 1e-3, "high": 3e-3, "log": true},
    "optimizer": {"type": "categorical", "choices": ["rmsprop"]}, "schedule": "cosine", "l2": 0.001,
    "l1": 0.0001, "clip_norm": 0.5, "warmup": 3, "init": "he_normal", "dropout": 0.3, "hidden": 48, "batch": 32,
    "augment": {"type": "categorical", "choices": ["crop:2,flip"]}})";
  const auto r = run_vktrain({"tune", "--space", space, "--study", study, "--model", "mlp", "--epochs", "2",
                              "--train-limit", "600", "--trials", "2", "--seed", "4", "--sampler", "genetic",
                              "--pruner", "median"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  {
    const vkt::tune::storage::Journal journal(study);
    const json& settings = journal.state().settings;
    INFO("settings: " << settings.dump());
    CHECK(settings["sampler"]["name"] == "genetic");
    CHECK(settings["pruner"]["name"] == "median");
  }
  const json trial = study_report(study)["trials"][0];
  REQUIRE(trial["curve"].size() == 2);
  // The same run by hand: every loss equal to the bit.
  const json& p = trial["params"];
  const std::string log = (dir / "log.jsonl").string();
  std::ostringstream lr;
  lr.precision(17);
  lr << p["lr"].get<double>();
  const auto by_hand = run_vktrain({"train", "--model", "mlp", "--epochs", "2", "--train-limit", "600", "--seed",
                                    std::to_string(trial["seed"].get<uint64_t>()), "--lr", lr.str(), "--optimizer",
                                    "rmsprop", "--schedule", "cosine", "--l2", "0.001", "--l1", "0.0001",
                                    "--clip-norm", "0.5", "--warmup", "3", "--init", "he_normal", "--dropout", "0.3",
                                    "--hidden", "48", "--batch", "32", "--augment", "crop:2,flip", "--log", log});
  INFO("stderr: " << by_hand.err);
  REQUIRE(by_hand.exit_code == 0);
  std::ifstream in(log);
  std::vector<json> rows;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) rows.push_back(json::parse(line));
  REQUIRE(rows.size() == 2);
  for (size_t e = 0; e < 2; ++e) {
    INFO("epoch " << e + 1 << ": trial " << trial["curve"][e].dump() << ", by hand " << rows[e].dump());
    CHECK(trial["curve"][e]["loss"] == rows[e]["loss"]);
    CHECK(trial["curve"][e]["value"] == rows[e]["val_acc"]);
  }
  // And a different fixed value makes a different trial: the parameter is not ignored.
  std::ofstream(space) << R"({"lr": {"type": "float", "low": 1e-3, "high": 3e-3, "log": true},
    "optimizer": {"type": "categorical", "choices": ["rmsprop"]}, "schedule": "cosine", "l2": 0.001,
    "l1": 0.0001, "clip_norm": 0.5, "warmup": 3, "init": "he_normal", "dropout": 0.3, "hidden": 64, "batch": 32})";
  const std::string other = (dir / "other.vkts").string();
  REQUIRE(run_vktrain({"tune", "--space", space, "--study", other, "--model", "mlp", "--epochs", "2", "--train-limit",
                       "600", "--trials", "1", "--seed", "4", "--sampler", "genetic"})
              .exit_code == 0);
  CHECK(study_report(other)["trials"][0]["curve"][0]["loss"] != trial["curve"][0]["loss"]);
}
