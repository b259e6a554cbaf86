#pragma once
// One row of `vktrain bench`: an op on one shape. A case owns its device buffers, records the
// op into a stream, and checks the result against the double-precision reference
// (tests/reference/) before anything is timed: a wrong kernel has no speed.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime/context.hpp"
#include "runtime/stream.hpp"

namespace vkt::app {

struct BenchCase {
  std::string op;       // e.g. "gemm", "conv2d_forward"
  std::string shape;    // human-readable, e.g. "cnn.conv2 b64 32->64 13x13 k3"
  double flops = 0;     // per run; GFLOP/s is reported when > 0
  double bytes = 0;     // per run; GB/s is reported when flops == 0
  std::string variant;  // which kernel path ran (e.g. "texel")
  // Records anything the op needs first (untimed), e.g. a forward pass before a backward.
  std::function<void(Stream&)> record_setup;
  std::function<void(Stream&)> record;        // the timed region
  std::function<std::string()> check;         // after one run: "" if right, else what is wrong
  std::shared_ptr<void> keep_alive;           // buffers the lambdas use
};

struct BenchEntry {
  std::string op;
  std::string shape;
  std::function<BenchCase(Context&)> make;
};

// Every benchmark row, in the order printed: the one table to extend when an op is added.
std::vector<BenchEntry> bench_table();

// Entries contributed by each family of ops.
void add_gemm_cases(std::vector<BenchEntry>& table);
void add_conv2d_cases(std::vector<BenchEntry>& table);
void add_elementwise_cases(std::vector<BenchEntry>& table);

}  // namespace vkt::app
