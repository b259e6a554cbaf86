#pragma once
// The tuner's own random generator (xoshiro256**, seeded through splitmix64). We do not use
// <random> distributions because their output differs between standard libraries; a resumed
// study must continue exactly the sequence it started, on any build.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace vkt::tune {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0);

  uint64_t next_u64();
  double uniform();                      // [0, 1), 53 random bits
  double uniform(double lo, double hi);  // [lo, hi)
  uint64_t below(uint64_t n);            // [0, n), unbiased; n > 0
  double normal();                       // standard normal (Box-Muller, no cached spare)

  // 32 bytes, little-endian; restore() rejects anything else with an Error.
  std::vector<uint8_t> save() const;
  void restore(std::span<const uint8_t> bytes);

  bool operator==(const Rng&) const = default;

 private:
  std::array<uint64_t, 4> s_{};
};

// One splitmix64 step: a cheap, well-mixed hash for deriving seeds (e.g. per-trial seeds).
uint64_t splitmix64(uint64_t x);

}  // namespace vkt::tune
