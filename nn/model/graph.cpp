#include "nn/model/graph.hpp"

#include "runtime/context.hpp"
#include "util/error.hpp"

namespace vkt::nn {

ModelBuffers::ModelBuffers(Context& ctx, const Model& model, bool training)
    : params(ctx, std::max<uint64_t>(model.trained_floats(), 1) * 4, "parameters", MemoryKind::Parameters),
      grads(training ? Buffer(ctx, std::max<uint64_t>(model.trained_floats(), 1) * 4, "gradients", MemoryKind::Gradients) : Buffer()),
      state(ctx, std::max<uint64_t>(model.state_floats(), 1) * 4, "layer state", MemoryKind::Parameters) {}

Graph::Graph(Context& ctx, const Model& model, ModelBuffers& buffers, WorkspaceArena& scratch, uint32_t batch,
             bool training)
    : model_(model), buffers_(buffers), batch_(batch), training_(training) {
  if (batch == 0) throw InputError("batch size must be at least 1");
  const auto& shapes = model.shapes();
  const size_t L = model.layers().size();
  auto make = [&](uint64_t floats, const std::string& name) {
    storage_.emplace_back(ctx, std::max<uint64_t>(floats, 1) * 4, name, MemoryKind::Activations);
    return DeviceSpan(storage_.back(), 0, floats);
  };
  storage_.reserve(2 * (L + 1));
  acts_.resize(L + 1);
  grads_.resize(L + 1);
  fusion_ = plan_fusion(ctx, model, batch, training, ctx.policy().fusion);
  // Boundaries joined by a view layer (flatten, eval-mode dropout) share memory: group[b] is
  // the first boundary of b's chain. One activation and one gradient buffer per group; the
  // group of the input needs no gradient (nothing upstream of the data learns).
  // A folded ReLU shares its activation (not its gradient) with its input; boundaries inside an
  // absorbing group get no memory at all (the head's run keeps what it needs).
  std::vector<size_t> group(L + 1, 0), act_group(L + 1, 0);
  for (size_t i = 0; i < L; ++i) {
    const bool view = model.layers()[i]->is_view(training);
    group[i + 1] = view ? group[i] : i + 1;
    act_group[i + 1] = view || fusion_.relu_folded[i] ? act_group[i] : i + 1;
  }
  for (size_t b = 0; b <= L; ++b) {
    if (b > 0 && b < L && fusion_.absorbed[b]) continue;  // an output inside an absorbing group
    const uint64_t n = shapes[b].size() * batch;
    const std::string what = b == 0 ? "input batch" : "activation " + std::to_string(b) + " (" + model.layers()[b - 1]->type() + ")";
    acts_[b] = act_group[b] == b ? make(n, what) : acts_[act_group[b]];
    if (training && b != 0) grads_[b] = group[b] == b ? make(n, "gradient of " + what) : grads_[group[b]];
  }
  if (training) scratch.new_group();
  for (size_t i = 0; i < L; ++i) {
    const Layer& layer = *model.layers()[i];
    const FusionPattern* p = fusion_.pattern[i];
    const bool first = fusion_.first[i];
    if (!training) scratch.new_group();
    runs_.push_back(fusion_.absorbed[i] ? nullptr
                    : p && p->instantiate ? p->instantiate(ctx, scratch, layer, shapes[i], batch, training, first)
                                          : layer.instantiate(ctx, scratch, shapes[i], batch, training, first));
  }
}

bool Graph::runs_forward(size_t i) const {
  return !model_.layers()[i]->is_view(training_) && !fusion_.relu_folded[i] && !fusion_.absorbed[i];
}

LayerIO Graph::io_for(size_t i, DeviceSpan step_block) const {
  LayerIO io;
  io.batch = batch_;
  // An absorbing group's output is its head's; a folded ReLU's output is its head's output.
  const size_t out = fusion_.pattern[i] && fusion_.pattern[i]->instantiate ? fusion_.last[i] + 1 : i + 1;
  io.x = acts_[i];
  io.y = acts_[out];
  io.training = training_;
  io.step_block = step_block;
  io.relu = fusion_.relu_epilogue[i];
  io.x_channels_last = fusion_.channels_last[i];
  io.y_channels_last = fusion_.channels_last[out];
  if (training_) {
    io.dy = grads_[out];
    // Empty when layer i reads the data (directly or through views), or when the layers
    // below it are frozen: nothing there needs a gradient.
    io.dx = i <= model_.backward_from() && model_.backward_from() > 0 ? DeviceSpan() : grads_[i];
  }
  for (size_t s : model_.layer_slots(i)) {
    const ParamSlot& slot = model_.slots()[s];
    const Buffer& buf = slot.trained() ? buffers_.params : buffers_.state;
    io.params.emplace_back(buf, slot.offset * 4, slot.info.size());
    if (training_ && slot.trained()) io.grads.emplace_back(buffers_.grads, slot.offset * 4, slot.info.size());
  }
  return io;
}

void Graph::record_forward(Stream& s, DeviceSpan step_block) {
  for (size_t i = 0; i < runs_.size(); ++i)
    if (runs_forward(i)) runs_[i]->forward(s, io_for(i, step_block));
}

void Graph::record_backward(Stream& s, DeviceSpan step_block) {
  if (!training_) throw Error("record_backward on an evaluation graph");
  for (size_t i = runs_.size(); i-- > model_.backward_from();)
    if (!model_.layers()[i]->is_view(training_) && !fusion_.absorbed[i]) runs_[i]->backward(s, io_for(i, step_block));
}

std::vector<Graph::RunPlan> Graph::describe(Context& ctx) {
  // Recorded into throwaway streams, never submitted: only the kernel names are kept.
  Buffer step(ctx, 256, "describe step block", MemoryKind::Workspace);
  std::vector<RunPlan> out;
  const auto& layers = model_.layers();
  for (size_t i = 0; i < runs_.size(); ++i) {
    if (!runs_forward(i)) continue;
    RunPlan r;
    r.first_layer = i;
    r.last_layer = fusion_.last[i];
    for (size_t k = r.first_layer; k <= r.last_layer; ++k) {
      if (k > i) r.layers += '+';
      r.layers += layers[k]->type();
    }
    r.choice = runs_[i]->plan();
    const LayerIO io = io_for(i, step);
    r.x_channels_last = io.x_channels_last;
    r.y_channels_last = io.y_channels_last;
    {
      Stream s(ctx);
      runs_[i]->forward(s, io);
      r.forward = s.dispatched_kernels();
    }
    if (training_ && i >= model_.backward_from()) {
      Stream s(ctx);
      runs_[i]->backward(s, io);
      r.backward = s.dispatched_kernels();
      // A fused ReLU's backward is its own run's: list it with the group.
      if (r.last_layer == i + 1 && fusion_.relu_folded[i + 1]) {
        Stream t(ctx);
        runs_[i + 1]->backward(t, io_for(i + 1, step));
        r.backward.insert(r.backward.begin(), t.dispatched_kernels().begin(), t.dispatched_kernels().end());
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace vkt::nn
