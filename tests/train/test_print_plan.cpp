// `train --print-plan` and the kernel-choice switches, end to end: the seed CNN's plan on this
// device, the switches moving it, and bad switch values refused before anything runs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "runtime/context.hpp"
#include "tests/cli_runner.hpp"
#include "tests/temp_dir.hpp"
#include "tests/test_support.hpp"

using namespace vkt;
using namespace vkt::test;
using json = nlohmann::json;

namespace {

bool have_data() { return std::filesystem::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"); }

json plan_of(const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"train", "--model", "cnn", "--train-limit", "512", "--print-plan", "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const CommandResult r = run_vktrain(args);
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

// One line on stderr naming `what`, exit code 2 (bad input), nothing trained.
void check_refused(const CommandResult& r, const std::string& what) {
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 2);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.find(what) != std::string::npos);
  CHECK(r.out.empty());
}

}  // namespace

TEST_CASE("train --print-plan: the seed CNN's runs, routes, layouts and kernels on this device") {
  REQUIRE_MESSAGE(have_data(), "this test reads Fashion-MNIST: apt-get install dataset-fashion-mnist");
  const json plan = plan_of({"--autotune", "off"});
  MESSAGE(plan.dump(1));
  CHECK(plan["autotune"] == "off");
  const json& runs = plan["runs"];
  // conv+relu+pool, conv+relu+pool, conv+relu, dense+relu, dense: flatten is a view, the
  // ReLUs and pools are fused, dropout is not in the seed CNN.
  REQUIRE(runs.size() == 5);
  CHECK(runs[0]["run"] == "conv2d+relu+maxpool2d");
  CHECK(runs[1]["run"] == "conv2d+relu+maxpool2d");
  CHECK(runs[2]["run"] == "conv2d+relu");
  CHECK(runs[3]["run"] == "dense+relu");
  CHECK(runs[4]["run"] == "dense");
  for (const auto& r : runs) {
    CHECK_FALSE(r["forward"].empty());
    CHECK_FALSE(r["backward"].empty());
  }
  Context ctx(test_context_options());
  const KernelPolicy& p = ctx.policy();
  if (p.cpu_driver && p.subgroups_of_8() && p.vec4_texels) {
    // The routes measured faster on lavapipe (README's performance section) are its defaults.
    CHECK(runs[0]["route"] == "direct");
    CHECK(runs[1]["route"] == "winograd");
    CHECK(runs[2]["route"] == "winograd_f33");
    CHECK(runs[0]["forward"] == json::array({"conv2d_direct_pool"}));
    CHECK(runs[0]["y_layout"] == "NHWC");  // conv1 -> conv2 is channels-last
    CHECK(runs[1]["x_layout"] == "NHWC");
  } else if (!p.cpu_driver) {
    for (size_t i = 0; i < 3; ++i) CHECK(runs[i]["route"] == "im2col");
  }
}

TEST_CASE("train --print-plan: VKTRAIN_NO_* switches move the plan, and the text output names each run") {
  REQUIRE_MESSAGE(have_data(), "this test reads Fashion-MNIST: apt-get install dataset-fashion-mnist");
  setenv("VKTRAIN_NO_WINOGRAD", "1", 1);
  const json plan = plan_of({"--autotune", "off"});
  unsetenv("VKTRAIN_NO_WINOGRAD");
  for (size_t i = 1; i < 3; ++i) CHECK(plan["runs"][i]["route"] == "im2col");
  setenv("VKTRAIN_NO_FUSION", "1", 1);
  const json unfused = plan_of({"--autotune", "off"});
  unsetenv("VKTRAIN_NO_FUSION");
  CHECK(unfused["runs"].size() > plan["runs"].size());
  CHECK(unfused["runs"][0]["run"] == "conv2d");

  const CommandResult text = run_vktrain({"train", "--model", "cnn", "--train-limit", "512", "--print-plan", "--autotune", "off"});
  REQUIRE(text.exit_code == 0);
  CHECK(text.out.find("--autotune off") != std::string::npos);
  CHECK(text.out.find("conv2d+relu+maxpool2d") != std::string::npos);
  CHECK(text.out.find("forward:") != std::string::npos);
  CHECK(text.out.find("backward:") != std::string::npos);
}

TEST_CASE("kernel switches: a bad value, a misspelt switch or --autotune value is refused in one line") {
  check_refused(run_vktrain({"train", "--model", "mlp", "--autotune", "sometimes"}), "--autotune");
  setenv("VKTRAIN_NO_WINOGARD", "1", 1);
  check_refused(run_vktrain({"train", "--model", "mlp", "--train-limit", "64"}), "VKTRAIN_NO_WINOGARD is not a vktrain switch");
  unsetenv("VKTRAIN_NO_WINOGARD");
  setenv("VKTRAIN_GEMM", "fastest", 1);
  check_refused(run_vktrain({"train", "--model", "mlp", "--train-limit", "64"}), "VKTRAIN_GEMM=fastest");
  unsetenv("VKTRAIN_GEMM");
  setenv("VKTRAIN_NO_FUSION", "yes", 1);
  check_refused(run_vktrain({"devices", "--json"}), "VKTRAIN_NO_FUSION=yes");
  unsetenv("VKTRAIN_NO_FUSION");
}

TEST_CASE("devices --json: each device's kernel policy, with the switches in effect") {
  setenv("VKTRAIN_NO_DIRECT", "1", 1);
  const CommandResult r = run_vktrain({"devices", "--json"});
  unsetenv("VKTRAIN_NO_DIRECT");
  REQUIRE(r.exit_code == 0);
  const json devices = json::parse(r.out);
  REQUIRE_FALSE(devices.empty());
  for (const auto& d : devices) {
    const json& p = d["kernel_policy"];
    CHECK(p["cpu_driver"] == (d["type"] == "cpu"));
    CHECK(p["subgroup_size"] == d["subgroup_size"]);
    CHECK(p["switches"]["direct"] == false);
    CHECK(p["switches"]["winograd"] == true);
    CHECK(p["switches"]["gemm"] == "auto");
  }
}
