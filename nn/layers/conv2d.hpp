#pragma once
#include "nn/model/layer.hpp"

namespace vkt::nn {

struct Conv2dPlan;

// 2-D convolution; PyTorch nn.Conv2d layout: weight (filters, C, k, k), bias (filters).
class Conv2dLayer : public Layer {
 public:
  Conv2dLayer(uint32_t filters, uint32_t kernel, uint32_t stride = 1, uint32_t padding = 0, bool bias = true)
      : filters_(filters), kernel_(kernel), stride_(stride), padding_(padding), bias_(bias) {}
  std::string type() const override { return "conv2d"; }
  SampleShape output_shape(const SampleShape& in) const override;
  std::vector<ParamInfo> params(const SampleShape& in) const override;
  std::unique_ptr<LayerRun> instantiate(Context& ctx, WorkspaceArena& scratch, const SampleShape& in,
                                        uint32_t batch, bool training, bool first) const override;
  // The layer fused with a following [ReLU and] 2x2 max pool (nn/model/fusion.cpp's patterns):
  // its run writes the pooled output and takes the pooled gradient.
  std::unique_ptr<LayerRun> instantiate_pooled(Context& ctx, WorkspaceArena& scratch, const SampleShape& in,
                                               uint32_t batch, bool training, bool first) const;
  // Whether that pooled run can write its output channels-last on this device.
  bool writes_channels_last_pooled(Context& ctx, const SampleShape& in, uint32_t batch, bool training,
                                   bool first) const;
  nlohmann::json to_json() const override {
    return {{"type", "conv2d"}, {"filters", filters_}, {"kernel", kernel_}, {"stride", stride_},
            {"padding", padding_}, {"bias", bias_}};
  }

 private:
  // This layer at `batch` on ctx's device (nn/plan/conv2d_plan.hpp), fused with a following 2x2
  // max pool if `pooled`; `first`: it reads the data (computes no dx); `training`: its backward
  // runs too (an evaluation graph's plan measures the forward pass alone).
  Conv2dPlan plan(Context& ctx, const SampleShape& in, uint32_t batch, bool pooled, bool training, bool first) const;
  uint32_t filters_, kernel_, stride_, padding_;
  bool bias_;
};

}  // namespace vkt::nn
