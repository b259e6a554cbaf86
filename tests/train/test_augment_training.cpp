// train --augment end to end: the CIFAR CNN trains on CIFAR-10 files with random crops and
// flips, and the evaluation inside training never augments (eval of the saved weights gives the
// same test loss and accuracy to the bit); a transform that does not fit the images, or one
// that does not exist, is refused before training with one line.
#include <doctest/doctest.h>

#include <filesystem>
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

TEST_CASE("augment: the CIFAR CNN trains with crops and flips, and evaluation sees the images as they are") {
  TempDir dir;
  const std::string data = (dir / "cifar").string(), weights = (dir / "w.safetensors").string();
  std::filesystem::create_directories(data);
  write_learnable_cifar10_files(data, 200, 200, 11);
  const std::vector<std::string> where = {"--model", "cifar-cnn", "--dataset", "cifar10", "--data", data};
  auto train = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"train", "--epochs", "3", "--batch", "32", "--seed", "2", "--json"};
    args.insert(args.end(), where.begin(), where.end());
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_vktrain(args);
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    return last_json(r);
  };
  const json plain = train({});
  const json augmented = train({"--augment", "crop:4,flip", "--save", weights});
  CHECK(augmented["status"] == "ok");
  MESSAGE("test_acc after 3 epochs: " << plain["test_acc"].get<double>() << " plain, "
                                      << augmented["test_acc"].get<double>() << " with crop:4,flip");
  CHECK(augmented["test_acc"].get<double>() >= 0.5);  // chance is 0.1
  CHECK(augmented["test_loss"] != plain["test_loss"]);

  std::vector<std::string> eval = {"eval", "--weights", weights, "--json"};
  eval.insert(eval.end(), where.begin(), where.end());
  const auto e = run_vktrain(eval);
  INFO("eval stderr: " << e.err);
  REQUIRE(e.exit_code == 0);
  CHECK(last_json(e)["test_acc"] == augmented["test_acc"]);
  CHECK(last_json(e)["test_loss"] == augmented["test_loss"]);

  for (const char* bad : {"crop:32", "spin:3", "rotate:270"}) {
    std::vector<std::string> args = {"train", "--epochs", "1", "--augment", bad};
    args.insert(args.end(), where.begin(), where.end());
    const auto r = run_vktrain(args);
    CAPTURE(bad);
    CAPTURE(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--augment") != std::string::npos);
    CHECK(r.err.find('\n') == r.err.size() - 1);  // one line
  }
}
