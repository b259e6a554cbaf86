#include "nn/layers/batchnorm.hpp"

#include "nn/ops/batchnorm.hpp"
#include "nn/ops/workspace_arena.hpp"

namespace vkt::nn {
namespace {

// params order: weight (gamma), bias (beta), running_mean, running_var
class BatchNormRun : public LayerRun {
 public:
  // Evaluation uses the running statistics and keeps no batch statistics.
  BatchNormRun(WorkspaceArena& scratch, const BatchNormShape& b, bool training)
      : b_(b),
        scratch_(scratch),
        mean_(scratch.reserve(training ? b.C : 0, "batchnorm batch mean")),
        invstd_(scratch.reserve(training ? b.C : 0, "batchnorm batch invstd")) {}
  void forward(Stream& s, const LayerIO& io) override {
    if (io.training)
      batchnorm_forward_train(s, io.y, scratch_.span(mean_), scratch_.span(invstd_), io.params[2], io.params[3], io.x,
                              io.params[0], io.params[1], b_);
    else
      batchnorm_forward_infer(s, io.y, io.x, io.params[0], io.params[1], io.params[2], io.params[3], b_);
  }
  void backward(Stream& s, const LayerIO& io) override {
    batchnorm_backward(s, io.dx, io.grads[0], io.grads[1], io.dy, io.x, io.params[0], scratch_.span(mean_),
                       scratch_.span(invstd_), b_);
  }

 private:
  BatchNormShape b_;
  WorkspaceArena& scratch_;
  WorkspaceArena::Region mean_, invstd_;  // the batch statistics forward saves for backward
};

}  // namespace

std::vector<ParamInfo> BatchNormLayer::params(const SampleShape& in) const {
  const int64_t c = in.c;
  return {{"weight", {c}, ParamRole::Gamma, 0, 0, 1.0f},
          {"bias", {c}, ParamRole::Beta},
          {"running_mean", {c}, ParamRole::State, 0, 0, 0.0f},
          {"running_var", {c}, ParamRole::State, 0, 0, 1.0f}};
}

std::unique_ptr<LayerRun> BatchNormLayer::instantiate(Context&, WorkspaceArena& scratch, const SampleShape& in,
                                                      uint32_t batch, bool training, bool) const {
  BatchNormShape b{batch, in.c, in.h * in.w, eps_, momentum_};
  b.validate(training);
  return std::make_unique<BatchNormRun>(scratch, b, training);
}

}  // namespace vkt::nn
