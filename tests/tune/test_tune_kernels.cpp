// `vktrain tune-kernels`: a sampler's proposals for a GEMM kernel's shapes timed on this device.
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/cli_runner.hpp"
#include "tests/temp_dir.hpp"

using namespace vkt::test;
using json = nlohmann::json;

namespace {

// The kernel cache file `vktrain` wrote under XDG_CACHE_HOME = `home` (one device: one file).
json kernel_cache_file(const vkt::test::TempDir& home) {
  std::string file;
  for (const auto& e : std::filesystem::directory_iterator(home.path() / "vktrain"))
    if (e.path().filename().string().rfind("kernels-", 0) == 0) file = e.path().string();
  REQUIRE_MESSAGE(!file.empty(), "no kernels-*.json under " << home.path());
  std::ifstream in(file);
  return json::parse(in);
}

}  // namespace

TEST_CASE("tune-kernels: every proposal is checked and timed or fails with its reason, and the best is reported") {
  const CommandResult r =
      run_vktrain({"tune-kernels", "--gemm", "48x40x36", "--trials", "6", "--sampler", "random", "--repeats", "1", "--json"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  const json j = json::parse(r.out);
  REQUIRE(j["trials"].size() == 6);
  double best = 1e300;
  for (const auto& t : j["trials"]) {
    CHECK(t["variant"].get<std::string>().rfind("tiled ", 0) == 0);
    if (t["state"] == "complete") {
      // The objective: the proposal's time over the rule's, the two timed in turns.
      CHECK(t["ms"].get<double>() > 0);
      CHECK(t["rule_ms"].get<double>() > 0);
      CHECK(t["ratio"].get<double>() == doctest::Approx(t["ms"].get<double>() / t["rule_ms"].get<double>()));
      best = std::min(best, t["ratio"].get<double>());
    } else {
      CHECK(t["state"] == "failed");
    }
  }
  // Seed 0's six random shapes (the same on every run) include some that fit any device with
  // 256 invocations and 16 KiB of shared memory, the Vulkan minimums.
  REQUIRE(j["best"].is_object());
  CHECK(j["best"]["ratio"].get<double>() == best);
  CHECK(j["rule"] == "texel");  // lavapipe: the texel kernel's rules are what --autotune off takes
  CHECK(j["candidates"].contains("tiled 16x16 4x4"));
  CHECK(j["candidates"]["tiled 16x16 4x4"].get<double>() > 0);
}

TEST_CASE("tune-kernels: a malformed product is refused in one line") {
  const CommandResult r = run_vktrain({"tune-kernels", "--gemm", "64x64", "--trials", "1"});
  CHECK(r.exit_code == 2);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.find("--gemm 64x64") != std::string::npos);
}

TEST_CASE("tune-kernels --remember: the best shape is kept in the kernel cache under the product's size") {
  vkt::test::TempDir home;
  setenv("XDG_CACHE_HOME", home.path().c_str(), 1);
  const CommandResult r = run_vktrain(
      {"tune-kernels", "--gemm", "32x32x32", "--trials", "4", "--sampler", "random", "--repeats", "1", "--remember", "--json"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  const json out = json::parse(r.out);
  REQUIRE(out["best"].is_object());
  const json cache = kernel_cache_file(home);
  CHECK(cache["entries"]["tiled-shape 32x32x32 tb"]["winner"] == out["best"]["variant"]);
}

TEST_CASE("tune-kernels --kernel texel: the texel kernel's blocks and workgroups searched, each checked") {
  vkt::test::TempDir home;
  setenv("XDG_CACHE_HOME", home.path().c_str(), 1);
  const CommandResult r = run_vktrain({"tune-kernels", "--kernel", "texel", "--gemm", "40x36x44", "--trials", "5",
                                       "--sampler", "random", "--repeats", "1", "--remember", "--json"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  const json j = json::parse(r.out);
  CHECK(j["kernel"] == "texel");
  REQUIRE(j["trials"].size() == 5);
  for (const auto& t : j["trials"]) {
    CHECK(t["variant"].get<std::string>().rfind("texel ", 0) == 0);
    CHECK(t["state"] == "complete");  // every texel shape of the space fits lavapipe's limits and is correct
  }
  REQUIRE(j["best"].is_object());
  const json cache = kernel_cache_file(home);
  CHECK(cache["entries"]["texel-shape 40x36x44 tb"]["winner"] == j["best"]["variant"]);
}

TEST_CASE("tune-kernels: an unknown kernel is refused in one line") {
  const CommandResult r = run_vktrain({"tune-kernels", "--kernel", "naive", "--trials", "1"});
  CHECK(r.exit_code == 2);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.find("--kernel naive") != std::string::npos);
}

TEST_CASE("tune-kernels --conv: a route's workgroup width searched against the rule's, the best remembered for the shape") {
  vkt::test::TempDir home;
  setenv("XDG_CACHE_HOME", home.path().c_str(), 1);
  const std::string shape = "2x32x13x13 k64 3x3 s1 p0 pool2";  // the seed CNN's conv2 at batch 2
  const CommandResult r = run_vktrain({"tune-kernels", "--conv", shape, "--route", "winograd", "--trials", "3",
                                       "--sampler", "random", "--repeats", "1", "--remember", "--json"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  const json j = json::parse(r.out);
  CHECK(j["route"] == "winograd");
  REQUIRE(j["trials"].size() == 3);
  for (const auto& t : j["trials"]) {
    CHECK(t["variant"].get<std::string>().rfind("winograd wg", 0) == 0);
    REQUIRE(t["state"] == "complete");  // every width up to 1024 fits lavapipe and agrees with im2col
    CHECK(t["ratio"].get<double>() == doctest::Approx(t["ms"].get<double>() / t["rule_ms"].get<double>()));
  }
  REQUIRE(j["best"].is_object());
  const json cache = kernel_cache_file(home);
  const std::string winner = cache["entries"]["conv2d-width winograd " + shape]["winner"];
  CHECK("winograd " + winner == j["best"]["variant"].get<std::string>());
}

TEST_CASE("tune-kernels --conv: a malformed shape or a route without kernels of its own is refused in one line") {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"tune-kernels", "--conv", "2x32x13 k64 3x3 s1 p0", "--trials", "1"},
        std::vector<std::string>{"tune-kernels", "--conv", "2x32x13x13 k64 3x3 s1 p0 pool2", "--route", "im2col"},
        std::vector<std::string>{"tune-kernels", "--conv", "2x32x13x13 k64 3x3 s1 p0 pool3"}}) {
    const CommandResult r = run_vktrain(args);
    CAPTURE(args[2]);
    CHECK(r.exit_code == 2);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
}
