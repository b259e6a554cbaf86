#pragma once
// The options `train`, `eval` and `tune` share: which model, which data, which device, and
// every hyperparameter of nn::TrainConfig. Registered on a CLI11 subcommand, then turned
// into a TrainConfig and loaded data.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "nn/data/dataset.hpp"
#include "nn/data/device_dataset.hpp"
#include "nn/model/model.hpp"
#include "runtime/context.hpp"
#include "nn/train/train_config.hpp"

namespace vkt::app {

// Finite numbers only, > 0 (kPositive) or >= 0 (kNonNegative): CLI11's own checks let NaN
// through and word a refusal with DBL_MAX's 309 digits.
extern const CLI::Validator kPositive, kNonNegative;

// A path option given as "" is a mistake, not "no file": CLI11 refuses it with this check.
inline const CLI::Validator kNotEmpty(
    [](std::string& value) { return value.empty() ? std::string("must not be empty") : std::string(); }, "", "not empty");

struct DataOptions {
  std::string dataset = "fashion-mnist";
  std::string dir;  // default: the data set's package directory
  double val_split = 0.1;
  uint32_t train_limit = 0;  // use only the first N training images (quick runs, CI)
  // K-fold cross-validation (0: off). Then load() holds no validation set out: the folds
  // (nn/data/folds.hpp) are cut from the whole training set.
  uint32_t cv_folds = 0;
  std::string data_on = "device";  // nn::DataPlacement: device, or host (streamed per batch)
  nn::DataSplits load() const;
  nn::DataPlacement placement() const { return nn::parse_data_placement(data_on); }
  // The images' shape (1x28x28, or 3x32x32 for CIFAR-10), known without loading them.
  nn::SampleShape input_shape() const;
};

struct TrainOptions {
  std::string model = "cnn";
  std::optional<uint32_t> hidden;
  std::optional<double> dropout;
  nn::ModelVars vars_extra;  // other "$name" values for model files (set by tuning trials)
  uint32_t epochs = 1, batch = 64;
  double lr = 1e-3;
  std::string optimizer = "adam";
  std::optional<double> momentum;
  std::optional<double> eps, initial_accumulator;  // default: the optimizer's
  double weight_decay = 0, l1 = 0, l2 = 0, clip_norm = 0;
  std::string schedule = "constant";
  double decay = 0.0;          // the schedule's rate (gamma / alpha), meaning per schedule
  double decay_steps = 0.0;    // 0: one epoch's steps
  int64_t warmup = 0;
  std::optional<double> final_lr_ratio;  // linear, cosine (default 0)
  std::optional<uint32_t> plateau_patience;  // plateau (defaults: nn::PlateauRule)
  std::optional<double> factor, min_lr, plateau_min_delta;
  std::string loss = "cross_entropy";
  std::string augment = "none";
  std::string init_from;  // --init-from: weights to fine-tune
  std::vector<uint32_t> freeze;  // --freeze 0,3
  std::string init = "glorot_uniform";
  uint64_t seed = 0;
  uint32_t patience = 0;
  std::string device;
  std::string autotune = "full";  // --autotune off|cached|full (runtime/kernel_policy.hpp)
  DataOptions data;

  // Hyperparameters as TrainConfig; steps_per_epoch fills schedule defaults.
  nn::TrainConfig config(uint64_t steps_per_epoch) const;
  // The model these options describe, built on the host without data or a device:
  // `train --print-model` prints it, `tune` builds one per corner of its space up front.
  nn::Model host_model() const;
};

void add_model_options(CLI::App& cmd, TrainOptions& o);
// The Context options --device and --autotune ask for.
ContextOptions context_options(const TrainOptions& o);
void add_data_options(CLI::App& cmd, DataOptions& o);
// --cv K, for the commands that can cross-validate (train, tune).
void add_cv_option(CLI::App& cmd, DataOptions& o);
void add_hyperparameter_options(CLI::App& cmd, TrainOptions& o);

}  // namespace vkt::app
