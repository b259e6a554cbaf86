#include "apps/train_objective.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "nn/checkpoint/training_state.hpp"
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

TrainObjective::TrainObjective(Context& ctx, std::shared_ptr<const nn::DeviceData> data, TrainOptions base,
                               std::string objective, std::filesystem::path checkpoint_dir)
    : ctx_(ctx),
      data_(std::move(data)),
      base_(std::move(base)),
      objective_(std::move(objective)),
      checkpoint_dir_(std::move(checkpoint_dir)) {}

tune::TrialResult TrainObjective::run(const tune::TrialContext& trial) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  TrainOptions o = apply_params(base_, trial.params);
  if (!trial.params.count("epochs")) o.epochs = static_cast<uint32_t>(trial.epochs);
  o.seed = trial.seed;
  nn::TrainConfig cfg = o.config(data_->train->count() / std::max<uint32_t>(o.batch, 1));
  nn::Trainer trainer(ctx_, cfg, data_);
  if (!trial.resume_checkpoint.empty())
    trainer.restore(nn::read_training_state(trial.resume_checkpoint), trial.resume_checkpoint);

  const double setup_s = std::chrono::duration<double>(Clock::now() - t0).count();
  const bool loss_objective = objective_ == "val_loss";
  double value = std::nan("");
  double training_s = 0;
  // VKTRAIN_TRIAL_TIMING=1: where a trial's time goes (bench/tune_samplers.sh reads it).
  const char* timing = std::getenv("VKTRAIN_TRIAL_TIMING");
  auto report_timing = [&] {
    if (timing && *timing == '1')
      std::fprintf(stderr, "trial %lld timing: setup %.3f s, training %.3f s, other %.3f s\n",
                   static_cast<long long>(trial.trial_id), setup_s, training_s,
                   std::chrono::duration<double>(Clock::now() - t0).count() - setup_s - training_s);
  };
  if (!trial.resume_checkpoint.empty()) {
    // The process that wrote the checkpoint may have died before journaling its epoch (the
    // file is written, then recorded, then the epoch reported). Report the restored epoch
    // again from a fresh validation pass: the curve then has every epoch, and a trial whose
    // last epoch was already trained still ends with its value. Same weights, same value;
    // the training loss of that epoch is not in the checkpoint, so it is reported as NaN.
    const nn::EvalStats v = trainer.evaluate_val();
    value = loss_objective ? v.loss : v.accuracy;
    if (trial.report && !trial.report(static_cast<int>(trainer.epoch()), value, std::nan(""))) return {value};
  }
  while (trainer.epoch() < cfg.epochs) {
    const nn::EpochStats e = trainer.train_epoch();
    training_s += e.seconds;
    if (e.diverged) return {std::nan("")};
    value = loss_objective ? e.val.loss : e.val.accuracy;
    const std::filesystem::path ckpt = checkpoint_dir_ / ("trial-" + std::to_string(trial.trial_id) + ".state");
    nn::write_training_state(ckpt, trainer.state());
    if (trial.checkpoint_written) trial.checkpoint_written(static_cast<int>(e.epoch), ckpt.string());
    if (trial.report && !trial.report(static_cast<int>(e.epoch), value, e.loss)) break;
  }
  report_timing();
  return {value};
}

}  // namespace vkt::app
