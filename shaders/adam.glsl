// Adam (L2-style weight decay folded into the gradient) and AdamW (FLAG_DECOUPLED: decay
// applied to the weight first), one dispatch over the flat parameter buffer
// (tests/reference/optim.hpp: adam_step, adamw_step):
//   Adam:  g' = g1 + wd w                  AdamW: w -= lr wd w;  g' = g1
//   m = b1 m + (1-b1) g';  v = b2 v + (1-b2) g'^2;
//   w -= lr (m / bc1) / (sqrt(v / bc2) + eps),  bc1 = 1 - b1^t, bc2 = 1 - b2^t from the step block.
// g1 is the penalized, clipped loss gradient (optim_common.glsl), taken at w before the decay.
// Bindings: 0 p, 1 g, 2 m, 3 v, 4 step block, 5 clip result,
// 6-9 texel views of p, g, m, v (VEC4_TEXEL only).
#define OPT_STEP_BINDING 4
#define OPT_CLIP_BINDING 5
#define OPT_TEXEL_BINDING 6
#include "optim_common.glsl"

VEC4_BUFFER(m, 2, OPT_TEXEL_BINDING + 2, )
VEC4_BUFFER(v, 3, OPT_TEXEL_BINDING + 3, )

void opt_update(uint q, uint cnt, OptStep st) {
  vec4 w, g, m, v;
  VEC4_LOAD(p, q, cnt, w)
  VEC4_LOAD(g, q, cnt, g)
  VEC4_LOAD(m, q, cnt, m)
  VEC4_LOAD(v, q, cnt, v)
  const float lr = st.lr;
  vec4 gd = opt_loss_grad(q, w, g, st.clip_scale);
  if ((pc.flags & FLAG_DECOUPLED) != 0u) {
    w -= (lr * pc.wd) * w;
  } else {
    gd += pc.wd * w;
  }
  m = pc.a * m + pc.one_minus_a * gd;
  v = pc.b * v + pc.one_minus_b * (gd * gd);
  const vec4 mhat = m / st.bc1;
  const vec4 vhat = v / st.bc2;
  w -= lr * mhat / (sqrt(vhat) + pc.eps);
  VEC4_STORE(m, q, cnt, m)
  VEC4_STORE(v, q, cnt, v)
  VEC4_STORE(p, q, cnt, w)
}
