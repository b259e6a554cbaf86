#include "nn/layers/conv2d.hpp"

#include "nn/ops/conv2d_routes.hpp"
#include "nn/plan/conv2d_plan.hpp"
#include "util/error.hpp"

namespace vkt::nn {
namespace {

Conv2dShape shape_for(const SampleShape& in, uint32_t batch, uint32_t filters, uint32_t k, uint32_t stride,
                      uint32_t pad) {
  return {batch, in.c, in.h, in.w, filters, k, k, stride, stride, pad, pad};
}

// Its workspace (nn/ops/conv2d.hpp) lies in the graph's arena: in a training graph it is the
// layer's own for the step, since `col` (and, with a fused pool, `argmax`) carries data from
// forward to backward; in an evaluation graph the next layer reuses it.
class Conv2dRun : public LayerRun {
 public:
  Conv2dRun(WorkspaceArena& scratch, const Conv2dPlan& c, bool bias) : c_(c), bias_(bias), ws_(scratch, c) {}
  void forward(Stream& s, const LayerIO& io) override {
    conv2d_forward(s, io.y, io.x, io.params[0], bias_ ? io.params[1] : DeviceSpan{}, shape(io), workspace(), io.relu);
  }
  void backward(Stream& s, const LayerIO& io) override {
    conv2d_backward(s, io.dx, io.grads[0], bias_ ? io.grads[1] : DeviceSpan{}, io.dy, io.x, io.params[0], shape(io),
                    workspace());
  }

  std::string plan() const override { return Conv2dChoice{c_.route, c_.local_x}.name(); }

 private:
  Conv2dPlan shape(const LayerIO& io) const {
    Conv2dPlan c = c_;
    c.x_channels_last = io.x_channels_last;
    c.y_channels_last = io.y_channels_last;
    return c;
  }
  Conv2dWorkspace workspace() const { return ws_.spans(); }
  Conv2dPlan c_;
  bool bias_;
  Conv2dWorkspaceRegions ws_;
};

}  // namespace

SampleShape Conv2dLayer::output_shape(const SampleShape& in) const {
  const Conv2dShape c = shape_for(in, 1, filters_, kernel_, stride_, padding_);
  c.validate();
  return {filters_, c.OH(), c.OW()};
}

std::vector<ParamInfo> Conv2dLayer::params(const SampleShape& in) const {
  const uint32_t area = kernel_ * kernel_;
  std::vector<ParamInfo> p{
      {"weight", {filters_, in.c, kernel_, kernel_}, ParamRole::Weight, in.c * area, filters_ * area}};
  if (bias_) p.push_back({"bias", {filters_}, ParamRole::Bias});
  return p;
}

Conv2dPlan Conv2dLayer::plan(Context& ctx, const SampleShape& in, uint32_t batch, bool pooled, bool training,
                             bool first) const {
  Conv2dShape c = shape_for(in, batch, filters_, kernel_, stride_, padding_);
  c.pool = pooled ? 2 : 0;
  return plan_conv2d(ctx, c, !first, training);
}

std::unique_ptr<LayerRun> Conv2dLayer::instantiate(Context& ctx, WorkspaceArena& scratch, const SampleShape& in,
                                                   uint32_t batch, bool training, bool first) const {
  return std::make_unique<Conv2dRun>(scratch, plan(ctx, in, batch, false, training, first), bias_);
}

std::unique_ptr<LayerRun> Conv2dLayer::instantiate_pooled(Context& ctx, WorkspaceArena& scratch, const SampleShape& in,
                                                          uint32_t batch, bool training, bool first) const {
  return std::make_unique<Conv2dRun>(scratch, plan(ctx, in, batch, true, training, first), bias_);
}

bool Conv2dLayer::writes_channels_last_pooled(Context& ctx, const SampleShape& in, uint32_t batch, bool training,
                                              bool first) const {
  return conv2d_channels_last_output_ok(ctx, plan(ctx, in, batch, true, training, first), !first);
}

}  // namespace vkt::nn
