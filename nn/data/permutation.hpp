#pragma once
// A seeded permutation that is the same on every platform and standard library.
// std::shuffle and std::uniform_int_distribution are implementation-defined, so a split or
// an epoch order made with them could change with the compiler; this one cannot.
#include <cstdint>
#include <vector>

namespace vkt::nn {

// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and every seed is a good seed.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next();
  // Uniform in [0, bound), bound > 0, without modulo bias (Lemire's multiply-and-reject).
  uint32_t below(uint32_t bound);

 private:
  uint64_t state_;
};

// A permutation of 0..n-1: Fisher-Yates from the last position down, j = below(i + 1).
std::vector<uint32_t> seeded_permutation(uint32_t n, uint64_t seed);

}  // namespace vkt::nn
