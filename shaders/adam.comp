#version 450
#extension GL_GOOGLE_include_directive : require
// Adam (L2-style weight decay folded into the gradient) and AdamW (FLAG_DECOUPLED: decay
// applied to the weight first), one dispatch over the flat parameter buffer
// (tests/reference/optim.hpp: adam_step, adamw_step):
//   Adam:  g' = g1 + wd w                  AdamW: w -= lr wd w;  g' = g1
//   m = b1 m + (1-b1) g';  v = b2 v + (1-b2) g'^2;
//   w -= lr (m / bc1) / (sqrt(v / bc2) + eps),  bc1 = 1 - b1^t, bc2 = 1 - b2^t from the step block.
// g1 is the penalized, clipped loss gradient (optim_common.glsl), taken at w before the decay.
// Bindings: 0 p, 1 g, 2 m, 3 v, 4 step block, 5 clip result.
#define OPT_STEP_BINDING 4
#define OPT_CLIP_BINDING 5
#include "optim_common.glsl"

layout(std430, binding = 0) buffer P4 { vec4 p4[]; };
layout(std430, binding = 0) buffer P1 { float p1[]; };
layout(std430, binding = 1) readonly buffer G4 { vec4 g4[]; };
layout(std430, binding = 1) readonly buffer G1 { float g1[]; };
layout(std430, binding = 2) buffer M4 { vec4 m4[]; };
layout(std430, binding = 2) buffer M1 { float m1[]; };
layout(std430, binding = 3) buffer V4 { vec4 v4[]; };
layout(std430, binding = 3) buffer V1 { float v1[]; };

void opt_update(uint q, uint cnt, float clip_scale) {
  vec4 w, g, m, v;
  OPT_LOAD(p, q, cnt, w)
  OPT_LOAD(g, q, cnt, g)
  OPT_LOAD(m, q, cnt, m)
  OPT_LOAD(v, q, cnt, v)
  const float lr = step_block.lr;
  vec4 gd = opt_loss_grad(q, w, g, clip_scale);
  if ((pc.flags & FLAG_DECOUPLED) != 0u) {
    w -= (lr * pc.wd) * w;
  } else {
    gd += pc.wd * w;
  }
  m = pc.a * m + pc.one_minus_a * gd;
  v = pc.b * v + pc.one_minus_b * (gd * gd);
  const vec4 mhat = m / step_block.bias_correction1;
  const vec4 vhat = v / step_block.bias_correction2;
  w -= lr * mhat / (sqrt(vhat) + pc.eps);
  OPT_STORE(m, q, cnt, m)
  OPT_STORE(v, q, cnt, v)
  OPT_STORE(p, q, cnt, w)
}
