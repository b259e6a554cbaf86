#pragma once
// A data set kept on the device as uint8 (uploaded once; 60,000 Fashion-MNIST images are
// 47 MB, a quarter of their float size) and the kernel that gathers a batch from it. The
// same class is a staging slot of --data-on host: a few batches' images in host-visible
// memory, rewritten by the host between submissions (DeviceDataset::staging_slot).
#include <memory>
#include <span>
#include <vector>

#include "nn/data/augment.hpp"
#include "nn/data/dataset.hpp"
#include "nn/ops/device_span.hpp"
#include "runtime/buffer.hpp"

namespace vkt::nn {

// How the gather kernel reads the data set, labels and index list: Texel = R32UI texel views
// (branch-free loads on lavapipe), Storage = storage buffers (any device). Same results. Auto
// picks Texel where the device has R32UI texel buffers and every buffer fits
// maxTexelBufferElements; a forced Texel that cannot be throws Error.
enum class GatherPath { Auto, Texel, Storage };

class DeviceDataset {
 public:
  // Throws Error if the data needs more than 4 chunks of maxStorageBufferRange.
  DeviceDataset(Context& ctx, const Dataset& data, const std::string& name);
  // Room for `capacity` images shaped like `like`'s, in host-visible memory counted as
  // MemoryKind::Staging, filled by write(). The gathers read it like any set: the trainer
  // lays each submission's images out in the order its steps take them.
  static DeviceDataset staging_slot(Context& ctx, const Dataset& like, uint32_t capacity, const std::string& name);
  // Writes src's images order[first + i] (first + i when `order` is empty) and their labels
  // to positions i = 0 .. n-1 of a staging slot. The device must not be reading it.
  void write(const Dataset& src, std::span<const uint32_t> order, uint64_t first, uint32_t n);

  // The device memory a set of `count` images of `image_bytes` takes, without allocating it.
  static uint64_t device_bytes(Context& ctx, uint32_t count, uint32_t image_bytes, const std::string& name);

  uint32_t count() const { return count_; }
  uint32_t image_bytes() const { return image_bytes_; }

  // Records: x (batch, image_bytes) = images[...] / 255, labels (batch) int32, for the images
  // at positions step_block.batch_start .. +batch of `indices` (or of the file order when
  // `indices` is null).
  void record_gather(Stream& s, DeviceSpan x, DeviceSpan labels, const Buffer* indices, DeviceSpan step_block,
                     uint32_t batch, GatherPath path = GatherPath::Auto) const;
  // The same for training batches with `augment` applied (shaders/gather_batch_augment.comp):
  // each image transformed by its own draw from (seed, step_block.step, position in the batch).
  // Reads through storage buffers on every device. Any Augment, the identity included, runs the
  // augmenting kernel; any crop is safe (pixels moved in from outside are 0): whether one suits
  // the images is the caller's question (Augment::check_image).
  void record_gather_augmented(Stream& s, DeviceSpan x, DeviceSpan labels, const Buffer& indices,
                               DeviceSpan step_block, uint32_t batch, const Augment& augment, uint32_t seed) const;

 private:
  DeviceDataset(Context& ctx, const Dataset& shape, uint32_t count, const std::string& name, MemoryKind kind,
                MemoryUse use);
  // Images per chunk buffer (each at most 64 MiB and the storage range); Error if the set needs
  // more chunks than the shaders bind.
  static uint32_t chunk_images(const Context& ctx, uint32_t count, uint32_t image_bytes, const std::string& name);
  void check_outputs(DeviceSpan x, DeviceSpan labels, uint32_t batch) const;
  DeviceSpan chunk(size_t i) const;  // binding i of the shaders' 4 chunk bindings

  std::vector<Buffer> chunks_;
  Buffer labels_;
  uint32_t count_ = 0, image_bytes_ = 0, images_per_chunk_ = 0;
  uint32_t channels_ = 0, height_ = 0, width_ = 0;
};

// Where a run keeps its images: Device uploads each split once; Host keeps them in host
// memory, and each trainer streams its batches through a ring of staging slots (--data-on
// host, for a device whose memory cannot hold the data set).
enum class DataPlacement { Device, Host };
DataPlacement parse_data_placement(const std::string& name);  // "device" | "host"; else InputError

// The splits of a data set as trainers reach them, shared by every trainer that uses them
// (every trial of a tuning study): uploaded once, or held on the host for streaming.
struct DeviceData {
  DeviceData(Context& ctx, const DataSplits& data);  // on the device
  // With DataPlacement::Host `data` is held (no copy) and nothing is uploaded here.
  DeviceData(Context& ctx, std::shared_ptr<const DataSplits> data, DataPlacement placement);
  DataPlacement placement = DataPlacement::Device;
  uint32_t channels = 0, height = 0, width = 0, classes = 0;
  uint32_t train_count = 0, val_count = 0, test_count = 0;
  // On the device: val, test null for empty splits. All three null with DataPlacement::Host.
  std::unique_ptr<DeviceDataset> train, val, test;
  std::shared_ptr<const DataSplits> host;  // DataPlacement::Host only
};

}  // namespace vkt::nn
