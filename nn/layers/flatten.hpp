#pragma once
#include "nn/model/layer.hpp"

namespace vkt::nn {

// (C, H, W) -> (C·H·W): NCHW memory is already in PyTorch's flatten order, so this is a view.
class FlattenLayer : public Layer {
 public:
  std::string type() const override { return "flatten"; }
  SampleShape output_shape(const SampleShape& in) const override {
    return {static_cast<uint32_t>(in.size()), 1, 1};
  }
  std::unique_ptr<LayerRun> instantiate(Context&, WorkspaceArena&, const SampleShape&, uint32_t, bool,
                                        bool) const override;
  nlohmann::json to_json() const override { return {{"type", "flatten"}}; }
  bool is_view(bool) const override { return true; }
};

}  // namespace vkt::nn
