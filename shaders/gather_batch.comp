#version 450
#extension GL_GOOGLE_include_directive : require
// Builds one batch on the device from the uint8 data set kept there: image i of the batch is
// data-set image indices[step_block.batch_start + i] (or batch_start + i when `sequential`),
// its bytes scaled to [0, 1] (x / 255) into x, its label widened to int32.
// The data set is split over up to 4 buffers ("chunks") of whole images, because one storage
// buffer may not exceed maxStorageBufferRange (128 MiB on lavapipe; CIFAR-10 is 150 MB).
#include "common.glsl"

layout(std430, binding = 0) readonly buffer Chunk0 { uint chunk0[]; };
layout(std430, binding = 1) readonly buffer Chunk1 { uint chunk1[]; };
layout(std430, binding = 2) readonly buffer Chunk2 { uint chunk2[]; };
layout(std430, binding = 3) readonly buffer Chunk3 { uint chunk3[]; };
layout(std430, binding = 4) readonly buffer Labels { uint labels[]; };  // packed bytes
layout(std430, binding = 5) readonly buffer Indices { uint indices[]; };
#define STEP_BLOCK_BINDING 6
#include "step_block.glsl"
layout(std430, binding = 7) writeonly buffer X { float x[]; };
layout(std430, binding = 8) writeonly buffer Y { int y[]; };

layout(push_constant) uniform Push {
  uint batch;
  uint image_bytes;
  uint images_per_chunk;
  uint sequential;  // 1: image = batch_start + i (evaluation, in file order)
} p;

uint byte_at(uint chunk, uint offset) {
  uint word;
  if (chunk == 0u) word = chunk0[offset >> 2];
  else if (chunk == 1u) word = chunk1[offset >> 2];
  else if (chunk == 2u) word = chunk2[offset >> 2];
  else word = chunk3[offset >> 2];
  return (word >> ((offset & 3u) * 8u)) & 0xFFu;
}

void main() {
  const uint e = global_index_1d();
  if (e >= p.batch * p.image_bytes) return;
  const uint b = e / p.image_bytes, j = e % p.image_bytes;
  const uint position = step_block.batch_start + b;
  const uint image = p.sequential != 0u ? position : indices[position];
  const uint chunk = image / p.images_per_chunk, local = image % p.images_per_chunk;
  x[e] = float(byte_at(chunk, local * p.image_bytes + j)) * (1.0 / 255.0);
  if (j == 0u) y[b] = int((labels[image >> 2] >> ((image & 3u) * 8u)) & 0xFFu);
}
