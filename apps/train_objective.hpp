#pragma once
// The objective of `vktrain tune`: a trial is a `vktrain train` run whose options are the
// tune command's train options overridden by the trial's parameters. The study (tuning/)
// never sees Vulkan; this is where the two meet.
#include <filesystem>
#include <memory>

#include "apps/train_options.hpp"
#include "nn/data/device_dataset.hpp"
#include "tuning/objective.hpp"

namespace vkt::app {

// Applies trial parameters to train options, as if given on the `vktrain train` command line:
// key "weight_decay" (or "weight-decay") sets --weight-decay; keys that are no option become
// model variables ("$name" in a model file). Bad values -> InputError naming the key.
TrainOptions apply_params(const TrainOptions& base, const tune::Params& params);

class TrainObjective : public tune::Objective {
 public:
  // `objective`: "val_acc" (maximize) or "val_loss" (minimize).
  TrainObjective(Context& ctx, std::shared_ptr<const nn::DeviceData> data, TrainOptions base, std::string objective,
                 std::filesystem::path checkpoint_dir);
  tune::TrialResult run(const tune::TrialContext& trial) override;

 private:
  Context& ctx_;
  std::shared_ptr<const nn::DeviceData> data_;
  TrainOptions base_;
  std::string objective_;
  std::filesystem::path checkpoint_dir_;
};

}  // namespace vkt::app
