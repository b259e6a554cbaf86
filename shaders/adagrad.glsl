// Adagrad, PyTorch's form (no lr decay: the schedules do that), one dispatch over the flat
// parameter buffer (tests/reference/optim.hpp: adagrad_step):
//   g' = g1 + wd w;  v += g'^2;  w -= lr g' / (sqrt(v) + eps).
// v starts at the initial accumulator (the trainer fills it), so the sum never shrinks and
// each element's step size only falls. g1 is the penalized, clipped loss gradient
// (optim_common.glsl). Bindings: 0 p, 1 g, 2 v (sum of squares), 3 step block, 4 clip result,
// 5-7 texel views of p, g, v (VEC4_TEXEL only).
#define OPT_STEP_BINDING 3
#define OPT_CLIP_BINDING 4
#define OPT_TEXEL_BINDING 5
#include "optim_common.glsl"

VEC4_BUFFER(v, 2, OPT_TEXEL_BINDING + 2, )

void opt_update(uint q, uint cnt, OptStep st) {
  vec4 w, g, v;
  VEC4_LOAD(p, q, cnt, w)
  VEC4_LOAD(g, q, cnt, g)
  VEC4_LOAD(v, q, cnt, v)
  const vec4 gd = opt_loss_grad(q, w, g, st.clip_scale) + pc.wd * w;
  v += gd * gd;
  w -= st.lr * gd / (sqrt(v) + pc.eps);
  VEC4_STORE(v, q, cnt, v)
  VEC4_STORE(p, q, cnt, w)
}
