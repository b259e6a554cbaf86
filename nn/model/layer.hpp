#pragma once
// A layer is configuration plus shape logic (Layer), and, bound to a batch size, a LayerRun
// that owns the layer's scratch buffers and records its forward and backward passes.
// Layers never see the CLI, the optimizer or the data; they see spans of device memory.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nn/ops/device_span.hpp"

namespace vkt::nn {

// The shape of one sample: (C, H, W) for images, (F, 1, 1) for feature vectors.
struct SampleShape {
  uint32_t c = 1, h = 1, w = 1;
  uint64_t size() const { return uint64_t(c) * h * w; }
  bool operator==(const SampleShape&) const = default;
  std::string str() const;  // "32x26x26" or "64"
};

enum class ParamRole {
  Weight,  // initialized by the model's initializer, regularized by L1/L2
  Bias,    // zeros, not regularized
  Gamma,   // batch-norm scale: ones, not regularized
  Beta,    // batch-norm shift: zeros, not regularized
  State,   // not trained (batch-norm running statistics): saved, never optimized
};

struct ParamInfo {
  std::string name;            // within the layer: "weight", "bias", "running_mean", ...
  std::vector<int64_t> shape;  // PyTorch's shape for this tensor
  ParamRole role = ParamRole::Weight;
  uint32_t fan_in = 0, fan_out = 0;  // for the initializers
  float init_value = 0.0f;           // for State / Gamma
  uint64_t size() const;
};

// What a LayerRun reads and writes. Spans the layer does not use are empty.
struct LayerIO {
  uint32_t batch = 0;
  DeviceSpan x, y;    // (batch, in.size()), (batch, out.size())
  DeviceSpan dx, dy;  // gradients; dx empty for the first layer
  std::vector<DeviceSpan> params, grads;  // in Layer::params() order (grads empty for State)
  DeviceSpan step_block;                  // this step's StepBlock (nn/ops/step_block.hpp)
  bool training = true;
  bool relu = false;  // apply ReLU to y in the same pass (the next layer's ReLU, fused)
  // x and dx (resp. y and dy) are channels-last, (batch, H, W, C): see Layer::reads_channels_last.
  bool x_channels_last = false, y_channels_last = false;
};

class LayerRun {
 public:
  virtual ~LayerRun() = default;
  virtual void forward(Stream& s, const LayerIO& io) = 0;
  // Writes io.dx (unless empty) and the parameter gradients (not accumulated).
  virtual void backward(Stream& s, const LayerIO& io) = 0;
  // The choice its plan made where a layer has more than one way to run ("winograd"), for
  // --print-plan; "" where there is one.
  virtual std::string plan() const { return ""; }
};

class Layer {
 public:
  virtual ~Layer() = default;
  virtual std::string type() const = 0;  // as in model files: "conv2d", "relu", ...
  virtual SampleShape output_shape(const SampleShape& in) const = 0;
  virtual std::vector<ParamInfo> params(const SampleShape&) const { return {}; }
  // The layer bound to a batch size on ctx's device. `first`: it reads the data (directly or
  // through views), so its backward computes no dx, which may change its plan.
  virtual std::unique_ptr<LayerRun> instantiate(Context& ctx, const SampleShape& in, uint32_t batch,
                                                bool training, bool first) const = 0;
  virtual nlohmann::json to_json() const = 0;
  // True if the output is the input, unchanged in memory (flatten; dropout when not
  // training): the graph aliases the two and records nothing.
  virtual bool is_view(bool /*training*/) const { return false; }
  // True if forward can apply a ReLU to its output in the same pass (a GEMM epilogue), so a
  // following ReLU layer costs no memory pass of its own in the forward direction.
  virtual bool can_fuse_relu() const { return false; }
  // True for a max pool with a 2x2 window, stride 2 and no padding.
  virtual bool is_maxpool2x2() const { return false; }
  // True if this layer can also do a following 2x2 max pool (after a fused ReLU, if any), in
  // both directions; the graph then builds its run with instantiate_with_maxpool2x2, whose
  // output is the pooled one, and skips the ReLU and pool layers.
  virtual bool can_fuse_maxpool2x2() const { return false; }
  virtual std::unique_ptr<LayerRun> instantiate_with_maxpool2x2(Context& ctx, const SampleShape& in, uint32_t batch,
                                                                bool training, bool first) const;
  // Channels-last boundaries (nn/ops/conv2d.hpp, Conv2dShape::x_channels_last): a layer whose
  // input (and its gradient) may be (batch, H, W, C) instead of NCHW, and one whose output,
  // pooled by a fused 2x2 max pool, may be. The graph makes a boundary channels-last only
  // where the layers on both sides say yes, so no other layer ever sees such a tensor.
  // `first`: the layer reads the data (it computes no dx).
  virtual bool reads_channels_last() const { return false; }
  virtual bool writes_channels_last_pooled(Context&, const SampleShape& /*in*/, uint32_t /*batch*/,
                                           bool /*first*/) const {
    return false;
  }
};

}  // namespace vkt::nn
