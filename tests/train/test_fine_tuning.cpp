// Fine-tuning: `train --init-from` starts from saved weights (ours here; PyTorch's carry the
// same names), and `--freeze` keeps leading layers fixed with no gradient or optimizer work
// for them. The seed CNN on 640 Fashion-MNIST images.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nn/checkpoint/safetensors.hpp"
#include "tests/cli_runner.hpp"
#include "tests/temp_dir.hpp"

using namespace vkt::test;
using json = nlohmann::json;

namespace {

bool have_data() { return std::filesystem::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"); }

std::map<std::string, std::vector<float>> tensors(const std::string& path) {
  std::map<std::string, std::vector<float>> out;
  for (const auto& t : vkt::nn::read_safetensors(path).tensors) out[t.name] = t.data;
  return out;
}

CommandResult train(std::vector<std::string> extra) {
  std::vector<std::string> args = {"train", "--model", "cnn", "--train-limit", "640", "--epochs", "1", "--seed", "4"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_vktrain(args);
}

}  // namespace

TEST_CASE("train --init-from --freeze: frozen layers keep the saved weights bit for bit, the others train from them") {
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  TempDir dir;
  const std::string base = (dir / "base.safetensors").string(), tuned = (dir / "tuned.safetensors").string();
  REQUIRE(train({"--save", base}).exit_code == 0);
  const auto r = train({"--init-from", base, "--freeze", "0,3", "--save", tuned, "--json"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  const auto before = tensors(base), after = tensors(tuned);
  REQUIRE(before.size() == after.size());
  for (const auto& entry : before) {
    const std::string& name = entry.first;
    CAPTURE(name);
    const auto& values = entry.second;
    const bool frozen = name.starts_with("0.") || name.starts_with("3.");
    CHECK((after.at(name) == values) == frozen);
  }
  // Started from the saved weights, not from the initializer: the first epoch's loss is the
  // trained model's, far below a fresh one's (same seed, same data).
  const std::string fresh_log = (dir / "fresh.jsonl").string(), tuned_log = (dir / "tuned.jsonl").string();
  REQUIRE(train({"--log", fresh_log}).exit_code == 0);
  REQUIRE(train({"--init-from", base, "--log", tuned_log}).exit_code == 0);
  CHECK(read_jsonl(tuned_log)[0]["loss"].get<double>() < read_jsonl(fresh_log)[0]["loss"].get<double>() - 0.1);

  // No backward kernel runs for the frozen layers: the plan lists none for runs 0-2 and 3-5.
  const auto plan = run_vktrain({"train", "--model", "cnn", "--freeze", "0,3", "--print-plan", "--json"});
  REQUIRE(plan.exit_code == 0);
  size_t with_backward = 0;
  const json plan_json = json::parse(plan.out);  // bound: a loop over a temporary's member dangles
  for (const auto& run : plan_json["runs"]) {
    const int first = run["layers"][0].get<int>();
    CAPTURE(first);
    CHECK(run["backward"].empty() == (first < 6));
    with_backward += !run["backward"].empty();
  }
  CHECK(with_backward == 3);
}

TEST_CASE("train --freeze and --init-from: impossible requests are one-line errors") {
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  TempDir dir;
  auto refused = [](const CommandResult& r, const std::string& part) {
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(part) != std::string::npos);
  };
  refused(train({"--freeze", "3"}), "layer 0 (conv2d) trains below frozen layer 3");
  refused(train({"--freeze", "1"}), "layer 1 (relu) has no parameters");
  refused(train({"--freeze", "40"}), "the model has layers 0 to 11");
  refused(train({"--freeze", "0,3,6,9,11"}), "nothing would train");
  // Weights of another model, or no file at all, name the file.
  const std::string mlp = (dir / "mlp.safetensors").string();
  REQUIRE(run_vktrain({"train", "--model", "mlp", "--train-limit", "640", "--epochs", "1", "--save", mlp}).exit_code == 0);
  refused(train({"--init-from", mlp}), mlp);
  refused(train({"--init-from", (dir / "missing.safetensors").string()}), "missing.safetensors");
}
