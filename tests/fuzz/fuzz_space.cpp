// Search spaces (tuning/space.hpp) as `vktrain tune --space FILE` reads them: a bad space
// must be an InputError; a good one's canonical JSON must parse to the same space again.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tuning/space.hpp"
#include "util/error.hpp"
#include "util/json_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  vkt::tune::Space space;
  try {
    space = vkt::tune::Space::parse(vkt::parse_json(text, "fuzz input"));
  } catch (const vkt::Error&) {
    return 0;
  }
  // The canonical text is what a study's fingerprint hashes: it must describe the same space.
  // Errors here escape: they are findings.
  const auto again = vkt::tune::Space::parse(space.canonical_json());
  if (again.canonical_json() != space.canonical_json() || again.space_hash() != space.space_hash()) std::abort();
  return 0;
}
