#include "apps/train_options.hpp"

#include <cmath>

#include "nn/model/model_spec.hpp"
#include "util/error.hpp"

namespace vkt::app {

nn::DataSplits DataOptions::load() const {
  const nn::DatasetKind kind = nn::parse_dataset_kind(dataset);
  std::filesystem::path where = dir;
  if (where.empty()) {
    const auto def = nn::default_dataset_dir(kind);
    if (!def)
      throw InputError("--dataset " + dataset + " has no default location: pass --data DIR");
    where = *def;
  }
  nn::DataSplits splits = nn::load_dataset(kind, where, cv_folds ? 0.0 : val_split);
  if (train_limit) splits.train = nn::subset(splits.train, train_limit);
  return splits;
}

nn::SampleShape DataOptions::input_shape() const {
  return nn::parse_dataset_kind(dataset) == nn::DatasetKind::cifar10 ? nn::SampleShape{3, 32, 32}
                                                                      : nn::SampleShape{1, 28, 28};
}

nn::Model TrainOptions::host_model() const {
  const nn::TrainConfig cfg = config(1);
  return nn::build_model(nn::load_model_spec(cfg.model), data.input_shape(), 10, cfg.vars, cfg.seed);
}

nn::TrainConfig TrainOptions::config(uint64_t steps_per_epoch) const {
  nn::TrainConfig c;
  c.model = model;
  if (hidden) c.vars["hidden"] = *hidden;
  if (dropout) c.vars["dropout"] = *dropout;
  for (const auto& [k, v] : vars_extra) c.vars[k] = v;
  c.epochs = epochs;
  c.batch = batch;
  c.optimizer = nn::parse_optimizer(optimizer);
  c.optimizer.lr = lr;
  if (momentum) c.optimizer.momentum = *momentum;
  if (eps) c.optimizer.eps = *eps;
  if (initial_accumulator) {
    if (c.optimizer.kind != nn::OptimizerKind::Adagrad)
      throw InputError("--initial-accumulator is Adagrad's: it does nothing with --optimizer " + optimizer);
    c.optimizer.initial_accumulator = *initial_accumulator;
  }
  c.optimizer.weight_decay = weight_decay;
  c.optimizer.l1 = l1;
  c.optimizer.l2 = l2;
  c.optimizer.clip_norm = clip_norm;
  c.schedule.kind = nn::parse_schedule(schedule);
  const double steps = double(std::max<uint64_t>(steps_per_epoch, 1));
  const double span = decay_steps > 0 ? decay_steps : steps;
  switch (c.schedule.kind) {
    case nn::ScheduleKind::Step:  // decay by `decay` (default 0.1) every `decay_steps`
      c.schedule.gamma = decay > 0 ? decay : 0.1;
      c.schedule.step_size = static_cast<int64_t>(span);
      break;
    case nn::ScheduleKind::Exponential:
      c.schedule.gamma = decay > 0 ? decay : 0.96;
      c.schedule.decay_steps = span;
      break;
    case nn::ScheduleKind::InverseTime:
      c.schedule.alpha = decay > 0 ? decay : 0.5;
      c.schedule.decay_steps = span;
      break;
    case nn::ScheduleKind::Cosine:
    case nn::ScheduleKind::Linear:  // over --decay-steps, or the whole run
      c.schedule.T = static_cast<int64_t>(decay_steps > 0 ? decay_steps : steps * epochs);
      if (final_lr_ratio) c.schedule.min_ratio = *final_lr_ratio;
      break;
    case nn::ScheduleKind::Plateau:
      if (plateau_patience) c.schedule.plateau.patience = *plateau_patience;
      if (factor) c.schedule.plateau.factor = *factor;
      if (min_lr) c.schedule.plateau.min_lr = *min_lr;
      if (plateau_min_delta) c.schedule.plateau.min_delta = *plateau_min_delta;
      break;
    default:
      break;
  }
  // An option the chosen schedule never reads is a mistake, not a no-op.
  const bool ends_low = c.schedule.kind == nn::ScheduleKind::Cosine || c.schedule.kind == nn::ScheduleKind::Linear;
  if (final_lr_ratio && !ends_low)
    throw InputError("--final-lr-ratio is for --schedule linear or cosine, not " + schedule);
  for (const auto& [given, name] : {std::pair<bool, const char*>{plateau_patience.has_value(), "--plateau-patience"},
                                    {factor.has_value(), "--factor"},
                                    {min_lr.has_value(), "--min-lr"},
                                    {plateau_min_delta.has_value(), "--plateau-min-delta"}})
    if (given && c.schedule.kind != nn::ScheduleKind::Plateau)
      throw InputError(std::string(name) + " is for --schedule plateau, not " + schedule);
  c.schedule.warmup = warmup;
  c.schedule.validate();
  c.loss = nn::parse_loss(loss);
  c.augment = nn::parse_augment(augment);
  c.init_from = init_from;
  c.freeze.assign(freeze.begin(), freeze.end());
  c.init = nn::parse_initializer(init);
  c.seed = seed;
  c.patience = patience;
  return c;
}

void add_model_options(CLI::App& cmd, TrainOptions& o) {
  cmd.add_option("--model", o.model, "Preset (mlp, cnn, cifar-cnn) or a model JSON file")->capture_default_str();
  cmd.add_option("--hidden", o.hidden, "Width of the preset's hidden dense layer ($hidden)");
  cmd.add_option("--dropout", o.dropout, "Dropout rate of the preset's dropout layer ($dropout)");
  cmd.add_option("--device", o.device, "Device index or name substring (see `vktrain devices`)");
  cmd.add_option("--autotune", o.autotune,
                 "Kernel choice: off (defaults), cached (measured winners from ~/.cache/vktrain only), full "
                 "(measure what the cache lacks, on first use)")
      ->check(CLI::IsMember({"off", "cached", "full"}))
      ->capture_default_str();
}

ContextOptions context_options(const TrainOptions& o) {
  ContextOptions co;
  co.device = o.device;
  co.autotune = parse_autotune_mode(o.autotune);
  return co;
}

namespace {

CLI::Validator finite_number(bool zero_ok) {
  return CLI::Validator(
      [zero_ok](std::string& text) -> std::string {
        double v = 0;
        size_t used = 0;
        try {
          v = std::stod(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used != text.size() || text.empty() || !std::isfinite(v))
          return "must be a finite number, got '" + text + "'";
        if (v < 0 || (!zero_ok && v == 0))
          return std::string(zero_ok ? "must not be negative" : "must be above 0") + ", got " + text;
        return "";
      },
      "", zero_ok ? "non-negative" : "positive");
}

}  // namespace

const CLI::Validator kPositive = finite_number(false);
const CLI::Validator kNonNegative = finite_number(true);

void add_data_options(CLI::App& cmd, DataOptions& o) {
  cmd.add_option("--dataset", o.dataset, "mnist, fashion-mnist or cifar10")->capture_default_str();
  cmd.add_option("--data", o.dir, "Directory with the data set's files (default: the Debian package's)");
  cmd.add_option("--val-split", o.val_split, "Fraction of the training set held out for validation")
      ->check(CLI::Range(0.0, 0.99))
      ->capture_default_str();
  cmd.add_option("--train-limit", o.train_limit, "Train on the first N training images only")
      ->check(CLI::Range(1u, 1000000000u));
  cmd.add_option("--data-on", o.data_on,
                 "device (upload the images once), or host (keep them in host memory and stream each "
                 "batch through two small staging buffers, for a device with too little memory)")
      ->check(CLI::IsMember({"device", "host"}))
      ->capture_default_str();
}

void add_cv_option(CLI::App& cmd, DataOptions& o) {
  cmd.add_option("--cv", o.cv_folds,
                 "K-fold cross-validation over the training set (the value: the mean over folds; "
                 "--val-split is then unused, the test set untouched)")
      ->check(CLI::Range(2u, 100u));
}

void add_hyperparameter_options(CLI::App& cmd, TrainOptions& o) {
  cmd.add_option("--epochs", o.epochs, "Epochs")->check(CLI::Range(1u, 100000u))->capture_default_str();
  cmd.add_option("--batch", o.batch, "Batch size")->check(CLI::Range(1u, 65536u))->capture_default_str();
  cmd.add_option("--lr", o.lr, "Learning rate")->check(kPositive)->capture_default_str();
  cmd.add_option("--optimizer", o.optimizer, "sgd, momentum, nesterov, adam, adamw, rmsprop, adagrad")->capture_default_str();
  cmd.add_option("--momentum", o.momentum, "SGD momentum (momentum/nesterov default 0.9)")->check(CLI::Range(0.0, 1.0));
  cmd.add_option("--eps", o.eps, "Adam, RMSprop, Adagrad: the denominator's epsilon (default 1e-7)")
      ->check(kNonNegative);
  cmd.add_option("--initial-accumulator", o.initial_accumulator,
                 "Adagrad: the sum of squares every parameter starts from (default 0.1)")
      ->check(kNonNegative);
  cmd.add_option("--weight-decay", o.weight_decay, "Weight decay (decoupled for adamw)")->check(kNonNegative);
  cmd.add_option("--l1", o.l1, "L1 penalty on weights (Keras kernel_regularizer)")->check(kNonNegative);
  cmd.add_option("--l2", o.l2, "L2 penalty on weights (Keras kernel_regularizer)")->check(kNonNegative);
  cmd.add_option("--clip-norm", o.clip_norm, "Clip the global gradient norm to this (0: off)")
      ->check(kNonNegative);
  cmd.add_option("--schedule", o.schedule,
                 "constant, step, exp, inverse-time, cosine, linear, or plateau (on the validation loss)")
      ->capture_default_str();
  cmd.add_option("--decay", o.decay, "Schedule rate: step/exp factor gamma, inverse-time alpha")
      ->check(kNonNegative);
  cmd.add_option("--decay-steps", o.decay_steps, "Schedule time scale in steps (default: one epoch)")
      ->check(kNonNegative);
  cmd.add_option("--final-lr-ratio", o.final_lr_ratio, "linear, cosine: the last rate as a fraction of --lr, in [0, 1] (default 0)")
      ->check(kNonNegative);
  cmd.add_option("--plateau-patience", o.plateau_patience,
                 "plateau: epochs without a lower validation loss before the rate drops (default 10)")
      ->check(CLI::Range(1u, 100000u));
  cmd.add_option("--factor", o.factor, "plateau: the rate is multiplied by this, in (0, 1), on a plateau (default 0.1)")
      ->check(kPositive);
  cmd.add_option("--min-lr", o.min_lr, "plateau: the rate never drops below this (default 0)")->check(kNonNegative);
  cmd.add_option("--plateau-min-delta", o.plateau_min_delta,
                 "plateau: a validation loss lower by more than this counts as better (default 1e-4)")
      ->check(kNonNegative);
  cmd.add_option("--warmup", o.warmup, "Linear learning-rate warm-up steps")->check(CLI::Range(int64_t{0}, int64_t{1000000000}));
  cmd.add_option("--loss", o.loss, "cross_entropy, or mse (on the one-hot labels, as Keras's loss=\"mse\")")
      ->capture_default_str();
  cmd.add_option("--init-from", o.init_from,
                 "Start from these weights (safetensors with the model's PyTorch names, ours or PyTorch's) "
                 "instead of --init: fine-tuning")
      ->check(kNotEmpty);
  cmd.add_option("--freeze", o.freeze,
                 "Keep these layers' parameters fixed, e.g. 0,3 (indices as in the tensor names; leading "
                 "layers only): no gradient or optimizer work for them")
      ->delimiter(',');
  cmd.add_option("--augment", o.augment,
                 "Random transforms of training images on the device: a comma list of crop:N (pad N, "
                 "crop back), flip (horizontal), rotate:DEG, scale:S; none")
      ->capture_default_str();
  cmd.add_option("--init", o.init, "glorot_uniform or he_normal")->capture_default_str();
  cmd.add_option("--seed", o.seed, "Seed for initialization, shuffling and dropout")->capture_default_str();
  cmd.add_option("--patience", o.patience, "Stop after N epochs without validation improvement (0: never)");
}

}  // namespace vkt::app
