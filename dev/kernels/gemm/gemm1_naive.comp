#version 450
#extension GL_GOOGLE_include_directive : require
// Kernel lab, GEMM variant 1: one output per invocation, straight from storage buffers: no
// tiles, no shared memory, no barriers. The baseline the production kernels
// (shaders/gemm_tiled.glsl, shaders/gemm_texel.glsl) are measured against; no device's plan
// takes it (dev/kernels/README.md has the numbers). Push constants and C's layout: the
// production kernels' (shaders/gemm_common.glsl), so the lab drives it with nn::GemmPush.
#include "common.glsl"

layout(constant_id = 3) const uint TM = 1;  // unused: the shared GEMM layout's slots
layout(constant_id = 4) const uint TN = 1;
#include "gemm_common.glsl"

layout(std430, binding = 0) readonly buffer InA { float a[]; };
layout(std430, binding = 1) readonly buffer InB { float b[]; };
layout(std430, binding = 2) readonly buffer InBias { float bias[]; };

void main() {
  const uint n = gl_GlobalInvocationID.x, m = gl_GlobalInvocationID.y;
  if (m >= p.M || n >= p.N) return;
  float acc = 0.0;
  const uint k_stop = k_end();
  for (uint k = k_begin(); k < k_stop; ++k)
    acc += (TRANS_A ? a[BATCH_Z * p.batch_a + k * p.lda + m] : a[BATCH_Z * p.batch_a + m * p.lda + k]) * (TRANS_B ? b[BATCH_Z * p.batch_b + n * p.ldb + k] : b[BATCH_Z * p.batch_b + k * p.ldb + n]);
  const float bias_value = p.bias_mode == 1u ? bias[n] : (p.bias_mode == 2u ? bias[m] : 0.0);
  const CColumns cc = c_columns(m, n);
  c[cc.base] = epilogue(acc, cc.base, bias_value);
}
