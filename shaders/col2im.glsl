#extension GL_EXT_control_flow_attributes : require
// The adjoint of im2col: dx[n, c, ih, iw] = sum of dcol[(n, oh, ow)][(c, r, s)] over every
// (r, s) whose window places input pixel (ih, iw) at output (oh, ow); outputs without a row
// (dropped by a fused pool, conv2d_common.glsl) add nothing. Each invocation gathers its terms,
// so no two invocations write the same address (no atomics).
// CHANNELS_LAST: dcol's columns are (r, s, c), channels innermost (nn/ops/conv2d.hpp), read
// through an RGBA32F view: one invocation per 4 channels of a pixel, one fetch per term for
// all 4 (else one invocation and one R32F fetch per dx element); with X_NHWC too, one vec4
// store per invocation instead of 4 scattered floats.
// COL2IM_UNIFORM (the col2im_uniform*.comp twins; with both, C % 4 == 0, N·H·W % 8 == 0,
// 8-lane subgroups with shuffle: nn/ops/conv2d.cpp): one invocation
// per pixel and all its channels, in 8-invocation workgroups of 8 consecutive pixels, whose
// C·8 floats are one run of dx: stored at uniform addresses (uniform_store.glsl), lane by
// lane, instead of a per-lane store loop for every vec4; the candidates' geometry is worked
// out once per pixel instead of once per 4 channels.
#include "common.glsl"
#include "conv2d_common.glsl"
#ifdef COL2IM_UNIFORM
#include "uniform_store.glsl"
const bool UNIFORM_STORE = true;
#else
const bool UNIFORM_STORE = false;  // and no subgroup operation in the module
#endif

layout(constant_id = 16) const bool CHANNELS_LAST = false;
const uint QUADS = UNIFORM_STORE ? C / 4u : 1u;  // groups of 4 channels per invocation
// How many output rows (columns) can see one input row (column).
const uint NRH = (R + SH - 1u) / SH, NRW = (S + SW - 1u) / SW;

layout(binding = 0) uniform samplerBuffer dcol;  // R32F, or RGBA32F with CHANNELS_LAST
layout(std430, binding = 1) writeonly buffer DX { float dx[]; };
layout(std430, binding = 1) writeonly buffer DX4 { vec4 dx4[]; };  // X_NHWC with CHANNELS_LAST
#ifdef UNIFORM_STORE_U64
layout(std430, binding = 1) writeonly buffer DX64 { u64vec2 dx464[]; };  // the same, two floats per component
#endif

void main() {
  const uint lanes = CHANNELS_LAST ? 4u : 1u;  // channels per invocation (per quad)
#ifdef COL2IM_UNIFORM
  const uint id = gl_WorkGroupID.x * 8u + gl_LocalInvocationID.x;  // an exact grid of pixels
#else
  const uint id = global_index_1d();
  if (id >= p.N * (C / lanes) * H * W) return;
#endif
  // Neighbouring invocations take neighbouring dx addresses: channels innermost with X_NHWC.
  uint iw, ih, c0, n;
  if (UNIFORM_STORE) {  // pixel id, channels 0 .. C-1
    c0 = 0u, iw = id % W, ih = (id / W) % H, n = id / (W * H);
  } else if (X_NHWC) {
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
  vec4 acc[QUADS];
  [[unroll]] for (uint q = 0u; q < QUADS; ++q) acc[q] = vec4(0.0);
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
      [[unroll]] for (uint q = 0u; q < QUADS; ++q) {
        const uint c = c0 + 4u * q;
        const vec4 term = CHANNELS_LAST ? texelFetch(dcol, int((row * LDCOL + (rc * S + sc) * C + c) >> 2u))
                                        : vec4(texelFetch(dcol, int(row * LDCOL + (c * R + rc) * S + sc)).x, 0.0, 0.0, 0.0);
        acc[q] += ok ? term : vec4(0.0);
      }
    }
  }
#ifdef COL2IM_UNIFORM
  // The workgroup's 8 pixels, all channels: QUADS·8 vec4s side by side.
  const uint first = uniform_workgroup() * 8u * QUADS;
  [[unroll]] for (uint l = 0u; l < 8u; ++l)
    [[unroll]] for (uint q = 0u; q < QUADS; ++q) UNIFORM_STORE_VEC4(dx4, first + l * QUADS + q, subgroupShuffle(acc[q], l));
#else
  if (X_NHWC && CHANNELS_LAST) {
    dx4[image_index(n, c0, ih, iw) >> 2u] = acc[0];  // one store: the 4 channels are side by side
  } else {
    const uint plane = X_NHWC ? 1u : H * W, first = image_index(n, c0, ih, iw);
    for (uint q = 0u; q < lanes; ++q) dx[first + q * plane] = acc[0][q];
  }
#endif
}
