#pragma once
// The trainer owns one training run on one device: the model, its flat buffers, the data on
// the device, and the training step recorded ONCE and replayed:
//   gather batch (shuffled indices, uint8 -> float) -> forward -> the loss, softmax
//   cross-entropy or MSE on one-hot labels (dlogits + loss/accuracy sums on the device)
//   -> backward -> optimizer update
// Several steps are recorded into one command buffer (TrainConfig::steps_per_submit), each
// reading its own slot of the step-block buffer, the only thing the host writes per step.
// Loss and accuracy are read back once per submission, never per dispatch.
// With the data on the host (DataPlacement::Host) the gathers read a ring of two staging
// slots instead: the step is recorded once per slot, and while the device runs one
// submission the host writes the next one's images into the other slot. Same kernels, same
// images in the same order, so the same results as with the data on the device.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "nn/checkpoint/named_tensor.hpp"
#include "nn/checkpoint/training_state.hpp"
#include "nn/data/device_dataset.hpp"
#include "nn/model/graph.hpp"
#include "nn/ops/loss.hpp"
#include "nn/train/train_config.hpp"
#include "runtime/stream.hpp"

namespace vkt::nn {

struct Progress {
  uint32_t epoch = 0;      // 0-based
  uint64_t step = 0, steps = 0;  // within the epoch
  double loss = 0, accuracy = 0;  // running means over the epoch so far
  double img_per_s = 0, eta_s = 0;
};

struct EvalStats {
  double loss = 0, accuracy = 0;
  uint32_t count = 0;
  bool finite = true;
};

struct EpochStats {
  uint32_t epoch = 0;  // 1-based, as printed
  double loss = 0, train_acc = 0;
  EvalStats val;
  double seconds = 0, img_per_s = 0;
  double lr = 0;          // the learning rate of the epoch's last step (schedule and warm-up applied)
  // l1 Σ|w| + l2 Σw² over the weights at the epoch's end, 0 without --l1/--l2. `loss` is the
  // data loss alone (as PyTorch's criterion reports it); Keras's reported loss is the sum.
  double penalty = 0;
  bool diverged = false;  // a non-finite loss was seen
};

class Trainer {
 public:
  // Loads the data onto the device, builds the model and records the training step.
  // data.val may be empty (val_split 0): validation then reports nothing.
  Trainer(Context& ctx, const TrainConfig& config, const DataSplits& data);
  // With data already on the device (shared between trainers, e.g. a study's trials).
  Trainer(Context& ctx, const TrainConfig& config, std::shared_ptr<const DeviceData> data);
  ~Trainer();

  const Model& model() const { return *model_; }
  const TrainConfig& config() const { return config_; }
  uint64_t step() const { return step_; }    // optimizer steps taken
  uint32_t epoch() const { return epoch_; }  // completed epochs
  // The plateau schedule's rate, best validation loss and count (the configured rate, never
  // reduced, for other schedules).
  const PlateauState& plateau() const { return plateau_; }
  uint64_t steps_in_epoch() const { return steps_in_epoch_; }  // of the epoch in progress; 0 between epochs
  // The mean training loss of the epoch in progress, or between epochs of the one just finished
  // (also after restore()); NaN when nothing was counted, e.g. a state from before the sums.
  double epoch_loss() const;

  // Device time of one recorded training step, per kernel (summed over its dispatches),
  // measured with timestamps after `warmup` untimed steps. Changes the parameters: for
  // benchmarks and `VKTRAIN_PROFILE=1`, not in the middle of a run one cares about.
  // `per_dispatch`: every dispatch in recording order instead of sums per kernel.
  std::vector<Timing> profile_step(int warmup = 2, bool per_dispatch = false);

  // The training graph's runs, their plans and kernels (`train --print-plan`).
  std::vector<Graph::RunPlan> describe_plan() { return graph_->describe(ctx_); }

  // Trains one epoch, or the rest of one after restore() of a mid-epoch state (drops the
  // last partial batch, as the reference benchmark does), then evaluates the validation set
  // and, with the plateau schedule, decides the next epoch's rate from its loss. With `checkpoint_every` > 0,
  // `checkpoint` is called after every optimizer step that is a multiple of it and not the
  // epoch's last (the epoch end is the caller's), between submissions, so state() then
  // resumes from exactly that step.
  EpochStats train_epoch(const std::function<void(const Progress&)>& progress = {}, uint64_t checkpoint_every = 0,
                         const std::function<void()>& checkpoint = {});
  // The evaluation batch and the last partial batch's size (0 if none) for a set of `count`
  // images evaluated `eval_batch` at a time (TrainConfig::eval_batch).
  static std::pair<uint32_t, uint32_t> eval_batches(uint32_t count, uint32_t eval_batch);
  EvalStats evaluate_val();
  EvalStats evaluate_test();

  // Parameters (and batch-norm statistics) with PyTorch names.
  std::vector<NamedTensor> weights() const;
  // weights() plus what PyTorch's state_dict holds besides: each batch norm's
  // num_batches_tracked (int64; every training step is one batch). For `train --save`.
  std::vector<NamedTensor> export_weights() const;
  // Replaces the parameters; names and shapes must match (InputError otherwise). Int64
  // counters (num_batches_tracked) are accepted and ignored: nothing here reads them.
  void load_weights(const std::vector<NamedTensor>& tensors, const std::string& source);
  // Everything to resume bit-identically, at an epoch boundary or (from a train_epoch
  // checkpoint callback) mid-epoch. Every random choice is a function of the seed and the
  // epoch (the shuffle) or the step (dropout masks), so the state holds no RNG.
  TrainingState state() const;
  void restore(const TrainingState& s, const std::string& source);

 private:
  // Full batches of the training set: the steps of one epoch (the last partial batch is not
  // trained on).
  uint64_t steps_per_epoch() const;
  struct EvalPlan;
  struct EvalGraph;
  // A split as evaluation reaches it: on the device, or on the host through eval_ring_.
  struct EvalSet {
    const DeviceDataset* resident = nullptr;
    const Dataset* host = nullptr;
    explicit operator bool() const { return resident || host; }
    uint32_t count() const { return resident ? resident->count() : host ? host->count : 0; }
  };
  EvalStats evaluate(const EvalSet& set);
  std::vector<uint32_t> eval_batch_sizes(const EvalSet& set) const;  // the full batch, and the tail's if any
  EvalGraph& eval_graph(uint32_t batch);  // made on first use
  EvalPlan& eval_plan(const DeviceDataset& data, uint32_t batch);
  bool streamed() const { return data_->placement == DataPlacement::Host; }

  void record_train_steps(Stream& s, uint32_t steps, const DeviceDataset& from);
  DeviceSpan step_slot(const Buffer& blocks, uint32_t i) const;

  Context& ctx_;
  TrainConfig config_;
  std::unique_ptr<Model> model_;
  std::shared_ptr<const DeviceData> data_;
  EvalSet val_, test_;  // count 0 for an empty split
  uint32_t train_count_ = 0;
  std::unique_ptr<ModelBuffers> buffers_;
  std::unique_ptr<WorkspaceArena> scratch_;  // every graph's layer workspaces
  std::unique_ptr<Graph> graph_;
  Buffer labels_, moments_m_, moments_v_, clip_result_, clip_partials_;
  Buffer indices_;  // the epoch order on the device; with the data on the host, 0, 1, ... (a slot is in order)
  Buffer step_blocks_, metrics_;
  Buffer penalty_result_, penalty_partials_;
  std::unique_ptr<Stream> penalty_stream_;
  // After the buffers the recorded steps bind: members are destroyed in reverse order, so
  // every stream goes before what it reads, and a slot's streams before the slot.
  std::vector<DeviceDataset> train_ring_, eval_ring_;  // DataPlacement::Host only
  // Where the training step gathers from: the training set on the device (one slot), or the
  // ring of staging slots the host fills (two), each with its recorded steps.
  struct TrainSlot {
    const DeviceDataset* data = nullptr;
    std::unique_ptr<Stream> many, one;  // steps_per_submit steps, one step
  };
  std::vector<TrainSlot> train_slots_;
  // By batch size, before the plans that use them: the graph, and the loss sums that every
  // plan of that size adds to, so a set's sums build up batch by batch in the same order
  // whichever slot a batch came through.
  struct EvalGraph {
    std::unique_ptr<Graph> graph;
    Buffer metrics;
  };
  std::map<uint32_t, EvalGraph> eval_graphs_;
  std::map<std::pair<const DeviceDataset*, uint32_t>, std::unique_ptr<EvalPlan>> eval_plans_;
  uint64_t step_slot_stride_ = 0;
  uint64_t step_ = 0;
  uint32_t epoch_ = 0;
  uint64_t steps_in_epoch_ = 0;
  PlateauState plateau_;
};

}  // namespace vkt::nn
