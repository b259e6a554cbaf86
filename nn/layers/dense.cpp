#include "nn/layers/dense.hpp"

#include "nn/ops/dense.hpp"
#include "util/error.hpp"

namespace vkt::nn {
namespace {

class DenseRun : public LayerRun {
 public:
  DenseRun(DenseShape d, bool bias) : d_(d), bias_(bias) {}
  void forward(Stream& s, const LayerIO& io) override {
    dense_forward(s, io.y, io.x, io.params[0], bias_ ? io.params[1] : DeviceSpan{}, d_, io.relu);
  }
  void backward(Stream& s, const LayerIO& io) override {
    dense_backward(s, io.dx, io.grads[0], bias_ ? io.grads[1] : DeviceSpan{}, io.dy, io.x, io.params[0], d_);
  }

 private:
  DenseShape d_;
  bool bias_;
};

}  // namespace

SampleShape DenseLayer::output_shape(const SampleShape& in) const {
  if (in.h != 1 || in.w != 1)
    throw InputError("dense layer needs a flat input, got " + in.str() + " (add a flatten layer)");
  if (units_ == 0) throw InputError("dense layer with 0 units");
  return {units_, 1, 1};
}

std::vector<ParamInfo> DenseLayer::params(const SampleShape& in) const {
  std::vector<ParamInfo> p{{"weight", {units_, in.c}, ParamRole::Weight, in.c, units_}};
  if (bias_) p.push_back({"bias", {units_}, ParamRole::Bias});
  return p;
}

std::unique_ptr<LayerRun> DenseLayer::instantiate(Context&, WorkspaceArena&, const SampleShape& in, uint32_t batch,
                                                  bool, bool) const {
  return std::make_unique<DenseRun>(DenseShape{batch, in.c, units_}, bias_);
}

}  // namespace vkt::nn
