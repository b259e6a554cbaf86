#version 450
#extension GL_GOOGLE_include_directive : require
// The adjoint of im2col: dx[n, c, ih, iw] = sum of dcol[(n, oh, ow)][(c, r, s)] over every
// (r, s) whose window places input pixel (ih, iw) at output (oh, ow); outputs without a row
// (dropped by a fused pool, conv2d_common.glsl) add nothing. Each invocation gathers its terms,
// so no two invocations write the same address (no atomics).
// CHANNELS_LAST: dcol's columns are (r, s, c), channels innermost (nn/ops/conv2d.hpp), read
// through an RGBA32F view: one invocation per 4 channels of a pixel, one fetch per term for
// all 4 (else one invocation and one R32F fetch per dx element); with X_NHWC too, one vec4
// store per invocation instead of 4 scattered floats.
#include "common.glsl"
#include "conv2d_common.glsl"

layout(constant_id = 16) const bool CHANNELS_LAST = false;

layout(binding = 0) uniform samplerBuffer dcol;  // R32F, or RGBA32F with CHANNELS_LAST
layout(std430, binding = 1) writeonly buffer DX { float dx[]; };
layout(std430, binding = 1) writeonly buffer DX4 { vec4 dx4[]; };  // X_NHWC with CHANNELS_LAST

void main() {
  const uint id = global_index_1d();
  const uint lanes = CHANNELS_LAST ? 4u : 1u;  // channels per invocation
  if (id >= p.N * (C / lanes) * H * W) return;
  // Neighbouring invocations take neighbouring dx addresses: channels innermost with X_NHWC.
  uint iw, ih, c0, n;
  if (X_NHWC) {
    c0 = (id % (C / lanes)) * lanes, iw = (id / (C / lanes)) % W, ih = (id / ((C / lanes) * W)) % H;
    n = id / ((C / lanes) * W * H);
  } else {
    iw = id % W, ih = (id / W) % H, c0 = ((id / (W * H)) % (C / lanes)) * lanes, n = id / (W * H * (C / lanes));
  }
  // Output rows that see input row ih: oh*SH + r = ih + PH with 0 <= r < R, 0 <= oh < OH.
  const int hs = int(ih + PH), ws = int(iw + PW);
  const int oh_lo = max(0, (hs - int(R) + int(SH)) / int(SH)), oh_hi = min(int(OH) - 1, hs / int(SH));
  const int ow_lo = max(0, (ws - int(S) + int(SW)) / int(SW)), ow_hi = min(int(OW) - 1, ws / int(SW));
  vec4 acc = vec4(0.0);
  for (int oh = oh_lo; oh <= oh_hi; ++oh) {
    const uint r = uint(hs - oh * int(SH));
    for (int ow = ow_lo; ow <= ow_hi; ++ow) {
      const uint s = uint(ws - ow * int(SW));
      uint row;
      if (!pixel_row(n, uint(oh), uint(ow), row)) continue;
      if (CHANNELS_LAST)
        acc += texelFetch(dcol, int((row * LDCOL + (r * S + s) * C + c0) >> 2u));
      else
        acc.x += texelFetch(dcol, int(row * LDCOL + (c0 * R + r) * S + s)).x;
    }
  }
  if (X_NHWC && CHANNELS_LAST) {
    dx4[image_index(n, c0, ih, iw) >> 2u] = acc;  // one store: the 4 channels are side by side
  } else {
    const uint plane = X_NHWC ? 1u : H * W, first = image_index(n, c0, ih, iw);
    for (uint q = 0u; q < lanes; ++q) dx[first + q * plane] = acc[q];
  }
}
