#pragma once
// A tensor with a name and a shape, as checkpoints store parameters and optimizer state:
// float, or int64 for the few counters PyTorch keeps (batch norm's num_batches_tracked).
// Host memory only: the trainer copies device buffers into these to save them.
#include <cstdint>
#include <string>
#include <vector>

namespace vkt::nn {

struct NamedTensor {
  std::string name;
  std::vector<int64_t> shape;  // {} is a scalar (one element)
  std::vector<float> data;     // row-major, product(shape) elements (empty when is_int)
  bool is_int = false;         // an int64 tensor: the values are in `ints`
  std::vector<int64_t> ints;

  size_t size() const { return is_int ? ints.size() : data.size(); }
};

// product(shape); -1 when a dimension is negative or a partial product overflows int64
// (checked left to right, so such a shape is rejected even if a later dimension is 0).
int64_t element_count(const std::vector<int64_t>& shape);

}  // namespace vkt::nn
