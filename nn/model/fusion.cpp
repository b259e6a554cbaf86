#include "nn/model/fusion.hpp"

#include "nn/layers/conv2d.hpp"
#include "nn/layers/pool.hpp"
#include "nn/model/model.hpp"

namespace vkt::nn {
namespace {

bool is_conv2d(const Layer& l) { return dynamic_cast<const Conv2dLayer*>(&l) != nullptr; }
bool is_dense(const Layer& l) { return l.type() == "dense"; }
bool is_relu(const Layer& l) { return l.type() == "relu"; }
bool is_maxpool2x2(const Layer& l) {
  const auto* p = dynamic_cast<const Pool2dLayer*>(&l);
  return p && p->is_maxpool2x2();
}

std::unique_ptr<LayerRun> conv2d_pooled(Context& ctx, WorkspaceArena& scratch, const Layer& head, const SampleShape& in,
                                        uint32_t batch, bool training, bool first) {
  return static_cast<const Conv2dLayer&>(head).instantiate_pooled(ctx, scratch, in, batch, training, first);
}
bool conv2d_pooled_channels_last(Context& ctx, const Layer& head, const SampleShape& in, uint32_t batch, bool training,
                                 bool first) {
  return static_cast<const Conv2dLayer&>(head).writes_channels_last_pooled(ctx, in, batch, training, first);
}

bool matches(const FusionPattern& p, const std::vector<std::unique_ptr<Layer>>& layers, size_t i) {
  if (i + p.layers.size() > layers.size()) return false;
  for (size_t k = 0; k < p.layers.size(); ++k)
    if (!p.layers[k](*layers[i + k])) return false;
  return true;
}

}  // namespace

const std::vector<FusionPattern>& fusion_patterns() {
  using K = FusionPattern::Kind;
  // Conv -> [ReLU] -> 2x2 max pool: the convolution's kernels pool in their epilogue and
  // route the pooled gradient back through the winners (nn/ops/conv2d.hpp, Conv2dShape::pool).
  // Conv or dense -> ReLU: a GEMM or convolution epilogue, one memory pass fewer forward.
  static const std::vector<FusionPattern> table{
      {"conv2d+relu+maxpool2x2", K::Absorb, {is_conv2d, is_relu, is_maxpool2x2}, conv2d_pooled,
       conv2d_pooled_channels_last},
      {"conv2d+maxpool2x2", K::Absorb, {is_conv2d, is_maxpool2x2}, conv2d_pooled, conv2d_pooled_channels_last},
      {"conv2d+relu", K::ReluEpilogue, {is_conv2d, is_relu}},
      {"dense+relu", K::ReluEpilogue, {is_dense, is_relu}},
  };
  return table;
}

bool reads_channels_last(const Layer& layer) { return is_conv2d(layer); }

FusionPlan plan_fusion(Context& ctx, const Model& model, uint32_t batch, bool training, bool enabled) {
  const auto& layers = model.layers();
  const size_t L = layers.size();
  FusionPlan f;
  f.pattern.assign(L, nullptr);
  f.last.resize(L);
  f.absorbed.assign(L, false);
  f.relu_epilogue.assign(L, false);
  f.relu_folded.assign(L, false);
  f.first.assign(L, false);
  f.channels_last.assign(L + 1, false);
  for (size_t i = 0; i < L; ++i) {
    f.last[i] = i;
    f.first[i] = i == 0 || (f.first[i - 1] && layers[i - 1]->is_view(training));
  }
  if (!enabled) return f;
  for (size_t i = 0; i < L; ++i) {
    for (const FusionPattern& p : fusion_patterns()) {
      if (!matches(p, layers, i)) continue;
      const size_t last = i + p.layers.size() - 1;
      f.pattern[i] = &p;
      f.last[i] = last;
      f.relu_epilogue[i] = is_relu(*layers[i + 1]);
      for (size_t k = i + 1; k <= last; ++k) {
        if (p.kind == FusionPattern::Kind::Absorb) f.absorbed[k] = true;
        else f.relu_folded[k] = true;
      }
      i = last;
      break;
    }
  }
  // A group whose output goes straight into a layer that reads channels-last: that boundary is
  // channels-last where the group can write it so on this device, and nowhere else, so no
  // other layer ever sees such a tensor.
  const auto& shapes = model.shapes();
  for (size_t i = 0; i < L; ++i) {
    const FusionPattern* p = f.pattern[i];
    const size_t b = f.last[i] + 1;
    if (!p || !p->writes_channels_last || b >= L || !reads_channels_last(*layers[b])) continue;
    f.channels_last[b] = p->writes_channels_last(ctx, *layers[i], shapes[i], batch, training, f.first[i]);
  }
  return f;
}

}  // namespace vkt::nn
