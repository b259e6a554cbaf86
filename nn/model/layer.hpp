#pragma once
// A layer is configuration plus shape logic (Layer), and, bound to a batch size, a LayerRun
// that records its forward and backward passes, with its scratch memory reserved in the
// graph's WorkspaceArena (nn/ops/workspace_arena.hpp).
// Layers never see the CLI, the optimizer or the data; they see spans of device memory.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nn/ops/device_span.hpp"

namespace vkt::nn {

class WorkspaceArena;

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
  // x and dx (resp. y and dy) are channels-last, (batch, H, W, C): only at the boundaries the
  // fusion pass chose (nn/model/fusion.hpp).
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
  // through views), so its backward computes no dx, which may change its plan. Scratch memory
  // the run needs (what forward leaves for backward included) is reserved in `scratch`, in
  // the group the graph opened for it.
  virtual std::unique_ptr<LayerRun> instantiate(Context& ctx, WorkspaceArena& scratch, const SampleShape& in,
                                                uint32_t batch, bool training, bool first) const = 0;
  virtual nlohmann::json to_json() const = 0;
  // True if the output is the input, unchanged in memory (flatten; dropout when not
  // training): the graph aliases the two and records nothing.
  virtual bool is_view(bool /*training*/) const { return false; }
};

}  // namespace vkt::nn
