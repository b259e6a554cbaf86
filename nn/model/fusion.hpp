#pragma once
// Which consecutive layers run as one pass, and which boundaries hold channels-last tensors:
// a pass over the model's layers, driven by the pattern table in fusion.cpp. Layers know
// nothing of fusion; adding a pattern touches that table (and, for a run that absorbs layers,
// the function that builds it).
#include <memory>
#include <string>
#include <vector>

#include "nn/model/layer.hpp"

namespace vkt::nn {

class Model;

struct FusionPattern {
  std::string name;  // "conv2d+relu+maxpool2x2"
  // Absorb: the head's run does every layer of the group in both directions (the others get no
  // run and no memory). ReluEpilogue: the head applies the following ReLU in its forward pass;
  // the ReLU's backward still runs on its own, on the shared output (relu'(z) is 1 exactly
  // where relu(z) > 0).
  enum class Kind { Absorb, ReluEpilogue } kind = Kind::Absorb;
  std::vector<bool (*)(const Layer&)> layers;  // one predicate per layer, head first
  // Absorb only: the run for the group, reading the head's input and writing the last layer's
  // output (a ReLU inside the group comes to it as LayerIO::relu).
  std::unique_ptr<LayerRun> (*instantiate)(Context& ctx, WorkspaceArena& scratch, const Layer& head,
                                           const SampleShape& in, uint32_t batch, bool training, bool first) = nullptr;
  // Absorb only (may be null): whether the group's output may be channels-last on this device
  // (nn/ops/conv2d.hpp, Conv2dPlan::y_channels_last), given its consumer can read it so.
  bool (*writes_channels_last)(Context& ctx, const Layer& head, const SampleShape& in, uint32_t batch,
                               bool training, bool first) = nullptr;
};

// The table, longest patterns first (the pass takes the first that matches at each layer).
const std::vector<FusionPattern>& fusion_patterns();

// Whether a layer can read its input (and write its input's gradient) channels-last,
// (batch, H, W, C): the consumer side of a channels-last boundary.
bool reads_channels_last(const Layer& layer);

struct FusionPlan {
  // Per layer: the pattern of the group it heads (nullptr: it runs alone or is absorbed), the
  // group's last layer, and whether it is absorbed into an earlier layer's run.
  std::vector<const FusionPattern*> pattern;
  std::vector<size_t> last;
  std::vector<bool> absorbed;
  // relu_epilogue[i]: layer i applies a ReLU after it in its forward pass;
  // relu_folded[i]: layer i is that ReLU (no forward of its own; its backward runs).
  std::vector<bool> relu_epilogue, relu_folded;
  // first[i]: layer i reads the data, directly or through views (it computes no dx).
  std::vector<bool> first;
  // channels_last[b]: boundary b (input of layer b) holds (batch, H, W, C) tensors.
  std::vector<bool> channels_last;
};

// `enabled` false (KernelPolicy::fusion off): every layer runs alone, every boundary is NCHW.
FusionPlan plan_fusion(Context& ctx, const Model& model, uint32_t batch, bool training, bool enabled);

}  // namespace vkt::nn
