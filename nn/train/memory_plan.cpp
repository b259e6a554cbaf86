#include "nn/train/memory_plan.hpp"

#include <algorithm>

#include "nn/data/device_dataset.hpp"
#include "nn/train/trainer.hpp"
#include "runtime/allocator.hpp"
#include "runtime/buffer.hpp"
#include "runtime/context.hpp"

namespace vkt::nn {
namespace {

Dataset blank(const DataShape& s, uint32_t count) {
  Dataset d;
  d.count = count, d.channels = s.channels, d.height = s.height, d.width = s.width, d.classes = s.classes;
  d.images.assign(size_t(count) * d.image_bytes(), 0);
  d.labels.assign(count, 0);
  return d;
}

// Images of a stand-in evaluation set that gives the trainer the same evaluation batches
// (Trainer::eval_batches) as `count` images: one full batch and the partial one.
uint32_t same_eval_batches(uint32_t count, uint32_t eval_batch) {
  if (count == 0) return 0;
  const auto [full, rest] = Trainer::eval_batches(count, eval_batch);
  return full + rest;
}

}  // namespace

MemoryPlan plan_device_memory(Context& ctx, const TrainConfig& config, const DataShape& shape,
                              DataPlacement placement) {
  const uint32_t image_bytes = shape.channels * shape.height * shape.width;
  const bool on_device = placement == DataPlacement::Device;
  // On the device: the real sets' buffers, sized without allocating them. On the host there
  // is nothing to add: the stand-in's staging slots and order are the real run's.
  uint64_t dataset = !on_device ? 0 : DeviceDataset::device_bytes(ctx, shape.train, image_bytes, "training") +
                     DeviceDataset::device_bytes(ctx, shape.val, image_bytes, "validation") +
                     DeviceDataset::device_bytes(ctx, shape.test, image_bytes, "test") +
                     Buffer::memory_bytes(ctx, uint64_t(shape.train) * 4);  // the epoch order

  const auto standin = std::make_shared<const DataSplits>(DataSplits{blank(shape, std::min(shape.train, std::max<uint32_t>(config.batch, 1))),
                           blank(shape, same_eval_batches(shape.val, config.eval_batch)),
                           blank(shape, same_eval_batches(shape.test, config.eval_batch))});
  Allocator& alloc = ctx.allocator();
  const MemoryTally before = alloc.accountant().in_use();
  alloc.reset_peaks();
  MemoryTally held;
  uint64_t peak = 0;
  {
    Trainer t(ctx, config, std::make_shared<const DeviceData>(ctx, standin, placement));
    const MemoryAccountant a = alloc.accountant();
    for (size_t k = 0; k < kMemoryKinds; ++k) held.bytes[k] = a.in_use().bytes[k] - before.bytes[k];
    peak = a.peak() - before.total();
  }
  alloc.reset_peaks();  // the real run's peak is its own
  MemoryPlan plan;
  plan.steady = held;
  if (on_device) {
    const uint64_t standin_dataset = held[MemoryKind::Dataset];
    plan.steady[MemoryKind::Dataset] = dataset;
    plan.peak = peak - standin_dataset + dataset;
  } else {
    plan.peak = peak;
  }
  return plan;
}

}  // namespace vkt::nn
