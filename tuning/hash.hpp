#pragma once
// A stable 64-bit hash (FNV-1a) for fingerprints written into files: unlike std::hash it is
// the same on every build, so a journal made by one binary opens in the next.
#include <cstdint>
#include <string_view>

namespace vkt::tune {

uint64_t fnv1a64(std::string_view bytes, uint64_t seed = 0xcbf29ce484222325ull);

}  // namespace vkt::tune
