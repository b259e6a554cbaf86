#include "nn/layers/dropout.hpp"

#include "nn/ops/dropout.hpp"
#include "util/error.hpp"

namespace vkt::nn {
namespace {

class DropoutRun : public LayerRun {
 public:
  DropoutRun(DropoutParams d, uint64_t n) : d_(d), n_(n) {}
  void forward(Stream& s, const LayerIO& io) override {
    dropout_forward(s, io.y, io.x, n_, d_, io.step_block);
  }
  void backward(Stream& s, const LayerIO& io) override {
    if (!io.dx.empty()) dropout_backward(s, io.dx, io.dy, n_, d_, io.step_block);
  }

 private:
  DropoutParams d_;
  uint64_t n_;
};

}  // namespace

SampleShape DropoutLayer::output_shape(const SampleShape& in) const {
  if (!(rate_ >= 0.0 && rate_ < 1.0)) throw InputError("dropout rate must be in [0, 1), got " + std::to_string(rate_));
  return in;
}

std::unique_ptr<LayerRun> DropoutLayer::instantiate(Context&, WorkspaceArena&, const SampleShape& in, uint32_t batch,
                                                    bool, bool) const {
  return std::make_unique<DropoutRun>(DropoutParams{rate_, seed_}, in.size() * batch);
}

}  // namespace vkt::nn
