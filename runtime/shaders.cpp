#include "runtime/shaders.hpp"

#include <string>

#include "util/error.hpp"

namespace vkt {

std::span<const uint32_t> embedded_shader(std::string_view name) {
  for (const auto& s : embedded_shaders())
    if (s.name == name) return s.words;
  throw Error("no embedded shader named '" + std::string(name) + "'",
              "shaders are compiled from shaders/*.comp; rebuild after adding one");
}

}  // namespace vkt
