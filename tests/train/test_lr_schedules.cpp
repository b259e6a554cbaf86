// The learning-rate schedules end to end: `vktrain train --log` records each epoch's rate (the
// rate of its last step), which must be the rate the schedule's reference gives for that step,
// and the plateau schedule's decisions survive a resume bit for bit. The MLP on 600
// Fashion-MNIST images.
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/cli_runner.hpp"
#include "tests/reference/schedule.hpp"
#include "tests/temp_dir.hpp"

using namespace vkt::test;
using json = nlohmann::json;

namespace {

bool have_data() { return std::filesystem::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"); }

struct Logged {
  std::vector<json> epochs;  // the --log rows
  json result;               // the --json line
};

Logged train(const TempDir& dir, const std::string& name, const std::vector<std::string>& options) {
  const std::string log = (dir / (name + ".jsonl")).string();
  std::vector<std::string> args = {"train", "--model", "mlp", "--train-limit", "600", "--seed", "3",
                                   "--optimizer", "sgd", "--lr", "0.05", "--json", "--log", log};
  args.insert(args.end(), options.begin(), options.end());
  const auto r = run_vktrain(args);
  INFO(name << " stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  Logged out;
  out.epochs = read_jsonl(log);
  out.result = last_json_line(r.out);
  return out;
}

}  // namespace

TEST_CASE("train --schedule linear: each epoch's logged rate is the linear decay's at its last step") {
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  TempDir dir;
  const int epochs = 4;
  const Logged run = train(dir, "linear", {"--epochs", std::to_string(epochs), "--schedule", "linear", "--final-lr-ratio", "0.2"});
  REQUIRE(run.epochs.size() == epochs);
  const int64_t total = run.result["steps"].get<int64_t>(), per_epoch = total / epochs;
  REQUIRE(per_epoch * epochs == total);
  for (int e = 0; e < epochs; ++e) {
    CAPTURE(e);
    // The epoch's last optimizer step is schedule step (e + 1) * per_epoch - 1; the whole run
    // is the decay's length.
    const double want = vkt::ref::lr_linear(0.05, total, 0.2, (e + 1) * per_epoch - 1);
    CHECK(run.epochs[e]["lr"].get<double>() == double(float(want)));
  }
  CHECK(run.epochs.back()["lr"].get<double>() > 0.05 * 0.2);  // the last step is one before the end
  // A constant run logs --lr throughout, and its losses differ (the schedule reached the step).
  const Logged constant = train(dir, "constant", {"--epochs", std::to_string(epochs)});
  for (const json& row : constant.epochs) CHECK(row["lr"].get<double>() == double(float(0.05)));
  CHECK(constant.epochs[1]["loss"].get<double>() != run.epochs[1]["loss"].get<double>());
}

TEST_CASE("train --schedule plateau: the rate drops as Keras's rule says on the logged validation losses, and resumes bit for bit") {
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  TempDir dir;
  // A min-delta of 0.2 makes later epochs' smaller gains count as no improvement, so the
  // rate drops within the run; the reference decides from the losses the run logged.
  const std::vector<std::string> plateau = {"--schedule", "plateau", "--plateau-patience", "1", "--factor", "0.5",
                                            "--min-lr", "0.01", "--plateau-min-delta", "0.2"};
  auto with = [&](std::vector<std::string> extra) {
    auto a = plateau;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  const int epochs = 6;
  const Logged full = train(dir, "full", with({"--epochs", std::to_string(epochs)}));
  REQUIRE(full.epochs.size() == epochs);
  std::vector<double> val_losses;
  for (const json& row : full.epochs) val_losses.push_back(row["val_loss"].get<double>());
  const std::vector<double> rates = vkt::ref::lr_plateau(0.05, 1, 0.5, 0.01, 0.2, val_losses);
  int drops = 0;
  for (int e = 0; e < epochs; ++e) {
    CAPTURE(e);
    CHECK(full.epochs[e]["lr"].get<double>() == double(float(rates[e])));  // epoch e ran at rate e
    if (e > 0 && rates[e] < rates[e - 1]) ++drops;
  }
  CHECK(drops >= 1);  // the run really hit a plateau, so the check above can fail

  // Stopped after 3 epochs and resumed: the same losses and rates, bit for bit.
  const std::string state = (dir / "state.bin").string();
  train(dir, "first", with({"--epochs", "3", "--checkpoint", state}));
  const Logged rest = train(dir, "rest", with({"--epochs", std::to_string(epochs), "--resume", state}));
  REQUIRE(rest.epochs.size() == epochs - 3);
  for (int e = 3; e < epochs; ++e) {
    CAPTURE(e);
    CHECK(rest.epochs[e - 3]["lr"].get<double>() == full.epochs[e]["lr"].get<double>());
    CHECK(rest.epochs[e - 3]["loss"].get<double>() == full.epochs[e]["loss"].get<double>());
    CHECK(rest.epochs[e - 3]["val_loss"].get<double>() == full.epochs[e]["val_loss"].get<double>());
  }
  // A state from a run with another schedule is refused: the configurations differ.
  const std::string constant_state = (dir / "constant.bin").string();
  train(dir, "constant", {"--epochs", "1", "--checkpoint", constant_state});
  const auto refused = run_vktrain({"train", "--model", "mlp", "--train-limit", "600", "--seed", "3", "--optimizer", "sgd",
                                    "--lr", "0.05", "--epochs", "2", "--schedule", "plateau", "--resume", constant_state});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("another configuration") != std::string::npos);
}
