#include "nn/data/device_dataset.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "runtime/context.hpp"
#include "runtime/kernel.hpp"
#include "util/error.hpp"
#include "util/format.hpp"

namespace vkt::nn {
namespace {

constexpr uint32_t kMaxChunks = 4;  // bindings in shaders/gather_batch.glsl
constexpr uint32_t kGatherLocal = 64;
constexpr uint32_t kGatherPerInvocation = 4;  // words (or pixels) per invocation: PER_INV

struct GatherPush {
  uint32_t batch, image_bytes, images_per_chunk, sequential;
};

struct AugmentPush {
  uint32_t batch, images_per_chunk, channels, height, width, seed, pad, flip, affine;
  float rotate, scale;
};

// Bytes rounded up to whole 32-bit words: the kernel reads the packed bytes a word at a time,
// and a bound range that ends inside a word reads that word as 0 on lavapipe (its bounds check
// is per whole element), losing the last 1-3 bytes.
uint64_t whole_words(uint64_t bytes) { return (bytes + 3) / 4 * 4; }

}  // namespace

uint32_t DeviceDataset::chunk_images(const Context& ctx, uint32_t count, uint32_t image_bytes, const std::string& name) {
  const uint64_t limit = std::min<uint64_t>(ctx.policy().max_storage_buffer_range, 64ull << 20);
  const uint32_t per_chunk = static_cast<uint32_t>(std::max<uint64_t>(1, limit / image_bytes));
  const uint32_t chunks = (count + per_chunk - 1) / per_chunk;
  if (chunks > kMaxChunks)
    throw Error(name + " set (" + format_bytes(uint64_t(count) * image_bytes) + ") does not fit in " +
                std::to_string(kMaxChunks) + " buffers of " + format_bytes(limit) + " on " + ctx.info().name);
  return per_chunk;
}

uint64_t DeviceDataset::device_bytes(Context& ctx, uint32_t count, uint32_t image_bytes, const std::string& name) {
  if (count == 0) return 0;
  const uint32_t per_chunk = chunk_images(ctx, count, image_bytes, name);
  uint64_t total = Buffer::memory_bytes(ctx, whole_words(count));  // the labels
  for (uint32_t first = 0; first < count; first += per_chunk)
    total += Buffer::memory_bytes(ctx, whole_words(uint64_t(std::min(per_chunk, count - first)) * image_bytes));
  return total;
}

DeviceDataset::DeviceDataset(Context& ctx, const Dataset& shape, uint32_t count, const std::string& name,
                             MemoryKind kind, MemoryUse use)
    : count_(count),
      image_bytes_(static_cast<uint32_t>(shape.image_bytes())),
      channels_(shape.channels),
      height_(shape.height),
      width_(shape.width) {
  if (count_ == 0) throw InputError(name + " set is empty");
  images_per_chunk_ = chunk_images(ctx, count_, image_bytes_, name);
  const uint32_t chunks = (count_ + images_per_chunk_ - 1) / images_per_chunk_;
  for (uint32_t c = 0; c < chunks; ++c) {
    const uint32_t n = std::min(images_per_chunk_, count_ - c * images_per_chunk_);
    chunks_.emplace_back(ctx, whole_words(uint64_t(n) * image_bytes_), name + " images " + std::to_string(c), kind, use);
  }
  labels_ = Buffer(ctx, whole_words(count_), name + " labels", kind, use);
}

DeviceDataset::DeviceDataset(Context& ctx, const Dataset& data, const std::string& name)
    : DeviceDataset(ctx, data, data.count, name, MemoryKind::Dataset, MemoryUse::Device) {
  for (size_t c = 0; c < chunks_.size(); ++c) {
    const uint64_t first = c * images_per_chunk_, n = std::min<uint64_t>(images_per_chunk_, count_ - first);
    chunks_[c].upload(data.images.data() + first * image_bytes_, n * image_bytes_);
  }
  labels_.upload(data.labels.data(), count_);
}

DeviceDataset DeviceDataset::staging_slot(Context& ctx, const Dataset& like, uint32_t capacity, const std::string& name) {
  // The gather reads the slot where the host wrote it, each byte once, with no copy in
  // between. Device memory where the host can map it (lavapipe, UMA boards, resizable BAR):
  // it takes the texel views the resident set takes. Else Shared: host-visible storage.
  {
    DeviceDataset slot(ctx, like, capacity, name, MemoryKind::Staging, MemoryUse::Device);
    bool mapped = slot.labels_.host_visible();
    for (const Buffer& c : slot.chunks_) mapped = mapped && c.host_visible();
    if (mapped) return slot;
  }  // given back before the Shared one is taken
  return DeviceDataset(ctx, like, capacity, name, MemoryKind::Staging, MemoryUse::Shared);
}

void DeviceDataset::write(const Dataset& src, std::span<const uint32_t> order, uint64_t first, uint32_t n) {
  if (!labels_.host_visible()) throw Error("staging write: this set is not a staging slot");
  if (n > count_ || src.image_bytes() != image_bytes_)
    throw Error("staging write: " + std::to_string(n) + " images do not fit this slot");
  for (uint32_t i = 0; i < n; ++i) {
    const uint64_t image = order.empty() ? first + i : order[first + i];
    if (image >= src.count) throw Error("staging write: image " + std::to_string(image) + " is past the set");
    uint8_t* dst = chunks_[i / images_per_chunk_].mapped() + uint64_t(i % images_per_chunk_) * image_bytes_;
    std::memcpy(dst, src.images.data() + image * image_bytes_, image_bytes_);
    labels_.mapped()[i] = src.labels[image];
  }
}

void DeviceDataset::check_outputs(DeviceSpan x, DeviceSpan labels, uint32_t batch) const {
  if (x.count < uint64_t(batch) * image_bytes_ || labels.count < batch) throw Error("gather: output spans too small");
}

// Chunk bindings past the last chunk repeat it; the shaders never read them (CHUNKS).
DeviceSpan DeviceDataset::chunk(size_t i) const { return DeviceSpan(chunks_[std::min(i, chunks_.size() - 1)]); }

void DeviceDataset::record_gather(Stream& s, DeviceSpan x, DeviceSpan labels, const Buffer* indices,
                                  DeviceSpan step_block, uint32_t batch, GatherPath path) const {
  check_outputs(x, labels, batch);
  Context& ctx = s.context();
  const auto& info = ctx.info();
  const Buffer& idx = indices ? *indices : labels_;  // unused when sequential; any buffer binds
  // R32UI texel views where every read buffer allows one (see shaders/gather_batch.glsl).
  auto texel_fits = [&](const Buffer& b) {
    return b.texel_capable() && (b.size() + 3) / 4 <= info.max_texel_buffer_elements;
  };
  bool texel_reads = ctx.policy().word_texels && texel_fits(labels_) && texel_fits(idx);
  for (const Buffer& c : chunks_) texel_reads = texel_reads && texel_fits(c);
  if (path == GatherPath::Texel && !texel_reads)
    throw Error("gather: the data set cannot be read through R32UI texel views on " + info.name);
  if (path == GatherPath::Storage) texel_reads = false;
  // A word (4 pixels) per invocation and one vec4 store, where images are whole words.
  const bool words = image_bytes_ % 4 == 0 && x.offset % 16 == 0;
  const uint32_t per_row = words ? image_bytes_ / 4 : image_bytes_;
  const uint32_t chunks = uint32_t(chunks_.size());
  using BK = BindingKind;
  std::vector<BK> kinds(9, BK::Storage);
  if (texel_reads) std::fill(kinds.begin(), kinds.begin() + 6, BK::Texel);
  const Kernel& k = ctx.kernel({texel_reads ? "gather_batch_texel" : "gather_batch", kinds, sizeof(GatherPush),
                                {kGatherLocal, 1, 1}, {chunks, words ? 1u : 0u, kGatherPerInvocation}});
  // x: one image row; y: the batch (the shader loops when it passes the device's y limit).
  const uint32_t per_group = kGatherLocal * kGatherPerInvocation;
  const std::array<uint32_t, 3> groups{(per_row + per_group - 1) / per_group, std::min(batch, info.max_workgroup_count[1]), 1};
  const GatherPush push{batch, image_bytes_, images_per_chunk_, indices ? 0u : 1u};
  const DeviceSpan xs = x.sub(0, uint64_t(batch) * image_bytes_), ys = labels.sub(0, batch);
  if (texel_reads)
    s.dispatch(k,
               {texel_r32ui(chunk(0)), texel_r32ui(chunk(1)), texel_r32ui(chunk(2)), texel_r32ui(chunk(3)),
                texel_r32ui(labels_), texel_r32ui(idx), in(step_block), out(xs), out(ys)},
               push, groups);
  else
    s.dispatch(k,
               {in(chunk(0)), in(chunk(1)), in(chunk(2)), in(chunk(3)), in(labels_), in(idx), in(step_block),
                out(xs), out(ys)},
               push, groups);
}

void DeviceDataset::record_gather_augmented(Stream& s, DeviceSpan x, DeviceSpan labels, const Buffer& indices,
                                            DeviceSpan step_block, uint32_t batch, const Augment& augment,
                                            uint32_t seed) const {
  check_outputs(x, labels, batch);
  Context& ctx = s.context();
  const uint32_t chunks = uint32_t(chunks_.size());
  const Kernel& k = ctx.kernel({"gather_batch_augment", std::vector<BindingKind>(9, BindingKind::Storage),
                                sizeof(AugmentPush), {kGatherLocal, 1, 1}, {chunks}});
  const uint32_t plane = height_ * width_;
  const std::array<uint32_t, 3> groups{(plane + kGatherLocal - 1) / kGatherLocal,
                                       std::min(batch, ctx.info().max_workgroup_count[1]), 1};
  constexpr double kRadiansPerDegree = 3.14159265358979323846 / 180.0;
  const AugmentPush push{batch,   images_per_chunk_, channels_,          height_, width_,
                         seed,    augment.crop,      augment.flip ? 1u : 0u, augment.affine() ? 1u : 0u,
                         float(augment.rotate * kRadiansPerDegree), float(augment.scale)};
  s.dispatch(k,
             {in(chunk(0)), in(chunk(1)), in(chunk(2)), in(chunk(3)), in(labels_), in(indices), in(step_block),
              out(x.sub(0, uint64_t(batch) * image_bytes_)), out(labels.sub(0, batch))},
             push, groups);
}

DataPlacement parse_data_placement(const std::string& name) {
  if (name == "device") return DataPlacement::Device;
  if (name == "host") return DataPlacement::Host;
  throw InputError("--data-on must be device or host, not '" + name + "'");
}

DeviceData::DeviceData(Context& ctx, const DataSplits& data)
    : channels(data.train.channels),
      height(data.train.height),
      width(data.train.width),
      classes(data.train.classes),
      train_count(data.train.count),
      val_count(data.val.count),
      test_count(data.test.count) {
  train = std::make_unique<DeviceDataset>(ctx, data.train, "training");
  if (data.val.count) val = std::make_unique<DeviceDataset>(ctx, data.val, "validation");
  if (data.test.count) test = std::make_unique<DeviceDataset>(ctx, data.test, "test");
}

DeviceData::DeviceData(Context& ctx, std::shared_ptr<const DataSplits> data, DataPlacement where) {
  if (where == DataPlacement::Device) {
    *this = DeviceData(ctx, *data);
    return;
  }
  if (data->train.count == 0) throw InputError("training set is empty");
  placement = where;
  channels = data->train.channels, height = data->train.height, width = data->train.width;
  classes = data->train.classes;
  train_count = data->train.count, val_count = data->val.count, test_count = data->test.count;
  host = std::move(data);
}

}  // namespace vkt::nn
