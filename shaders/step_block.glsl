// Per-step values written by the host before each replay (nn/ops/step_block.hpp: StepBlock).
// Include after choosing a binding: #define STEP_BLOCK_BINDING n
layout(std430, binding = STEP_BLOCK_BINDING) readonly buffer StepBlockBuffer {
  uint step;               // optimizer step t, from 1; also seeds dropout masks
  float lr;                // learning rate for this step
  float bias_correction1;  // 1 - beta1^t
  float bias_correction2;  // 1 - beta2^t
  uint batch_start;        // this step's first position in the epoch's shuffled index list
} step_block;
