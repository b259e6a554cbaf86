#pragma once
#include "nn/model/layer.hpp"

namespace vkt::nn {

// maxpool2d / avgpool2d (kernel, stride = kernel by default, padding) and global_avgpool.
class Pool2dLayer : public Layer {
 public:
  enum class Kind { Max, Average, GlobalAverage };
  Pool2dLayer(Kind kind, uint32_t kernel = 2, uint32_t stride = 0, uint32_t padding = 0)
      : kind_(kind), kernel_(kernel), stride_(stride ? stride : kernel), padding_(padding) {}
  std::string type() const override;
  SampleShape output_shape(const SampleShape& in) const override;
  std::unique_ptr<LayerRun> instantiate(Context& ctx, WorkspaceArena& scratch, const SampleShape& in,
                                        uint32_t batch, bool training, bool first) const override;
  nlohmann::json to_json() const override;
  // A max pool with a 2x2 window, stride 2 and no padding (what a convolution can fuse).
  bool is_maxpool2x2() const { return kind_ == Kind::Max && kernel_ == 2 && stride_ == 2 && padding_ == 0; }

 private:
  Kind kind_;
  uint32_t kernel_, stride_, padding_;
};

}  // namespace vkt::nn
