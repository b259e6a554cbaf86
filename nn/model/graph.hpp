#pragma once
// A model bound to a batch size on a device: an activation buffer at every layer boundary
// (and a gradient buffer when training), each layer's LayerRun with its scratch in a
// WorkspaceArena, and views of the flat parameter/gradient/state buffers. Records the forward
// pass and the backward pass; the trainer puts data gathering, the loss and the optimizer
// around them.
#include <memory>
#include <string>
#include <vector>

#include "nn/model/fusion.hpp"
#include "nn/model/model.hpp"
#include "nn/ops/workspace_arena.hpp"
#include "runtime/buffer.hpp"

namespace vkt::nn {

// The model's device memory, shared by every graph of that model (training and evaluation).
struct ModelBuffers {
  Buffer params;  // (trained_floats) flat, laid out by Model::slots()
  Buffer grads;   // same layout; only for training
  Buffer state;   // (state_floats) running statistics; may be a 4-byte placeholder
  ModelBuffers(Context& ctx, const Model& model, bool training);
};

class Graph {
 public:
  // The runs reserve their scratch in `scratch`: a training graph as one group (forward leaves
  // data there for backward), an evaluation graph one group per run (nothing outlives a
  // layer's forward). Build every graph that shares an arena before recording any.
  Graph(Context& ctx, const Model& model, ModelBuffers& buffers, WorkspaceArena& scratch, uint32_t batch,
        bool training);

  uint32_t batch() const { return batch_; }
  DeviceSpan input() const { return acts_.front(); }    // (batch, input size): fill before forward
  DeviceSpan output() const { return acts_.back(); }    // (batch, classes) logits
  DeviceSpan output_grad() const { return grads_.back(); }  // (batch, classes): the loss writes it

  // `step_block`: the StepBlock this recorded step reads (a different slot per step when
  // several steps are recorded into one submission).
  void record_forward(Stream& s, DeviceSpan step_block);
  void record_backward(Stream& s, DeviceSpan step_block);  // needs output_grad() written

  // What each run does, for --print-plan: the layers it covers, its plan's choice, the layouts
  // of its input and output, and the kernels its forward and backward record, in order.
  struct RunPlan {
    size_t first_layer = 0, last_layer = 0;  // a fused group covers several
    std::string layers;                      // "conv2d+relu+maxpool2d"
    std::string choice;                      // LayerRun::plan()
    bool x_channels_last = false, y_channels_last = false;
    std::vector<std::string> forward, backward;
  };
  std::vector<RunPlan> describe(Context& ctx);

 private:
  LayerIO io_for(size_t layer, DeviceSpan step_block) const;
  // Whether layer i has a forward pass of its own to record (not a view, not folded or absorbed
  // into an earlier layer's run).
  bool runs_forward(size_t i) const;

  const Model& model_;
  ModelBuffers& buffers_;
  uint32_t batch_;
  bool training_;
  // Which layers run fused and which boundaries are channels-last (nn/model/fusion.hpp);
  // KernelPolicy::fusion off: none.
  FusionPlan fusion_;
  std::vector<Buffer> storage_;           // the activation and gradient buffers
  std::vector<DeviceSpan> acts_, grads_;  // per boundary; views alias their neighbour
  std::vector<std::unique_ptr<LayerRun>> runs_;  // null for absorbed layers
};

}  // namespace vkt::nn
