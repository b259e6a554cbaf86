#pragma once
// What device memory is held for, by kind, now and at its peak. The Allocator owns one and
// every buffer's memory passes through it: `train --json` reports its peak, and
// `train --print-model` sets the plan's prediction (nn/train/memory_plan.hpp) beside it.
#include <array>
#include <cstdint>
#include <string>

namespace vkt {

enum class MemoryKind {
  Dataset,         // the training, validation and test images and labels, the epoch order
  Parameters,      // weights, biases, batch-norm running statistics
  Gradients,       // the parameters' gradients
  OptimizerState,  // moments (Adam, RMSprop, momentum, Adagrad)
  Activations,     // layer outputs and their gradients, the batch's input and labels
  Workspace,       // kernels' scratch (im2col, Winograd tiles, partial sums), step blocks
  Staging,         // host-visible copies on their way to or from the device
  Other,           // not attributed (tests, benchmarks); a training run has none
};
inline constexpr size_t kMemoryKinds = 8;
const char* memory_kind_name(MemoryKind k);  // "dataset", "parameters", ... as --json names them

struct MemoryTally {
  std::array<uint64_t, kMemoryKinds> bytes{};
  uint64_t& operator[](MemoryKind k) { return bytes[static_cast<size_t>(k)]; }
  uint64_t operator[](MemoryKind k) const { return bytes[static_cast<size_t>(k)]; }
  uint64_t total() const;
};

class MemoryAccountant {
 public:
  void add(MemoryKind k, uint64_t bytes);
  void remove(MemoryKind k, uint64_t bytes);
  // Memory taken from and given back to the driver (blocks and dedicated allocations): what
  // the buffers use plus the free space inside blocks.
  void driver_add(uint64_t bytes);
  void driver_remove(uint64_t bytes);

  const MemoryTally& in_use() const { return in_use_; }
  // Each kind at its own peak, and the largest total held at one time.
  const MemoryTally& peak_by_kind() const { return peak_by_kind_; }
  uint64_t peak() const { return peak_; }
  uint64_t driver_bytes() const { return driver_; }
  uint64_t driver_peak() const { return driver_peak_; }
  // Forgets the peaks: they restart from what is held now (a study's next trial).
  void reset_peaks();

 private:
  MemoryTally in_use_, peak_by_kind_;
  uint64_t peak_ = 0, driver_ = 0, driver_peak_ = 0;
};

}  // namespace vkt
