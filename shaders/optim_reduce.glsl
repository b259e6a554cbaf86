// Body of grad_norm.comp (subgroupAdd) and grad_norm_shared.comp (shared-memory tree): the
// device-side reductions of the optimizer step, run as two passes (n -> groups -> 1) so the
// result never visits the host. Mirrors ReducePush in nn/optim/optimizer.cpp.
//
//   MODE_NORM_PARTIAL     partial[group] = sum (g + [i < n_reg] (l1 sign(w) + 2 l2 w))^2 over the
//                         group's slice: the squared norm of the loss gradient the optimizer
//                         sees (penalty included, as Keras' regularization losses are).
//   MODE_PENALTY_PARTIAL  partial[group] = sum_{i < n_reg} l1 |w| + l2 w^2 (x and w both = p).
//   MODE_FINISH_NORM      one workgroup sums the n partials: out[0] = scale = min(1, max_norm /
//                         norm) (1 when norm is 0), out[1] = norm = sqrt(total).
//   MODE_FINISH_SUM       one workgroup sums the n partials: out[0] = total.
// The including shader defines `float workgroup_sum(float)` (valid in invocation 0) first,
// and REDUCE_TEXEL to read x and w as texel buffers (first passes only).
// Bindings: 0 x (g, p or partials), 1 w (p; unread unless penalties apply), 2 out.

const uint MODE_NORM_PARTIAL = 0u;
const uint MODE_PENALTY_PARTIAL = 1u;
const uint MODE_FINISH_NORM = 2u;
const uint MODE_FINISH_SUM = 3u;

#ifdef REDUCE_TEXEL
// x and w read through RGBA32F uniform texel buffers (first passes only: lavapipe fetches
// these several times faster than storage-buffer loads).
layout(binding = 0) uniform samplerBuffer X;
layout(binding = 1) uniform samplerBuffer W;
#else
layout(std430, binding = 0) readonly buffer X4 { vec4 x4[]; };
layout(std430, binding = 0) readonly buffer X1 { float x1[]; };
layout(std430, binding = 1) readonly buffer W4 { vec4 w4[]; };
layout(std430, binding = 1) readonly buffer W1 { float w1[]; };
#endif
layout(std430, binding = 2) writeonly buffer Out { float o[]; };

layout(push_constant) uniform Push {
  uint n;          // floats in x
  uint per_group;  // partial modes: vec4s summed by one workgroup
  uint mode;       // MODE_*
  uint n_reg;      // elements [0, n_reg) carry the L1/L2 penalty
  float l1;
  float l2;
  float max_norm;
} pc;

// vec4 q of x or w; elements at or past n read as 0.
vec4 load4(bool from_w, uint q) {
#ifdef REDUCE_TEXEL
  // The view's last texel may run past n into padding or a neighbouring tensor: select, not
  // multiply, so whatever is there (even NaN) cannot leak in.
  const vec4 r = from_w ? texelFetch(W, int(q)) : texelFetch(X, int(q));
  return mix(vec4(0.0), r, lessThan(uvec4(4u * q) + uvec4(0u, 1u, 2u, 3u), uvec4(pc.n)));
#else
  const uint whole = pc.n / 4u;
  if (q < whole) return from_w ? w4[q] : x4[q];
  vec4 r = vec4(0.0);
  for (uint c = 0u; c < pc.n % 4u; ++c) r[c] = from_w ? w1[4u * q + c] : x1[4u * q + c];
  return r;
#endif
}

void main() {
  const uint lid = gl_LocalInvocationID.x;
  float acc = 0.0;
  if (pc.mode == MODE_FINISH_NORM || pc.mode == MODE_FINISH_SUM) {
#ifndef REDUCE_TEXEL  // the second passes read the partials from storage
    for (uint i = lid; i < pc.n; i += gl_WorkGroupSize.x) acc += x1[i];
#endif
  } else {
    const uint group = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    const uint vecs = (pc.n + 3u) / 4u;
    const uint begin = group * pc.per_group;
    const uint end = min(begin + pc.per_group, vecs);
    const bool penalty = pc.l1 != 0.0 || pc.l2 != 0.0;
    for (uint q = begin + lid; q < end; q += gl_WorkGroupSize.x) {
      const vec4 reg = vec4(lessThan(uvec4(4u * q) + uvec4(0u, 1u, 2u, 3u), uvec4(pc.n_reg)));
      if (pc.mode == MODE_NORM_PARTIAL) {
        vec4 g = load4(false, q);
        if (penalty) {
          const vec4 w = load4(true, q);
          g += reg * (pc.l1 * sign(w) + (2.0 * pc.l2) * w);
        }
        acc += dot(g, g);
      } else {
        const vec4 w = load4(false, q);
        acc += dot(reg, pc.l1 * abs(w) + pc.l2 * (w * w));
      }
    }
  }
  const float total = workgroup_sum(acc);
  if (lid != 0u) return;
  if (pc.mode == MODE_FINISH_NORM) {
    const float norm = sqrt(total);
    o[0] = norm > pc.max_norm ? pc.max_norm / norm : 1.0;
    o[1] = norm;
  } else if (pc.mode == MODE_FINISH_SUM) {
    o[0] = total;
  } else {
    // groups_1d may launch a few groups past the last slice when it splits the grid over y.
    const uint group = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    if (group * pc.per_group < (pc.n + 3u) / 4u || group == 0u) o[group] = total;
  }
}
