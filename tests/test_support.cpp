#include "tests/test_support.hpp"

#include <cstdlib>

namespace vkt::test {

ContextOptions test_context_options() {
  ContextOptions o;
  if (const char* d = std::getenv("VKTRAIN_TEST_DEVICE")) o.device = d;
  return o;
}

std::vector<float> random_floats(size_t n, uint32_t seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

}  // namespace vkt::test
