#include <doctest/doctest.h>

#include "tuning/storage/backoff.hpp"

using vkt::tune::storage::Backoff;

TEST_CASE("backoff: the waits double from 0.1 s up to 5 s and stop at the deadline") {
  double now = 100;
  Backoff b(20, [&] { return now; });
  std::vector<double> delays;
  while (auto d = b.next_delay()) {
    delays.push_back(*d);
    now += *d;
  }
  const std::vector<double> expected = {0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5, 5, 3.7};  // the last one cut to the deadline
  REQUIRE(delays.size() == expected.size());
  for (size_t i = 0; i < delays.size(); ++i) CHECK(delays[i] == doctest::Approx(expected[i]));
  CHECK(now == doctest::Approx(120));

  double t = 0;
  Backoff none(0, [&] { return t; });
  CHECK_FALSE(none.next_delay());  // --storage-timeout 0: no retry at all
}
