#pragma once
// The objective of `vktrain tune` (and of `vktrain train --cv`): a trial is a `vktrain train`
// run whose options are the tune command's train options overridden by the trial's
// parameters. The study (tuning/) never sees Vulkan; this is where the two meet.
//
// Cross-validation (--cv K): the trial trains K models in turn, fold 0 first, each for the
// trial's epochs E on the other folds and validated on its own (nn/data/folds.hpp). Fold f's
// epoch e is reported as step f * E + e, so a trial has K * E steps: pruners compare trials at
// the same fold and epoch (all trials of a study share K and E), and Hyperband's and ASHA's
// epochs count these steps. The checkpoint after step s is fold (s - 1) / E's training state: a
// trial killed in fold 2 resumes in fold 2, and reads the earlier folds' results back from the
// journal (TrialContext::reported). Its value is the mean of the K folds' final values.
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "apps/train_options.hpp"
#include "nn/data/device_dataset.hpp"
#include "nn/train/trainer.hpp"
#include "tuning/objective.hpp"

namespace vkt::app {

// Applies trial parameters to train options, as if given on the `vktrain train` command line:
// key "weight_decay" (or "weight-decay") sets --weight-decay; keys that are no option become
// model variables ("$name" in a model file). Bad values -> InputError naming the key.
TrainOptions apply_params(const TrainOptions& base, const tune::Params& params);

// Where a trial's data comes from: the splits already on the device, or (cross-validation)
// the whole training set, from which each fold's split is uploaded in turn.
struct TrialData {
  std::shared_ptr<const nn::DeviceData> splits;  // without cross-validation
  std::shared_ptr<const nn::Dataset> training;   // with it
  uint32_t cv_folds = 0;
  uint64_t fold_seed = 0;  // the study's seed
  nn::DataPlacement fold_placement = nn::DataPlacement::Device;  // where each fold's split is kept
};

// What TensorBoard shows of an epoch (train --tensorboard, tune --tensorboard).
std::vector<std::pair<std::string, double>> epoch_scalars(const nn::EpochStats& e);

class TrainObjective : public tune::Objective {
 public:
  // `objective`: "val_acc" (maximize) or "val_loss" (minimize). An empty `checkpoint_dir`
  // writes no checkpoints (`train --cv`: nothing to resume). Checkpoints are written at
  // epoch ends and, with `checkpoint_every` > 0, every that many optimizer steps mid-epoch;
  // a mid-epoch one is journaled as the step of the epoch in progress.
  TrainObjective(Context& ctx, TrialData data, TrainOptions base, std::string objective,
                 std::filesystem::path checkpoint_dir, uint64_t checkpoint_every = 0);
  tune::TrialResult run(const tune::TrialContext& trial) override;

  // Each trial also writes TensorBoard event files into its own folder of `dir`
  // (nn::tensorboard_trial_folder); step = the epoch, counted across folds as reported.
  void set_tensorboard(std::filesystem::path dir) { tensorboard_dir_ = std::move(dir); }

  // The final value of each fold the last run() finished (one entry without cross-validation).
  const std::vector<double>& fold_values() const { return fold_values_; }

 private:
  Context& ctx_;
  TrialData data_;
  TrainOptions base_;
  std::string objective_;
  std::filesystem::path checkpoint_dir_;
  uint64_t checkpoint_every_ = 0;
  std::filesystem::path tensorboard_dir_;
  std::vector<double> fold_values_;
};

}  // namespace vkt::app
