#pragma once
// Helpers shared by the tests: one place that builds the test Context, random data and
// comparisons with stated tolerances.
#include <cstdint>
#include <random>
#include <vector>

#include "runtime/context.hpp"

namespace vkt::test {

// The device under test: lavapipe on machines without a GPU; VKTRAIN_TEST_DEVICE picks another.
ContextOptions test_context_options();

std::vector<float> random_floats(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f);

}  // namespace vkt::test
