#pragma once
#include "nn/model/layer.hpp"

namespace vkt::nn {

// y (N, units) = x (N, in) · Wᵀ + b; PyTorch nn.Linear: weight (units, in), bias (units).
class DenseLayer : public Layer {
 public:
  explicit DenseLayer(uint32_t units, bool bias = true) : units_(units), bias_(bias) {}
  std::string type() const override { return "dense"; }
  SampleShape output_shape(const SampleShape& in) const override;
  std::vector<ParamInfo> params(const SampleShape& in) const override;
  std::unique_ptr<LayerRun> instantiate(Context& ctx, WorkspaceArena& scratch, const SampleShape& in,
                                        uint32_t batch, bool training, bool first) const override;
  nlohmann::json to_json() const override { return {{"type", "dense"}, {"units", units_}, {"bias", bias_}}; }

 private:
  uint32_t units_;
  bool bias_;
};

}  // namespace vkt::nn
