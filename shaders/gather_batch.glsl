// Body of gather_batch (storage reads) and gather_batch_texel (GATHER_TEXEL: the
// data set, the index list and the labels read through R32UI texel views). Builds one batch
// on the device from the uint8 data set kept there: image i of the batch is data-set image
// indices[step_block.batch_start + i] (or batch_start + i when `sequential`), its bytes scaled
// to [0, 1] (x / 255) into x, its label widened to int32.
// The data set is split over up to 4 buffers ("chunks") of whole images, because one storage
// buffer may not exceed maxStorageBufferRange (128 MiB on lavapipe; CIFAR-10 is 150 MB).
//
// Grid: x runs over one image, y over the batch (looping when the batch passes the grid's y
// limit). An invocation handles PER_INV units of the image, strided by the workgroup size; a
// unit is a word of 4 pixels when WORDS, else one pixel. Why, on lavapipe:
//  - a word per unit makes one vec4 store of 4 pixels (a single iteration of the per-lane
//    store loop, where 4 float stores are 4), and one load per 4 pixels;
//  - several units per invocation share its index fetch (4: ~35% less CPU time than 1 for
//    MNIST and CIFAR rows, 8 is slower);
//  - the image is a workgroup's y, so no per-invocation division by image_bytes;
//  - a storage-buffer load is a per-lane loop with a bounds check, a texelFetch is
//    branch-free;
//  - CHUNKS is a specialization constant: with one chunk (every MNIST-sized set) the chunk
//    choice compiles away. llvmpipe runs every side of a divergent branch with masked lanes,
//    so each chunk branch left in costs a load.
// Bindings: 0-3 chunks, 4 labels (packed bytes), 5 indices, 6 step block, 7 x, 8 y.
#include "common.glsl"
#include "dataset_read.glsl"

layout(constant_id = 4) const bool WORDS = false;  // image_bytes % 4 == 0 and x 16-byte aligned
layout(constant_id = 5) const uint PER_INV = 4;    // units (words or pixels) per invocation

#define STEP_BLOCK_BINDING 6
#include "step_block.glsl"
layout(std430, binding = 7) writeonly buffer X { float x[]; };
layout(std430, binding = 7) writeonly buffer X4 { vec4 x4[]; };
layout(std430, binding = 8) writeonly buffer Y { int y[]; };

layout(push_constant) uniform Push {
  uint batch;
  uint image_bytes;
  uint images_per_chunk;
  uint sequential;  // 1: image = batch_start + i (evaluation, in file order)
} p;

void main() {
  const uint first = gl_WorkGroupID.x * gl_WorkGroupSize.x * PER_INV + gl_LocalInvocationID.x;
  const uint image_words = p.image_bytes / 4u;
  const uint units = WORDS ? image_words : p.image_bytes;
  const uint batch_start = step_block.batch_start;
  for (uint b = gl_WorkGroupID.y; b < p.batch; b += gl_NumWorkGroups.y) {
    const uint position = batch_start + b;
    const uint image = p.sequential != 0u ? position : GATHER_WORD(indices, position);
    const uint chunk = CHUNKS == 1u ? 0u : image / p.images_per_chunk;
    const uint local = CHUNKS == 1u ? image : image % p.images_per_chunk;
    if (first == 0u) y[b] = int(byte_of(GATHER_WORD(labels, image >> 2), image & 3u));
    for (uint k = 0u; k < PER_INV; ++k) {
      const uint j = first + k * gl_WorkGroupSize.x;  // word (WORDS) or byte of the image
      if (j >= units) break;
      if (WORDS) {
        const uint word = word_at(chunk, local * image_words + j);
        x4[b * image_words + j] = vec4(float(byte_of(word, 0u)), float(byte_of(word, 1u)), float(byte_of(word, 2u)),
                                       float(byte_of(word, 3u))) *
                                  (1.0 / 255.0);
      } else {
        const uint offset = local * p.image_bytes + j;
        x[b * p.image_bytes + j] = float(byte_of(word_at(chunk, offset >> 2), offset & 3u)) * (1.0 / 255.0);
      }
    }
  }
}
