// `vktrain bench` runs the sibling binary vktrain_bench (apps/bench.cpp): the arguments reach
// it unchanged, its exit code comes back, and without it vktrain says which file it looked for.
#include <doctest/doctest.h>

#include <filesystem>

#include "tests/cli_runner.hpp"
#include "tests/temp_dir.hpp"

using namespace vkt::test;

TEST_CASE("bench cli: --help lists vktrain_bench's options") {
  const auto r = run_vktrain({"bench", "--help"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("vktrain bench") != std::string::npos);
  for (const char* option : {"--op", "--shape", "--device", "--autotune", "--repeats", "--warmup", "--json", "--list", "--profile"})
    CHECK_MESSAGE(r.out.find(option) != std::string::npos, option);
}

TEST_CASE("bench cli: the arguments reach vktrain_bench (--list --op gemm lists only GEMM rows)") {
  const auto r = run_vktrain({"bench", "--list", "--op", "gemm"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("gemm") == 0);
  CHECK(r.out.find("conv2d") == std::string::npos);
}

TEST_CASE("bench cli: vktrain_bench's exit code and error line come back") {
  const auto r = run_vktrain({"bench", "--op", "no-such-op", "--list"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("vktrain bench: error: no benchmark matches --op 'no-such-op'") != std::string::npos);
}

TEST_CASE("bench cli: without the sibling binary, one line names the file and the build command") {
  TempDir dir;
  const auto lone = dir / "vktrain";
  std::filesystem::copy_file(VKTRAIN_BINARY, lone);
  const auto r = run_program(lone.string(), {"bench", "--list"});
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find((dir / "vktrain_bench").string() + ", which is missing") != std::string::npos);
  CHECK(r.err.find("cmake --build build --target vktrain_bench") != std::string::npos);
  CHECK(r.err.find('\n') == r.err.size() - 1);  // one line
}
