#pragma once
// A run of floats (or 32-bit ints) inside a device buffer: what every op takes and returns.
// Views into the flat parameter/gradient buffers and into activation buffers are spans.
#include <cstdint>

#include "runtime/buffer.hpp"
#include "runtime/stream.hpp"

namespace vkt::nn {

struct DeviceSpan {
  const Buffer* buffer = nullptr;
  VkDeviceSize offset = 0;  // bytes
  VkDeviceSize count = 0;   // 4-byte elements

  DeviceSpan() = default;
  DeviceSpan(const Buffer& b) : buffer(&b), offset(0), count(b.size() / 4) {}  // NOLINT: whole buffer
  DeviceSpan(const Buffer& b, VkDeviceSize offset_bytes, VkDeviceSize elements)
      : buffer(&b), offset(offset_bytes), count(elements) {}

  bool empty() const { return buffer == nullptr || count == 0; }
  VkDeviceSize bytes() const { return count * 4; }
  // Elements [first, first + n) of this span.
  DeviceSpan sub(VkDeviceSize first, VkDeviceSize n) const { return {*buffer, offset + first * 4, n}; }
};

// Throws Error if `s` holds fewer than n elements ("<op>: <what> holds X floats, needs n"), and
// InputError if n passes the 32-bit indices the shaders use.
void require_span(const char* op, const char* what, DeviceSpan s, uint64_t n);

// True if `s` can be read whole vec4s at a time through an RGBA32F texel view with the tail
// vec4 inside the view (shaders/vec4_io.glsl): a texel-capable buffer on a device with RGBA32F
// texel buffers, a 16-byte aligned offset that also meets minTexelBufferOffsetAlignment, and
// at most maxTexelBufferElements vec4s.
bool vec4_texel_ok(const Context& ctx, DeviceSpan s);

inline Arg in(const DeviceSpan& s) { return vkt::in(*s.buffer, s.offset, s.bytes()); }
inline Arg out(const DeviceSpan& s) { return vkt::out(*s.buffer, s.offset, s.bytes()); }
inline Arg inout(const DeviceSpan& s) { return vkt::inout(*s.buffer, s.offset, s.bytes()); }
inline Arg texel(const DeviceSpan& s) { return vkt::texel(*s.buffer, s.offset, s.bytes()); }
inline Arg texel_r32(const DeviceSpan& s) { return vkt::texel_r32(*s.buffer, s.offset, s.bytes()); }
inline Arg texel_r32ui(const DeviceSpan& s) { return vkt::texel_r32ui(*s.buffer, s.offset, s.bytes()); }

}  // namespace vkt::nn
