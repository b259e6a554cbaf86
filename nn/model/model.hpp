#pragma once
// A sequential model: its layers, the shape at every boundary, and the table that places
// every parameter tensor in ONE flat buffer (parameters, gradients and optimizer moments
// share the layout). Tensor names follow PyTorch's nn.Sequential: "<layer index>.<name>",
// every layer counted (activations, pooling, flatten, dropout), so a checkpoint loads into the
// equivalent PyTorch model with load_state_dict.
#include <memory>
#include <string>
#include <vector>

#include "nn/model/layer.hpp"

namespace vkt::nn {

// Where one tensor lives. Trained tensors live in the flat parameter buffer (weights first,
// so L1/L2 apply to the prefix [0, regularized_floats())); State tensors in the state buffer.
struct ParamSlot {
  size_t layer = 0;
  std::string name;  // "0.weight"
  ParamInfo info;
  uint64_t offset = 0;  // floats into its buffer; a multiple of kParamAlignFloats
  bool trained() const { return info.role != ParamRole::State; }
};

// 256 bytes: the largest minStorageBufferOffsetAlignment Vulkan allows, so any slot can be
// bound on its own on any device (and as a texel buffer view).
inline constexpr uint64_t kParamAlignFloats = 64;

class Model {
 public:
  Model(SampleShape input, uint32_t classes, std::vector<std::unique_ptr<Layer>> layers);

  const SampleShape& input() const { return shapes_.front(); }
  const SampleShape& output() const { return shapes_.back(); }
  uint32_t classes() const { return classes_; }
  const std::vector<std::unique_ptr<Layer>>& layers() const { return layers_; }
  // shapes()[i] is layer i's input; shapes()[layers().size()] the model's output.
  const std::vector<SampleShape>& shapes() const { return shapes_; }
  const std::vector<ParamSlot>& slots() const { return slots_; }
  // Per layer, indices into slots() in the layer's params() order.
  const std::vector<size_t>& layer_slots(size_t layer) const { return layer_slots_[layer]; }

  uint64_t trained_floats() const { return trained_floats_; }      // flat buffer length
  uint64_t regularized_floats() const { return regularized_floats_; }  // weights prefix
  // Fine-tuning: keeps the parameters of these layers fixed. They move to the end of the flat
  // buffer, so that the optimizer, clipping and L1/L2 work on the prefix
  // [0, optimized_floats()) alone, and the backward pass stops above them. Only leading layers
  // can be frozen (every layer with parameters before a frozen one must be frozen too): the
  // transfer-learning case, where nothing below the first trained layer needs a gradient.
  // InputError for an index past the model, a layer without parameters, or a gap.
  void freeze(const std::vector<size_t>& layers);
  uint64_t optimized_floats() const { return optimized_floats_; }
  // The first layer the backward pass runs (0 unless layers are frozen); its dx is not needed.
  size_t backward_from() const { return backward_from_; }
  bool frozen(size_t layer) const { return layer < backward_from_; }
  uint64_t state_floats() const { return state_floats_; }
  uint64_t parameter_count() const;  // trainable elements (what Keras/PyTorch print)

  // Layers, output shapes and parameter counts, one line each (`--print-model`).
  std::string summary() const;
  nlohmann::json to_json() const;

 private:
  std::vector<std::unique_ptr<Layer>> layers_;
  std::vector<SampleShape> shapes_;
  uint32_t classes_;
  std::vector<ParamSlot> slots_;
  std::vector<std::vector<size_t>> layer_slots_;
  void lay_out();
  uint64_t trained_floats_ = 0, regularized_floats_ = 0, state_floats_ = 0, optimized_floats_ = 0;
  size_t backward_from_ = 0;
};

}  // namespace vkt::nn
