#pragma once
#include "nn/model/layer.hpp"
#include "nn/ops/activation.hpp"

namespace vkt::nn {

// relu, leaky_relu (alpha), sigmoid, tanh, gelu: elementwise, no parameters.
class ActivationLayer : public Layer {
 public:
  explicit ActivationLayer(Activation a, float alpha = 0.01f) : a_(a), alpha_(alpha) {}
  std::string type() const override { return activation_name(a_); }
  SampleShape output_shape(const SampleShape& in) const override { return in; }
  std::unique_ptr<LayerRun> instantiate(Context& ctx, WorkspaceArena& scratch, const SampleShape& in,
                                        uint32_t batch, bool training, bool first) const override;
  nlohmann::json to_json() const override;

 private:
  Activation a_;
  float alpha_;
};

}  // namespace vkt::nn
