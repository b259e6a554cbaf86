// The seeded permutation behind the validation split must be a permutation, depend only on
// the seed, and never change: a changed split would silently change every reported
// validation number.
#include <doctest/doctest.h>

#include <algorithm>

#include "nn/data/permutation.hpp"

using namespace vkt::nn;

TEST_CASE("data: seeded permutation is a permutation, reproducible, seed-dependent") {
  for (uint32_t n : {0u, 1u, 2u, 7u, 1000u}) {
    CAPTURE(n);
    auto p = seeded_permutation(n, 42);
    CHECK(p == seeded_permutation(n, 42));
    std::sort(p.begin(), p.end());
    for (uint32_t i = 0; i < n; ++i) CHECK(p[i] == i);
  }
  CHECK(seeded_permutation(1000, 1) != seeded_permutation(1000, 2));
}

TEST_CASE("data: seeded permutation is pinned (portable across compilers and libraries)") {
  // SplitMix64's published first output for seed 0 pins the generator...
  SplitMix64 rng(0);
  CHECK(rng.next() == 0xe220a8397b1dcdafull);
  // ...and these values pin the shuffle built on it. If this fails, the split changed.
  CHECK(seeded_permutation(10, 12345) == std::vector<uint32_t>{2, 5, 4, 7, 6, 3, 8, 0, 9, 1});
}

TEST_CASE("data: bounded draws are uniform enough and in range") {
  SplitMix64 rng(7);
  std::vector<int> hits(6, 0);
  for (int i = 0; i < 60000; ++i) ++hits[rng.below(6)];
  for (int h : hits) CHECK(h == doctest::Approx(10000).epsilon(0.05));
  for (int i = 0; i < 1000; ++i) CHECK(rng.below(1) == 0);
}
