// kernel_lab: `kernel_lab gemm check` / `kernel_lab gemm bench [--shape MxNxK]` (dev/kernels/README.md).
#include <CLI/CLI.hpp>

#include <iostream>

#include "dev/kernels/lab.hpp"
#include "runtime/instance.hpp"

int main(int argc, char** argv) {
  vkt::add_embedded_shaders(vkt::lab_shaders());
  CLI::App app{"kernel_lab: variants of vktrain's kernels, checked against the CPU reference and timed", "kernel_lab"};
  app.require_subcommand(1);
  int rc = 0;
  auto* gemm = app.add_subcommand("gemm", "C = alpha op(A) op(B) + beta C + bias: naive, tiled and texel kernels");
  gemm->require_subcommand(1);
  std::string check_device;
  auto* check = gemm->add_subcommand("check", "Every variant on odd shapes, transposes, bias, ReLU, beta, c_block, batches");
  check->add_option("--device", check_device, "Device index or name substring (see `vktrain devices`)");
  check->callback([&] { rc = vkt::lab::gemm_check(check_device); });
  vkt::lab::BenchOptions bo;
  auto* bench = gemm->add_subcommand("bench", "Median device time of every variant on a few products");
  bench->add_option("--device", bo.device, "Device index or name substring (see `vktrain devices`)");
  bench->add_option("--shape", bo.shape, "One product MxNxK instead of the default list");
  bench->add_option("--repeats", bo.repeats, "Timed runs per variant (median reported)")->check(CLI::Range(1, 1000));
  bench->add_option("--warmup", bo.warmup, "Untimed runs first")->check(CLI::Range(1, 100));
  bench->callback([&] { rc = vkt::lab::gemm_bench(bo); });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "kernel_lab: error: " << e.what() << "\n";
    return 1;
  }
  // With VKTRAIN_VALIDATE=1 (ctest), any validation message fails the run, as in the tests.
  if (const auto& m = vkt::validation_messages(); !m.empty()) {
    std::cerr << "kernel_lab: the validation layer reported " << m.size() << " message(s); first: " << m.front() << "\n";
    return 1;
  }
  return rc;
}
