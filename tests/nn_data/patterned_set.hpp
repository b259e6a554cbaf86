#pragma once
// Small data sets for the gather tests: bytes from a multiplicative hash of their position (no
// two neighbouring images alike), labels cycling through 10 classes, and index lists that
// visit every image once in a scrambled order.
#include <cstdint>
#include <vector>

#include "nn/data/dataset.hpp"

namespace vkt::test {

inline nn::Dataset patterned_set(uint32_t count, uint32_t c, uint32_t h, uint32_t w) {
  nn::Dataset d;
  d.count = count, d.channels = c, d.height = h, d.width = w, d.classes = 10;
  d.images.resize(size_t(count) * d.image_bytes());
  for (size_t i = 0; i < d.images.size(); ++i) d.images[i] = uint8_t((i * 2654435761u) >> 13);
  for (uint32_t i = 0; i < count; ++i) d.labels.push_back(uint8_t((i * 7 + 3) % 10));
  return d;
}

// i -> i * stride mod n: a permutation when stride is coprime to n.
inline std::vector<uint32_t> strided_order(uint32_t n, uint32_t stride) {
  std::vector<uint32_t> v(n);
  for (uint32_t i = 0; i < n; ++i) v[i] = uint32_t((uint64_t(i) * stride) % n);
  return v;
}

}  // namespace vkt::test
