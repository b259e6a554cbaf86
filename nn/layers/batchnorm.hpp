#pragma once
#include "nn/model/layer.hpp"

namespace vkt::nn {

// Batch normalization over channels: 2d for (C, H, W) inputs, 1d for (F) inputs. Training uses
// the batch's statistics and updates the running averages (State tensors, saved in
// checkpoints, never optimized); evaluation uses the running averages.
// PyTorch's state_dict also holds num_batches_tracked (int64): Trainer::export_weights adds
// it (the training steps taken), so load_state_dict works with strict=True.
class BatchNormLayer : public Layer {
 public:
  explicit BatchNormLayer(float momentum = 0.1f, float eps = 1e-5f) : momentum_(momentum), eps_(eps) {}
  std::string type() const override { return "batchnorm"; }
  SampleShape output_shape(const SampleShape& in) const override { return in; }
  std::vector<ParamInfo> params(const SampleShape& in) const override;
  std::unique_ptr<LayerRun> instantiate(Context& ctx, WorkspaceArena& scratch, const SampleShape& in,
                                        uint32_t batch, bool training, bool first) const override;
  nlohmann::json to_json() const override { return {{"type", "batchnorm"}, {"momentum", momentum_}, {"eps", eps_}}; }

 private:
  float momentum_, eps_;
};

}  // namespace vkt::nn
