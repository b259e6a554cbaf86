#pragma once
// Measured choice among the named variants of one small op (a pool's backward, a bias sum, a
// reduction), shared by their plans: each variant run once and its output checked against the
// reference variant's, those within twice the fastest then timed in turns with device
// timestamps, the winner remembered in the kernel cache. Conv2d and GEMM have their own measurement (their
// candidates need workspaces and several outputs) but the same pick rule (measure.hpp).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "runtime/stream.hpp"

namespace vkt::nn {

struct VariantMeasurement {
  std::string name;
  double ms = 0;     // device time of one run: the median of the timed turns
  double error = 0;  // relative L2 difference from the reference variant's output
  bool correct = false;
};

struct VariantTrial {
  std::vector<std::string> names;  // the applicable variants; names[0] is the default
  size_t reference = 0;            // whose output the others are checked against
  double tolerance = 1e-5;         // relative L2: variants sum in different orders
  // Records variant i into s (may throw: that variant is then not used). Recorded `repeat`
  // times per stream, so that an op of a few microseconds is timed above the timer's noise.
  std::function<void(size_t i, Stream& s)> record;
  std::function<std::vector<float>(size_t i)> output;  // after variant i ran
  int repeat = 8, reps = 5;
};
std::vector<VariantMeasurement> measure_variants(Context& ctx, const VariantTrial& t);

// The index into t.names the plan takes for the op under `key`: names[0] with --autotune off,
// with only one variant, or when `cached` finds nothing; the remembered winner if the cache has
// one among the names; otherwise (full) measured now and remembered.
size_t choose_variant(Context& ctx, const std::string& key, const VariantTrial& t);

}  // namespace vkt::nn
