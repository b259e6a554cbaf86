// `vktrain bench ARGS...`: runs vktrain_bench, the sibling binary beside this one, with the same
// arguments and hands back its exit code. The benchmark checks every kernel against the
// double-precision CPU reference (tests/reference/), which is kept out of this binary; its
// options are defined once, in apps/bench/main.cpp, and `vktrain bench --help` prints them.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "apps/commands.hpp"
#include "util/error.hpp"

namespace vkt::app {
namespace {

std::filesystem::path bench_binary() {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error("vktrain bench: cannot read /proc/self/exe: " + ec.message());
  return self.parent_path() / "vktrain_bench";
}

[[noreturn]] void run_bench_binary(const std::vector<std::string>& args) {
  const std::string bin = bench_binary().string();
  if (access(bin.c_str(), X_OK) != 0)
    throw Error("vktrain bench runs " + bin + ", which is missing",
                "build it: cmake --build build --target vktrain_bench");
  std::vector<std::string> copy = args;
  std::vector<char*> argv{const_cast<char*>(bin.c_str())};
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(bin.c_str(), argv.data());
  throw Error("vktrain bench: cannot run " + bin + ": " + std::strerror(errno));
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "bench", "Time every kernel on the seed models' shapes, checked against a CPU reference first (runs vktrain_bench)");
  // Everything after `bench`, --help included, belongs to vktrain_bench.
  cmd->set_help_flag();
  cmd->prefix_command();
  cmd->allow_extras();
  cmd->callback([cmd] { run_bench_binary(cmd->remaining()); });
}

}  // namespace vkt::app
