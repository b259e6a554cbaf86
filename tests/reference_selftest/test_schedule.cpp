#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

#include "tests/reference/schedule.hpp"

using namespace vkt::ref;
using doctest::Approx;

TEST_CASE("reference: learning-rate schedules at chosen steps") {
  CHECK(lr_constant(0.1, 0) == 0.1);
  CHECK(lr_constant(0.1, 12345) == 0.1);

  CHECK(lr_step(0.1, 0.5, 10, 0) == Approx(0.1));
  CHECK(lr_step(0.1, 0.5, 10, 9) == Approx(0.1));
  CHECK(lr_step(0.1, 0.5, 10, 10) == Approx(0.05));
  CHECK(lr_step(0.1, 0.5, 10, 25) == Approx(0.025));

  CHECK(lr_exponential(0.1, 0.5, 10, 0) == Approx(0.1));
  CHECK(lr_exponential(0.1, 0.5, 10, 5) == Approx(0.1 / std::sqrt(2.0)));  // continuous exponent
  CHECK(lr_exponential(0.1, 0.5, 10, 20) == Approx(0.025));

  CHECK(lr_inverse_time(0.1, 0.5, 10, 0) == Approx(0.1));
  CHECK(lr_inverse_time(0.1, 0.5, 10, 5) == Approx(0.1 / 1.25));
  CHECK(lr_inverse_time(0.1, 0.5, 10, 40) == Approx(0.1 / 3.0));

  CHECK(lr_cosine(0.1, 100, 0.0, 0) == Approx(0.1));
  CHECK(lr_cosine(0.1, 100, 0.0, 50) == Approx(0.05));
  CHECK(lr_cosine(0.1, 100, 0.0, 100) == Approx(0.0));
  CHECK(lr_cosine(0.1, 100, 0.1, 100) == Approx(0.01));
  CHECK(lr_cosine(0.1, 100, 0.1, 250) == Approx(0.01));  // clamped after T
  CHECK(lr_cosine(0.1, 100, 0.2, 25) == Approx(0.1 * (0.2 + 0.8 * 0.5 * (1 + std::cos(std::numbers::pi / 4)))));

  // Warm-up over 4 steps: 0.025, 0.05, 0.075, 0.1, then step decay from its own step 0.
  const auto after = [](int64_t t) { return lr_step(0.1, 0.5, 3, t); };
  CHECK(lr_warmup(0.1, 4, 0, after) == Approx(0.025));
  CHECK(lr_warmup(0.1, 4, 3, after) == Approx(0.1));
  CHECK(lr_warmup(0.1, 4, 4, after) == Approx(0.1));
  CHECK(lr_warmup(0.1, 4, 6, after) == Approx(0.1));
  CHECK(lr_warmup(0.1, 4, 7, after) == Approx(0.05));
  CHECK(lr_warmup(0.1, 0, 0, after) == Approx(0.1));  // no warm-up
}
