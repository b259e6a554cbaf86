#include "apps/bench/bench_case.hpp"

namespace vkt::app {

std::vector<BenchEntry> bench_table() {
  std::vector<BenchEntry> table;
  add_gemm_cases(table);
  add_conv2d_cases(table);
  add_elementwise_cases(table);
  return table;
}

}  // namespace vkt::app
