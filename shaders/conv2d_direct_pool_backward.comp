#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
// The weight and bias gradient of conv2d_direct_pool.comp's layer (a model's first: no dx),
// straight from the pooled gradient dy and the pool's winners: a window's gradient reaches the
// weights only through its winning cell, so dw[k][c][r][s] = Σ over windows of dy · x at the
// winner's patch position, and db[k] = Σ dy (cell 4: the ReLU zeroed the window, no gradient).
// That is a quarter of the multiply-adds of im2col + a GEMM over every cell, and no column
// matrix (nn/ops/conv2d_direct.hpp).
//
// One 8-invocation workgroup (one subgroup) per 64 windows, 8 per lane, each lane holding all
// K·(CRS + 1) sums; the lanes' sums are then added by a butterfly of constant-distance
// shuffles (one vector permute each on llvmpipe) and stored once per workgroup at uniform
// addresses (uniform_store.glsl), as slab `chunk` of partials (chunks, K, CRS + 1), which
// strided_sum then adds up. Lanes past the last window fetch it again and add zero.
#include "common.glsl"
#include "conv2d_direct_common.glsl"  // K·(C·R·S + 1) here a multiple of 4

layout(push_constant) uniform Push {
  uint N;
  uint ident[16];  // uniform_store.glsl
} p;
#include "uniform_store.glsl"

layout(binding = 1) uniform samplerBuffer dy;       // RGBA32F with Y_NHWC, else R32F
layout(binding = 2) uniform samplerBuffer winners;  // as dy
layout(std430, binding = 3) writeonly buffer Partials { vec4 part[]; };

const uint CRS = C * R * S, COLS = CRS + 1;
const uint PER_LANE = 8u;  // windows per lane

void main() {
  const uint windows = p.N * PH * PW;
  const uint chunk = uniform_workgroup(), lane = gl_LocalInvocationID.x;
  float acc[K * COLS];
  [[unroll]] for (uint i = 0u; i < K * COLS; ++i) acc[i] = 0.0;

  [[unroll]] for (uint wi = 0u; wi < PER_LANE; ++wi) {
    const uint q0 = (chunk * PER_LANE + wi) * 8u + lane;
    const bool live = q0 < windows;
    const uint q = min(q0, windows - 1u);
    uint n, py, px;
    window_of(q, n, py, px);
    float tile[C * TR * TC];
    [[unroll]] for (uint c = 0u; c < C; ++c)
      [[unroll]] for (uint i = 0u; i < TR; ++i)
        [[unroll]] for (uint j = 0u; j < TC; ++j) tile[(c * TR + i) * TC + j] = patch_value(n, py, px, c, i, j);
    [[unroll]] for (uint k0 = 0u; k0 < K; k0 += 4u) {
      vec4 g, cell;
      if (Y_NHWC) {
        g = texelFetch(dy, int((q * K + k0) >> 2u));
        cell = texelFetch(winners, int((q * K + k0) >> 2u));
      } else {
        [[unroll]] for (uint f = 0u; f < 4u; ++f) {
          const int at = int(((n * K + k0 + f) * PH + py) * PW + px);
          g[f] = texelFetch(dy, at).x;
          cell[f] = texelFetch(winners, at).x;
        }
      }
      [[unroll]] for (uint f = 0u; f < 4u; ++f) {
        const uint k = k0 + f;
        // A select, not a multiply by a mask: 0 * inf would be NaN.
        const float ge = live && cell[f] < 3.5 ? g[f] : 0.0;
        const bool c1 = cell[f] == 1.0, c2 = cell[f] == 2.0, c3 = cell[f] == 3.0;
        [[unroll]] for (uint c = 0u; c < C; ++c)
          [[unroll]] for (uint r = 0u; r < R; ++r)
            [[unroll]] for (uint s = 0u; s < S; ++s) {
              const uint t = (c * TR + r) * TC + s;  // cell 0's input; cells 1-3 step by SW, SH
              const float xv = c3 ? tile[t + SH * TC + SW] : c2 ? tile[t + SH * TC] : c1 ? tile[t + SW] : tile[t];
              acc[k * COLS + (c * R + r) * S + s] += ge * xv;
            }
        acc[k * COLS + CRS] += ge;
      }
    }
  }

  [[unroll]] for (uint j = 0u; j < K * COLS / 4u; ++j) {
    vec4 v = vec4(acc[4u * j], acc[4u * j + 1u], acc[4u * j + 2u], acc[4u * j + 3u]);
    v += subgroupShuffleXor(v, 1u);
    v += subgroupShuffleXor(v, 2u);
    v += subgroupShuffleXor(v, 4u);
    UNIFORM_STORE_VEC4(part, chunk * (K * COLS / 4u) + j, v);  // every lane holds the sum
  }
}
