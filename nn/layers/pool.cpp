#include "nn/layers/pool.hpp"

#include "nn/ops/pool.hpp"
#include "nn/ops/workspace_arena.hpp"
#include "nn/plan/pool_plan.hpp"
#include "util/error.hpp"

namespace vkt::nn {
namespace {

Pool2dShape pool_shape(const SampleShape& in, uint32_t batch, uint32_t k, uint32_t s, uint32_t p) {
  return {batch, in.c, in.h, in.w, k, k, s, s, p, p};
}

class MaxPoolRun : public LayerRun {
 public:
  // `dx_needed`: it trains and is not the first layer (the first computes no dx).
  MaxPoolRun(Context& ctx, WorkspaceArena& scratch, const Pool2dShape& p, bool dx_needed)
      : p_(p),
        backward_(dx_needed ? plan_maxpool2d_backward(ctx, p) : maxpool_backward_routes(p).front()),
        scratch_(scratch),
        argmax_(scratch.reserve(p.out_count(), "maxpool argmax")) {}
  void forward(Stream& s, const LayerIO& io) override {
    maxpool2d_forward(s, io.y, scratch_.span(argmax_), io.x, p_);
  }
  void backward(Stream& s, const LayerIO& io) override {
    if (!io.dx.empty()) maxpool2d_backward(s, backward_, io.dx, io.dy, scratch_.span(argmax_), p_);
  }
  std::string plan() const override { return maxpool_backward_name(backward_); }

 private:
  Pool2dShape p_;
  MaxPoolBackward backward_;
  WorkspaceArena& scratch_;
  WorkspaceArena::Region argmax_;  // written by forward, read by backward
};

class AvgPoolRun : public LayerRun {
 public:
  explicit AvgPoolRun(const Pool2dShape& p) : p_(p) {}
  void forward(Stream& s, const LayerIO& io) override { avgpool2d_forward(s, io.y, io.x, p_); }
  void backward(Stream& s, const LayerIO& io) override {
    if (!io.dx.empty()) avgpool2d_backward(s, io.dx, io.dy, p_);
  }

 private:
  Pool2dShape p_;
};

class GlobalAvgPoolRun : public LayerRun {
 public:
  explicit GlobalAvgPoolRun(const Pool2dShape& p) : p_(p) {}
  void forward(Stream& s, const LayerIO& io) override { global_avgpool_forward(s, io.y, io.x, p_.N, p_.C, p_.H, p_.W); }
  void backward(Stream& s, const LayerIO& io) override {
    if (!io.dx.empty()) global_avgpool_backward(s, io.dx, io.dy, p_.N, p_.C, p_.H, p_.W);
  }

 private:
  Pool2dShape p_;
};

}  // namespace

std::string Pool2dLayer::type() const {
  return kind_ == Kind::Max ? "maxpool2d" : kind_ == Kind::Average ? "avgpool2d" : "global_avgpool";
}

SampleShape Pool2dLayer::output_shape(const SampleShape& in) const {
  if (kind_ == Kind::GlobalAverage) return {in.c, 1, 1};
  const Pool2dShape p = pool_shape(in, 1, kernel_, stride_, padding_);
  p.validate();
  return {in.c, p.OH(), p.OW()};
}

std::unique_ptr<LayerRun> Pool2dLayer::instantiate(Context& ctx, WorkspaceArena& scratch, const SampleShape& in,
                                                   uint32_t batch, bool training, bool first) const {
  const Pool2dShape p = pool_shape(in, batch, kernel_, stride_, padding_);
  switch (kind_) {
    case Kind::Max: return std::make_unique<MaxPoolRun>(ctx, scratch, p, training && !first);
    case Kind::Average: return std::make_unique<AvgPoolRun>(p);
    default: return std::make_unique<GlobalAvgPoolRun>(p);
  }
}

nlohmann::json Pool2dLayer::to_json() const {
  nlohmann::json j = {{"type", type()}};
  if (kind_ != Kind::GlobalAverage) j.update({{"kernel", kernel_}, {"stride", stride_}, {"padding", padding_}});
  return j;
}

}  // namespace vkt::nn
