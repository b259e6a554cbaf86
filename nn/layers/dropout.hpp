#pragma once
#include "nn/model/layer.hpp"

namespace vkt::nn {

// Inverted dropout: training drops each element with probability `rate` and scales the rest
// by 1/(1-rate), with a mask from (seed, step, element) that needs no stored state; at
// evaluation it is the identity (a view).
class DropoutLayer : public Layer {
 public:
  DropoutLayer(double rate, uint32_t seed) : rate_(rate), seed_(seed) {}
  std::string type() const override { return "dropout"; }
  SampleShape output_shape(const SampleShape& in) const override;
  std::unique_ptr<LayerRun> instantiate(Context& ctx, WorkspaceArena& scratch, const SampleShape& in,
                                        uint32_t batch, bool training, bool first) const override;
  nlohmann::json to_json() const override { return {{"type", "dropout"}, {"rate", rate_}}; }
  bool is_view(bool training) const override { return !training || rate_ == 0.0; }

 private:
  double rate_;
  uint32_t seed_;
};

}  // namespace vkt::nn
