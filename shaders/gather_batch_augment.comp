#version 450
#extension GL_GOOGLE_include_directive : require
// The training batch gather with data augmentation (train --augment): image b of the batch is
// data-set image indices[step_block.batch_start + b], transformed by its own random draw and
// scaled to [0, 1]; its label is unchanged. tests/reference/augment.hpp specifies the draws and
// the mapping exactly; in short, output pixel (ox, oy) reads the source at
//   f = flip ? W-1-ox : ox,  q = (f, oy) - c,  src = c + R(-angle) q / s + (dx, dy)
// with c the image centre: a random crop of the image padded by `pad` zeros (dx, dy in
// [-pad, pad]), a horizontal flip, and a rotation by angle in [-rotate, rotate] with a scale s
// in [1 - scale, 1 + scale] about the centre, sampled bilinearly. Pixels outside the image are
// 0. Without rotation or scaling (`affine` 0) the source is a whole pixel, read as is, so crop 0
// without flip gives exactly gather_batch's batch.
// The draws come from (seed, step_block.step, b), so a replayed step draws anew, a resumed run
// draws as an uninterrupted one, and nothing is kept on the host.
// One invocation per output pixel, all channels; y over the batch (looping when the batch passes
// the grid's y limit). Reads through storage buffers only: augmentation is opt-in and any device
// runs it.
// Bindings: 0-3 chunks, 4 labels, 5 indices (dataset_read.glsl), 6 step block, 7 x, 8 y.
#include "common.glsl"
#include "dataset_read.glsl"
#define STEP_BLOCK_BINDING 6
#include "step_block.glsl"
layout(std430, binding = 7) writeonly buffer X { float x[]; };
layout(std430, binding = 8) writeonly buffer Y { int y[]; };

layout(push_constant) uniform Push {
  uint batch;
  uint images_per_chunk;
  uint channels, height, width;
  uint seed;
  uint pad;     // crop: dx, dy in [-pad, pad]
  uint flip;    // 1: flip half of the images
  uint affine;  // 1: rotate or scale (bilinear); 0: whole-pixel reads
  float rotate;  // largest angle, radians
  float scale;   // largest relative change of size
} p;

uint mix_bits(uint x) {
  x ^= x >> 16;
  x *= 0x7FEB352Du;
  x ^= x >> 15;
  x *= 0x846CA68Bu;
  x ^= x >> 16;
  return x;
}

// Draw k (0: dx, 1: dy, 2: flip, 3: angle, 4: scale) of batch position b at this step.
uint draw(uint b, uint k) {
  const uint step = step_block.step;
  uint h = p.seed ^ (step * 0x9E3779B9u);
  h = mix_bits(h ^ ((b * 8u + k) * 0x85EBCA6Bu));
  return mix_bits(h ^ step);
}

// In [-1, 1): 24 random bits, exact in float.
float signed_unit(uint h) { return float(h >> 8) * (2.0 / 16777216.0) - 1.0; }

// Byte (sx, sy) of the plane starting at byte `base` of `chunk`, as a float; 0 outside the image.
float pixel(uint chunk, uint base, int sx, int sy) {
  if (sx < 0 || sy < 0 || sx >= int(p.width) || sy >= int(p.height)) return 0.0;
  const uint offset = base + uint(sy) * p.width + uint(sx);
  return float(byte_of(word_at(chunk, offset >> 2), offset & 3u));
}

void main() {
  const uint plane = p.height * p.width;
  const uint o = gl_GlobalInvocationID.x;
  if (o >= plane) return;
  const uint ox = o % p.width, oy = o / p.width;
  const uint image_bytes = plane * p.channels;
  for (uint b = gl_WorkGroupID.y; b < p.batch; b += gl_NumWorkGroups.y) {
    const uint image = GATHER_WORD(indices, step_block.batch_start + b);
    const uint chunk = CHUNKS == 1u ? 0u : image / p.images_per_chunk;
    const uint local = CHUNKS == 1u ? image : image % p.images_per_chunk;
    if (o == 0u) y[b] = int(byte_of(GATHER_WORD(labels, image >> 2), image & 3u));
    const uint range = 2u * p.pad + 1u;
    const int dx = int(draw(b, 0u) % range) - int(p.pad);
    const int dy = int(draw(b, 1u) % range) - int(p.pad);
    const bool flip = p.flip != 0u && (draw(b, 2u) >> 31) != 0u;
    const int fx = flip ? int(p.width - 1u - ox) : int(ox);
    const uint out_base = b * image_bytes + o;
    if (p.affine == 0u) {
      for (uint c = 0u; c < p.channels; ++c)
        x[out_base + c * plane] = pixel(chunk, local * image_bytes + c * plane, fx + dx, int(oy) + dy) * (1.0 / 255.0);
      continue;
    }
    const float angle = p.rotate * signed_unit(draw(b, 3u));
    const float s = 1.0 + p.scale * signed_unit(draw(b, 4u));
    const float cx = 0.5 * float(p.width - 1u), cy = 0.5 * float(p.height - 1u);
    const float qx = float(fx) - cx, qy = float(oy) - cy;
    const float ca = cos(angle), sa = sin(angle);
    const float sx = cx + (ca * qx + sa * qy) / s + float(dx);
    const float sy = cy + (ca * qy - sa * qx) / s + float(dy);
    const float x0 = floor(sx), y0 = floor(sy);
    const float wx = sx - x0, wy = sy - y0;
    const int ix = int(x0), iy = int(y0);
    for (uint c = 0u; c < p.channels; ++c) {
      const uint base = local * image_bytes + c * plane;
      const float top = pixel(chunk, base, ix, iy) * (1.0 - wx) + pixel(chunk, base, ix + 1, iy) * wx;
      const float bottom = pixel(chunk, base, ix, iy + 1) * (1.0 - wx) + pixel(chunk, base, ix + 1, iy + 1) * wx;
      x[out_base + c * plane] = (top * (1.0 - wy) + bottom * wy) * (1.0 / 255.0);
    }
  }
}
