#pragma once
// Everything that defines a training run: what `vktrain train` parses and what a tuning
// trial fills in. A trial is a TrainConfig plus a seed — the same code path as `train`.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "nn/data/augment.hpp"
#include "nn/data/dataset.hpp"
#include "nn/model/initializer.hpp"
#include "nn/model/model_spec.hpp"
#include "nn/optim/optimizer.hpp"
#include "nn/optim/schedule.hpp"

namespace vkt::nn {

// The training loss on the model's outputs (logits) and the integer labels: softmax
// cross-entropy, or the mean squared error against the one-hot rows (Keras's loss="mse").
enum class LossKind { CrossEntropy, MSE };
// "cross_entropy", "mse"; InputError naming the valid ones otherwise.
LossKind parse_loss(std::string_view name);
std::string loss_name(LossKind kind);

struct TrainConfig {
  std::string model = "cnn";  // preset name or model file
  ModelVars vars;             // "$name" values for the model (hidden, dropout, ...)
  uint32_t epochs = 1;
  uint32_t batch = 64;
  OptimizerConfig optimizer = [] {
    OptimizerConfig o;
    o.kind = OptimizerKind::Adam;
    o.lr = 1e-3;
    return o;
  }();
  Schedule schedule;
  LossKind loss = LossKind::CrossEntropy;
  Augment augment;  // applied to training batches only, never to evaluation
  Initializer init = Initializer::GlorotUniform;
  uint64_t seed = 0;
  uint32_t patience = 0;       // epochs without validation improvement before stopping; 0: never
  // Weights to start from instead of the initializer (a safetensors file with the model's
  // PyTorch names, ours or PyTorch's): fine-tuning. "" for none.
  std::string init_from;
  std::vector<size_t> freeze;  // layer indices (as in the tensor names) kept fixed: Model::freeze
  uint32_t eval_batch = 500;   // images per evaluation dispatch chain
  uint32_t steps_per_submit = 8;  // training steps recorded into one command buffer

  nlohmann::json to_json() const;
};

}  // namespace vkt::nn
