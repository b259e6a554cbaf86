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

  CHECK(lr_linear(0.1, 100, 0.0, 0) == Approx(0.1));
  CHECK(lr_linear(0.1, 100, 0.0, 25) == Approx(0.075));
  CHECK(lr_linear(0.1, 100, 0.0, 100) == Approx(0.0));
  CHECK(lr_linear(0.1, 100, 0.2, 50) == Approx(0.06));  // halfway from 0.1 to 0.02
  CHECK(lr_linear(0.1, 100, 0.2, 400) == Approx(0.02));  // clamped after T

  // Patience 2, factor 0.5, floor 0.03: losses 1, 0.9 improve; 0.95, 0.9 do not (0.9 is not
  // below 0.9 - min_delta): the rate halves after the 4th epoch; two more stale epochs halve
  // it to the floor 0.03 (not 0.025); at the floor it stays.
  const std::vector<double> rates = lr_plateau(0.1, 2, 0.5, 0.03, 1e-4, {1.0, 0.9, 0.95, 0.9, 0.91, 0.92, 0.93, 0.94});
  const std::vector<double> want = {0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.03, 0.03, 0.03};
  REQUIRE(rates.size() == want.size());
  for (size_t e = 0; e < want.size(); ++e) CHECK(rates[e] == Approx(want[e]));
  // An improvement resets the count: stale, better, stale never reaches patience 2.
  const std::vector<double> reset = lr_plateau(1.0, 2, 0.1, 0.0, 0.0, {1.0, 1.0, 0.5, 0.5, 0.4});
  for (const double r : reset) CHECK(r == 1.0);

  // Warm-up over 4 steps: 0.025, 0.05, 0.075, 0.1, then step decay from its own step 0.
  const auto after = [](int64_t t) { return lr_step(0.1, 0.5, 3, t); };
  CHECK(lr_warmup(0.1, 4, 0, after) == Approx(0.025));
  CHECK(lr_warmup(0.1, 4, 3, after) == Approx(0.1));
  CHECK(lr_warmup(0.1, 4, 4, after) == Approx(0.1));
  CHECK(lr_warmup(0.1, 4, 6, after) == Approx(0.1));
  CHECK(lr_warmup(0.1, 4, 7, after) == Approx(0.05));
  CHECK(lr_warmup(0.1, 0, 0, after) == Approx(0.1));  // no warm-up
}
