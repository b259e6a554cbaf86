// CIFAR-10 end to end: no Debian package ships it, so the test writes the five training
// batches and the test batch in the real binary format (tests/nn_data/synthetic_data.hpp),
// with images a network can learn, then trains the seed CIFAR CNN on them, evaluates the saved
// weights, and tunes over them.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/cli_runner.hpp"
#include "tests/nn_data/synthetic_data.hpp"
#include "tests/temp_dir.hpp"

using namespace vkt::test;
using json = nlohmann::json;

namespace {

json last_json(const CommandResult& r) { return vkt::test::last_json_line(r.out); }

}  // namespace

TEST_CASE("cifar10: the CIFAR CNN learns from the five binary batches, and eval of its weights gives the same test accuracy") {
  TempDir dir;
  const std::string data = (dir / "cifar").string(), weights = (dir / "w.safetensors").string();
  std::filesystem::create_directories(data);
  write_learnable_cifar10_files(data, 200, 200, 11);
  const std::vector<std::string> where = {"--model", "cifar-cnn", "--dataset", "cifar10", "--data", data};
  std::vector<std::string> args = {"train", "--epochs", "3", "--batch", "32", "--seed", "2", "--save", weights, "--json"};
  args.insert(args.end(), where.begin(), where.end());
  const auto r = run_vktrain(args);
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  const json trained = last_json(r);
  CHECK(trained["status"] == "ok");
  // 1,000 images less the 10 % held out: 28 steps of 32 per epoch.
  CHECK(trained["steps"] == 3 * 28);
  MESSAGE("test_acc after 3 epochs: " << trained["test_acc"].get<double>());
  // Chance is 0.1; a network that sees the patches is far above it.
  CHECK(trained["test_acc"].get<double>() >= 0.6);

  std::vector<std::string> eval = {"eval", "--weights", weights, "--json"};
  eval.insert(eval.end(), where.begin(), where.end());
  const auto e = run_vktrain(eval);
  INFO("eval stderr: " << e.err);
  REQUIRE(e.exit_code == 0);
  CHECK(last_json(e)["test_acc"].get<double>() == trained["test_acc"].get<double>());

  // A study over the same files: each trial trains the CIFAR CNN on them.
  const std::string space = (dir / "space.json").string(), study = (dir / "s.vkts").string();
  std::ofstream(space) << R"({"lr": {"type": "float", "low": 3e-4, "high": 3e-3, "log": true}})";
  std::vector<std::string> tune = {"tune", "--space", space, "--study", study, "--trials", "2", "--epochs", "1"};
  tune.insert(tune.end(), where.begin(), where.end());
  const auto t = run_vktrain(tune);
  INFO("tune stderr: " << t.err);
  REQUIRE(t.exit_code == 0);
  const json rep = study_report(study);
  REQUIRE(rep["trials"].size() == 2);
  for (const auto& trial : rep["trials"]) CHECK(trial["state"] == "complete");
}
