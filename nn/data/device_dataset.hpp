#pragma once
// A data set kept on the device as uint8 (uploaded once; 60,000 Fashion-MNIST images are
// 47 MB, a quarter of their float size) and the kernel that gathers a batch from it.
#include <memory>
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

// The splits of a data set on the device, uploaded once and shared by every trainer that uses
// them (every trial of a tuning study).
struct DeviceData {
  DeviceData(Context& ctx, const DataSplits& data);
  uint32_t channels = 0, height = 0, width = 0, classes = 0;
  std::unique_ptr<DeviceDataset> train, val, test;  // val, test may be null (empty splits)
};

}  // namespace vkt::nn
