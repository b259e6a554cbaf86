#include "nn/data/device_dataset.hpp"

#include "runtime/context.hpp"
#include "runtime/kernel.hpp"
#include "util/error.hpp"
#include "util/format.hpp"

namespace vkt::nn {
namespace {

constexpr uint32_t kMaxChunks = 4;  // bindings in shaders/gather_batch.comp

struct GatherPush {
  uint32_t batch, image_bytes, images_per_chunk, sequential;
};

}  // namespace

DeviceDataset::DeviceDataset(Context& ctx, const Dataset& data, const std::string& name)
    : count_(data.count), image_bytes_(static_cast<uint32_t>(data.image_bytes())) {
  if (count_ == 0) throw InputError(name + " set is empty");
  const uint64_t limit = std::min<uint64_t>(ctx.info().max_storage_buffer_range, 64ull << 20);
  images_per_chunk_ = static_cast<uint32_t>(std::max<uint64_t>(1, limit / image_bytes_));
  const uint32_t chunks = (count_ + images_per_chunk_ - 1) / images_per_chunk_;
  if (chunks > kMaxChunks)
    throw Error(name + " set (" + format_bytes(uint64_t(count_) * image_bytes_) + ") does not fit in " +
                std::to_string(kMaxChunks) + " buffers of " + format_bytes(limit) + " on " + ctx.info().name);
  for (uint32_t c = 0; c < chunks; ++c) {
    const uint32_t first = c * images_per_chunk_, n = std::min(images_per_chunk_, count_ - first);
    chunks_.emplace_back(ctx, uint64_t(n) * image_bytes_, name + " images " + std::to_string(c));
    chunks_.back().upload(data.images.data() + uint64_t(first) * image_bytes_, uint64_t(n) * image_bytes_);
  }
  labels_ = Buffer(ctx, count_, name + " labels");
  labels_.upload(data.labels.data(), count_);
}

void DeviceDataset::record_gather(Stream& s, DeviceSpan x, DeviceSpan labels, const Buffer* indices,
                                  DeviceSpan step_block, uint32_t batch) const {
  if (x.count < uint64_t(batch) * image_bytes_ || labels.count < batch) throw Error("gather: output spans too small");
  const Kernel& k = s.context().kernel({"gather_batch",
                                        std::vector<BindingKind>(9, BindingKind::Storage),
                                        sizeof(GatherPush),
                                        {64, 1, 1}});
  auto chunk = [&](size_t i) { return vkt::in(chunks_[std::min(i, chunks_.size() - 1)]); };
  const Buffer& idx = indices ? *indices : labels_;  // unused when sequential; any buffer binds
  s.dispatch(k,
             {chunk(0), chunk(1), chunk(2), chunk(3), vkt::in(labels_), vkt::in(idx), in(step_block),
              out(x.sub(0, uint64_t(batch) * image_bytes_)), out(labels.sub(0, batch))},
             GatherPush{batch, image_bytes_, images_per_chunk_, indices ? 0u : 1u},
             groups_1d(uint64_t(batch) * image_bytes_, 64));
}

DeviceData::DeviceData(Context& ctx, const DataSplits& data)
    : channels(data.train.channels), height(data.train.height), width(data.train.width), classes(data.train.classes) {
  train = std::make_unique<DeviceDataset>(ctx, data.train, "training");
  if (data.val.count) val = std::make_unique<DeviceDataset>(ctx, data.val, "validation");
  if (data.test.count) test = std::make_unique<DeviceDataset>(ctx, data.test, "test");
}

}  // namespace vkt::nn
