#include "nn/data/permutation.hpp"

#include <numeric>
#include <utility>

namespace vkt::nn {

uint64_t SplitMix64::next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint32_t SplitMix64::below(uint32_t bound) {
  // The high 32 bits of a 32x32 product are uniform once the low part's biased region
  // (below 2^32 mod bound) is rejected.
  uint64_t product = uint64_t{static_cast<uint32_t>(next() >> 32)} * bound;
  auto low = static_cast<uint32_t>(product);
  if (low < bound) {
    const uint32_t threshold = static_cast<uint32_t>(-bound) % bound;
    while (low < threshold) {
      product = uint64_t{static_cast<uint32_t>(next() >> 32)} * bound;
      low = static_cast<uint32_t>(product);
    }
  }
  return static_cast<uint32_t>(product >> 32);
}

std::vector<uint32_t> seeded_permutation(uint32_t n, uint64_t seed) {
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  SplitMix64 rng(seed);
  for (uint32_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  return order;
}

}  // namespace vkt::nn
