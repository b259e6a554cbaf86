#include "nn/ops/device_span.hpp"

#include <string>

#include "runtime/context.hpp"
#include "util/error.hpp"

namespace vkt::nn {

void require_span(const char* op, const char* what, DeviceSpan s, uint64_t n) {
  if (s.buffer == nullptr || s.count < n)
    throw Error(std::string(op) + ": " + what + " holds " + std::to_string(s.buffer ? s.count : 0) +
                " floats, needs " + std::to_string(n));
  if (n > 0xFFFFFFFFull) throw InputError(std::string(op) + ": " + std::to_string(n) + " elements are too many");
}

bool vec4_texel_ok(const Context& ctx, DeviceSpan s) {
  const auto& info = ctx.info();
  return s.buffer != nullptr && ctx.policy().vec4_texels && s.buffer->texel_capable() && s.offset % 16 == 0 &&
         s.offset % info.min_texel_buffer_offset_alignment == 0 && (s.count + 3) / 4 <= info.max_texel_buffer_elements;
}

}  // namespace vkt::nn
