#pragma once
// The device memory a training run will take, by kind, before it starts (`train
// --print-model`, `--max-device-memory`). Found by building the run's trainer on a stand-in
// data set of a few blank images: the same model, batch, optimizer, evaluation batches and
// kernel plan, so the same buffers, counted by the allocator's accountant and given back;
// the data set's own buffers are sized for the real image counts without being allocated.
// Nothing is duplicated from the code that allocates, so the plan cannot drift from it.
#include <cstdint>

#include "nn/data/device_dataset.hpp"
#include "nn/train/train_config.hpp"
#include "runtime/memory_accountant.hpp"

namespace vkt {
class Context;
}

namespace vkt::nn {

struct DataShape {
  uint32_t channels = 0, height = 0, width = 0, classes = 0;
  uint32_t train = 0, val = 0, test = 0;  // images in each split
};

struct MemoryPlan {
  MemoryTally steady;  // held from the first step to the end, by kind
  uint64_t peak = 0;   // the most held at once: steady plus what kernel measurement borrows
};

// With DataPlacement::Host the data set takes no device memory; the staging slots the trainer
// streams it through are counted as MemoryKind::Staging.
MemoryPlan plan_device_memory(Context& ctx, const TrainConfig& config, const DataShape& shape,
                              DataPlacement placement = DataPlacement::Device);

}  // namespace vkt::nn
