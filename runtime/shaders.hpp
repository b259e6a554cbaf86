#pragma once
// The SPIR-V of every shader under shaders/, compiled and validated at build time and linked
// into the library (cmake/EmbedShaders.cmake): the binary needs no shader files at run time.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace vkt {

struct EmbeddedShader {
  std::string_view name;  // file stem: shaders/saxpy.comp -> "saxpy"
  std::span<const uint32_t> words;
};

const std::vector<EmbeddedShader>& embedded_shaders();

// Throws Error if no shader has that name.
std::span<const uint32_t> embedded_shader(std::string_view name);

}  // namespace vkt
