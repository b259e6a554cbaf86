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

// Makes embedded_shader() find a set linked outside the library too (the kernel lab's,
// dev/kernels/: vktrain_embed_shader_set in cmake/EmbedShaders.cmake). `set` must outlive
// every lookup; the library's own shaders are searched first.
void add_embedded_shaders(const std::vector<EmbeddedShader>& set);

// Throws Error if no shader has that name.
std::span<const uint32_t> embedded_shader(std::string_view name);

}  // namespace vkt
