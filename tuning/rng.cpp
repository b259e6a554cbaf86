#include "tuning/rng.hpp"

#include <bit>
#include <cmath>
#include <numbers>

#include "util/error.hpp"

namespace vkt::tune {

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

Rng::Rng(uint64_t seed) {
  // Each word from a distinct splitmix output: never the all-zero state xoshiro cannot leave.
  for (size_t i = 0; i < s_.size(); ++i) s_[i] = splitmix64(seed + i * 0x9e3779b97f4a7c15ull);
}

uint64_t Rng::next_u64() {
  const uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = std::rotl(s_[3], 45);
  return result;
}

double Rng::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double Rng::uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

uint64_t Rng::below(uint64_t n) {
  if (n == 0) throw Error("internal: Rng::below(0)");
  // Reject the top partial bucket so every result is equally likely.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do x = next_u64();
  while (x >= limit);
  return x % n;
}

double Rng::normal() {
  const double u1 = 1.0 - uniform();  // (0, 1]: log() stays finite
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

std::vector<uint8_t> Rng::save() const {
  std::vector<uint8_t> out;
  for (uint64_t w : s_)
    for (int b = 0; b < 8; ++b) out.push_back(static_cast<uint8_t>(w >> (8 * b)));
  return out;
}

void Rng::restore(std::span<const uint8_t> bytes) {
  if (bytes.size() != 32) throw Error("random generator state has " + std::to_string(bytes.size()) + " bytes, expected 32");
  for (size_t i = 0; i < 4; ++i) {
    uint64_t w = 0;
    for (int b = 0; b < 8; ++b) w |= uint64_t(bytes[i * 8 + b]) << (8 * b);
    s_[i] = w;
  }
}

}  // namespace vkt::tune
