#include "nn/layers/activation.hpp"

namespace vkt::nn {
namespace {

class ActivationRun : public LayerRun {
 public:
  ActivationRun(Activation a, float alpha, uint64_t n) : a_(a), alpha_(alpha), n_(n) {}
  void forward(Stream& s, const LayerIO& io) override { activation_forward(s, a_, io.y, io.x, n_, alpha_); }
  void backward(Stream& s, const LayerIO& io) override {
    if (!io.dx.empty()) activation_backward(s, a_, io.dx, io.dy, io.x, n_, alpha_);
  }

 private:
  Activation a_;
  float alpha_;
  uint64_t n_;
};

}  // namespace

std::unique_ptr<LayerRun> ActivationLayer::instantiate(Context&, WorkspaceArena&, const SampleShape& in, uint32_t batch,
                                                       bool, bool) const {
  return std::make_unique<ActivationRun>(a_, alpha_, in.size() * batch);
}

nlohmann::json ActivationLayer::to_json() const {
  nlohmann::json j = {{"type", activation_name(a_)}};
  if (a_ == Activation::LeakyReLU) j["alpha"] = alpha_;
  return j;
}

}  // namespace vkt::nn
