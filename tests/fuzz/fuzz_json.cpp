// JSON from outside the program (util/json_input.hpp): parse_json must refuse bad text with
// an InputError, and what it accepts must survive a round trip through dump().
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "util/error.hpp"
#include "util/json_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  nlohmann::json doc;
  try {
    doc = vkt::parse_json(text, "fuzz input");
  } catch (const vkt::Error&) {
    // try_parse_json is documented to refuse exactly what parse_json refuses.
    if (vkt::try_parse_json(text)) std::abort();
    return 0;
  }
  if (!vkt::try_parse_json(text)) std::abort();
  // A document we accept, written out, is one we accept again, unchanged (the journal and
  // the canonical space JSON depend on it). Errors here escape: they are findings.
  if (vkt::parse_json(doc.dump(), "round trip") != doc) std::abort();
  return 0;
}
