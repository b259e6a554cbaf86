#include "apps/train_objective.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "apps/patience.hpp"
#include "nn/checkpoint/training_state.hpp"
#include "nn/data/folds.hpp"
#include "nn/log/tensorboard.hpp"
#include "nn/train/trainer.hpp"
#include "util/error.hpp"

namespace vkt::app {

TrainOptions apply_params(const TrainOptions& base, const tune::Params& params) {
  TrainOptions o = base;
  CLI::App parser("trial parameters");
  add_model_options(parser, o);
  add_hyperparameter_options(parser, o);
  std::vector<std::string> args;
  for (const auto& [key, value] : params) {
    std::string flag = "--" + key;
    for (auto& ch : flag)
      if (ch == '_') ch = '-';
    if (parser.get_option_no_throw(flag) == nullptr) {  // not an option: a model variable
      o.vars_extra[key] = tune::value_to_json(value);
      continue;
    }
    args.push_back(flag);
    args.push_back(tune::to_string(value));
  }
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 parses a reversed vector
  try {
    parser.parse(reversed);
  } catch (const CLI::ParseError& e) {
    throw InputError(std::string("trial parameters: ") + e.what());
  }
  return o;
}

std::vector<std::pair<std::string, double>> epoch_scalars(const nn::EpochStats& e) {
  return {{"train/loss", e.loss},     {"train/accuracy", e.train_acc}, {"val/loss", e.val.loss},
          {"val/accuracy", e.val.accuracy}, {"lr", e.lr},              {"img_per_s", e.img_per_s}};
}

TrainObjective::TrainObjective(Context& ctx, TrialData data, TrainOptions base, std::string objective,
                               std::filesystem::path checkpoint_dir, uint64_t checkpoint_every)
    : ctx_(ctx),
      data_(std::move(data)),
      base_(std::move(base)),
      objective_(std::move(objective)),
      checkpoint_dir_(std::move(checkpoint_dir)),
      checkpoint_every_(checkpoint_every) {}

tune::TrialResult TrainObjective::run(const tune::TrialContext& trial) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  TrainOptions o = apply_params(base_, trial.params);
  if (!trial.params.count("epochs")) o.epochs = static_cast<uint32_t>(trial.epochs);
  o.seed = trial.seed;
  const uint32_t folds = std::max<uint32_t>(data_.cv_folds, 1);
  const int epochs = static_cast<int>(o.epochs);
  const bool loss_objective = objective_ == "val_loss";
  double setup_s = 0, training_s = 0;

  // Where a resumed trial picks up: the fold of its last checkpoint; earlier folds' results
  // come from the journal.
  const int resume_step = trial.resume_checkpoint.empty() ? 0 : trial.resume_epoch;
  const uint32_t first_fold = resume_step > 0 ? uint32_t((resume_step - 1) / epochs) : 0;
  fold_values_.clear();
  for (uint32_t f = 0; f < first_fold; ++f) {
    const auto it = trial.reported.find(int(f + 1) * epochs);
    if (it == trial.reported.end())
      throw Error("cannot resume trial " + std::to_string(trial.trial_id) + " in fold " + std::to_string(first_fold + 1) +
                  ": fold " + std::to_string(f + 1) + "'s result is not in the journal");
    fold_values_.push_back(it->second);
  }

  std::optional<nn::TensorBoardWriter> board;
  if (!tensorboard_dir_.empty()) {
    std::vector<std::pair<std::string, std::string>> shown;
    for (const auto& [name, v] : trial.params) shown.emplace_back(name, tune::to_display_string(v));
    board.emplace(tensorboard_dir_ / nn::tensorboard_trial_folder(trial.trial_id, shown));
  }
  double value = std::nan("");
  for (uint32_t f = first_fold; f < folds; ++f) {
    const auto ts = Clock::now();
    const int offset = int(f) * epochs;  // the step of this fold's epoch 0
    std::shared_ptr<const nn::DeviceData> data =
        data_.cv_folds
            ? std::make_shared<const nn::DeviceData>(
                  ctx_,
                  std::make_shared<const nn::DataSplits>(nn::cv_split(*data_.training, data_.cv_folds, f, data_.fold_seed)),
                  data_.fold_placement)
            : data_.splits;
    nn::TrainConfig cfg = o.config(data->train_count / std::max<uint32_t>(o.batch, 1));
    nn::Trainer trainer(ctx_, cfg, data);
    const bool resuming = f == first_fold && resume_step > 0;
    if (resuming) trainer.restore(nn::read_training_state(trial.resume_checkpoint), trial.resume_checkpoint);
    setup_s += std::chrono::duration<double>(Clock::now() - ts).count();

    // The epochs this fold already reported come from the journal; at an epoch boundary the
    // last of them is reported again below.
    Patience patience(o.patience, loss_objective);
    bool stale = false;
    const bool rereport = resuming && trainer.steps_in_epoch() == 0;
    for (int e = 1; e <= static_cast<int>(trainer.epoch()) - int(rereport); ++e)
      if (const auto it = trial.reported.find(offset + e); it != trial.reported.end()) stale = patience.stale_after(it->second);

    if (rereport) {
      // The process that wrote the checkpoint may have died before journaling its epoch (the
      // file is written, then recorded, then the epoch reported). Report the restored epoch
      // again from a fresh validation pass: the curve then has every epoch, and a trial whose
      // last epoch was already trained still ends with its value. Same weights, same value,
      // and the epoch's training loss from the checkpoint's sums.
      const nn::EvalStats v = trainer.evaluate_val();
      value = loss_objective ? v.loss : v.accuracy;
      if (trial.report && !trial.report(offset + static_cast<int>(trainer.epoch()), value, trainer.epoch_loss()))
        return {value};
      stale = patience.stale_after(value);
    }
    // Written after an epoch as its step, mid-epoch as the step of the epoch in progress: the
    // fold of the last checkpoint is then (step - 1) / E either way. A state restored
    // mid-epoch was journaled after its epoch's predecessor was reported, so nothing is
    // reported again for it above.
    const auto ckpt = checkpoint_dir_ / ("trial-" + std::to_string(trial.trial_id) + ".state");
    auto write_checkpoint = [&](int step) {
      nn::write_training_state(ckpt, trainer.state());
      if (trial.checkpoint_written) trial.checkpoint_written(step, ckpt.string());
    };
    const uint64_t every = checkpoint_dir_.empty() ? 0 : checkpoint_every_;
    while (!stale && trainer.epoch() < cfg.epochs) {
      const nn::EpochStats e =
          trainer.train_epoch({}, every, [&] { write_checkpoint(offset + static_cast<int>(trainer.epoch()) + 1); });
      training_s += e.seconds;
      if (e.diverged) return {std::nan("")};
      value = loss_objective ? e.val.loss : e.val.accuracy;
      const int step = offset + static_cast<int>(e.epoch);
      if (board) board->scalars(step, epoch_scalars(e));
      if (!checkpoint_dir_.empty()) write_checkpoint(step);
      if (trial.report && !trial.report(step, value, e.loss)) return {value};
      stale = patience.stale_after(value);
    }
    fold_values_.push_back(value);
  }
  // VKTRAIN_TRIAL_TIMING=1: where a trial's time goes (bench/tune_samplers.sh reads it).
  if (const char* timing = std::getenv("VKTRAIN_TRIAL_TIMING"); timing && *timing == '1')
    std::fprintf(stderr, "trial %lld timing: setup %.3f s, training %.3f s, other %.3f s\n",
                 static_cast<long long>(trial.trial_id), setup_s, training_s,
                 std::chrono::duration<double>(Clock::now() - t0).count() - setup_s - training_s);
  double sum = 0;
  for (double v : fold_values_) sum += v;
  return {sum / double(fold_values_.size())};
}

}  // namespace vkt::app
