#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
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
// How many output rows (columns) can see one input row (column).
const uint NRH = (R + SH - 1u) / SH, NRW = (S + SW - 1u) / SW;

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
  // The output rows that may see input row ih: oh = oh_top - i for i < NRH, oh_top the last
  // with oh·SH <= ih + PH, at filter row r = r0 + i·SH (likewise columns). A fixed number of
  // candidates, each fetched (clamped to valid memory) and kept or dropped by a select: on
  // llvmpipe a loop with per-lane bounds and a `continue` runs masked, every variable it
  // changes blended through memory at each step (docs/ARCHITECTURE.md).
  const int hs = int(ih + PH), ws = int(iw + PW);
  const int oh_top = hs / int(SH), ow_top = ws / int(SW);
  const uint r0 = uint(hs - oh_top * int(SH)), s0 = uint(ws - ow_top * int(SW));
  // Pixels that have a column-matrix row: all, or those a fused pool reads (conv2d_common.glsl).
  const int OH_ROWS = POOL == 0u ? int(OH) : int(2u * PH_OUT), OW_ROWS = POOL == 0u ? int(OW) : int(2u * PW_OUT);
  vec4 acc = vec4(0.0);
  [[unroll]] for (uint i = 0u; i < NRH; ++i) {
    const int oh = oh_top - int(i);
    const uint r = r0 + i * SH;
    const bool h_ok = r < R && oh >= 0 && oh < OH_ROWS;
    const uint ohc = uint(clamp(oh, 0, OH_ROWS - 1)), rc = min(r, R - 1u);
    [[unroll]] for (uint j = 0u; j < NRW; ++j) {
      const int ow = ow_top - int(j);
      const uint sc_ = s0 + j * SW;
      const bool ok = h_ok && sc_ < S && ow >= 0 && ow < OW_ROWS;
      const uint owc = uint(clamp(ow, 0, OW_ROWS - 1)), sc = min(sc_, S - 1u);
      uint row;
      pixel_row(n, ohc, owc, row);
      const vec4 term = CHANNELS_LAST ? texelFetch(dcol, int((row * LDCOL + (rc * S + sc) * C + c0) >> 2u))
                                      : vec4(texelFetch(dcol, int(row * LDCOL + (c0 * R + rc) * S + sc)).x, 0.0, 0.0, 0.0);
      acc += ok ? term : vec4(0.0);
    }
  }
  if (X_NHWC && CHANNELS_LAST) {
    dx4[image_index(n, c0, ih, iw) >> 2u] = acc;  // one store: the 4 channels are side by side
  } else {
    const uint plane = X_NHWC ? 1u : H * W, first = image_index(n, c0, ih, iw);
    for (uint q = 0u; q < lanes; ++q) dx[first + q * plane] = acc[q];
  }
}
