#include "runtime/shaders.hpp"

#include <string>

#include "util/error.hpp"

namespace vkt {

namespace {

std::vector<const std::vector<EmbeddedShader>*>& added_sets() {
  static std::vector<const std::vector<EmbeddedShader>*> sets;
  return sets;
}

}  // namespace

void add_embedded_shaders(const std::vector<EmbeddedShader>& set) { added_sets().push_back(&set); }

std::span<const uint32_t> embedded_shader(std::string_view name) {
  for (const auto& s : embedded_shaders())
    if (s.name == name) return s.words;
  for (const auto* set : added_sets())
    for (const auto& s : *set)
      if (s.name == name) return s.words;
  throw Error("no embedded shader named '" + std::string(name) + "'",
              "shaders are compiled from shaders/*.comp; rebuild after adding one");
}

}  // namespace vkt
