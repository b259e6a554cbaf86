#pragma once
// The only data the host writes before each replay of a recorded training step: a few
// numbers that change every step. Kernels read them from a small host-visible storage buffer
// (MemoryUse::Shared), so the recording itself never changes. Mirrored in
// shaders/step_block.glsl; bind it as a storage buffer.
#include <cstdint>

namespace vkt::nn {

struct StepBlock {
  uint32_t step = 1;             // optimizer step t, from 1; also seeds dropout masks
  float lr = 0.0f;               // learning rate for this step (schedule and warm-up applied)
  float bias_correction1 = 1.0f;  // Adam: 1 - beta1^t
  float bias_correction2 = 1.0f;  // Adam: 1 - beta2^t
  uint32_t batch_start = 0;      // this step's first position in the epoch's shuffled index list
  uint32_t reserved[3] = {};
};
static_assert(sizeof(StepBlock) == 32);

}  // namespace vkt::nn
