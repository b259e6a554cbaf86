// `vktrain train`: train a model on a data set, print progress, save weights and state.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "apps/commands.hpp"
#include "apps/patience.hpp"
#include "apps/train_objective.hpp"
#include "apps/train_options.hpp"
#include "nn/checkpoint/safetensors.hpp"
#include "nn/checkpoint/training_state.hpp"
#include "nn/log/tensorboard.hpp"
#include "nn/train/memory_plan.hpp"
#include "nn/train/trainer.hpp"
#include "runtime/allocator.hpp"
#include "runtime/context.hpp"
#include "util/error.hpp"
#include "util/file_io.hpp"
#include "util/format.hpp"

namespace vkt::app {
namespace {

struct TrainCommand {
  TrainOptions o;
  bool print_model = false, print_plan = false, json = false;
  std::string save, checkpoint, resume, log, tensorboard;
  std::string max_device_memory;  // a size (parse_bytes); empty: the device's memory heap
  uint64_t checkpoint_every = 0;  // optimizer steps between mid-epoch checkpoints; 0: epoch ends only
};

void draw_progress(const nn::Progress& p, uint32_t epochs) {
  const int width = 30;
  const int filled = p.steps ? int(width * p.step / p.steps) : width;
  std::fprintf(stderr, "\repoch %u/%u [%.*s%*s] %llu/%llu  %.0f img/s  loss %.4f  acc %.4f  ETA %.0fs ", p.epoch + 1,
               epochs, filled, "##############################", width - filled, "",
               static_cast<unsigned long long>(p.step), static_cast<unsigned long long>(p.steps), p.img_per_s, p.loss,
               p.accuracy, p.eta_s);
  std::fflush(stderr);
}

// `train --cv K`: the same K-fold run a cross-validated tuning trial makes (train_objective.hpp),
// printed fold by fold. Each fold trains its own model, so there is no one model to save or
// resume, and the test set is not touched.
int run_train_cv(const TrainCommand& c) {
  for (const auto& [given, flag] : {std::pair{!c.save.empty(), "--save"}, std::pair{!c.checkpoint.empty(), "--checkpoint"},
                                    std::pair{!c.resume.empty(), "--resume"}, std::pair{!c.log.empty(), "--log"},
                                    std::pair{!c.tensorboard.empty(), "--tensorboard"}})
    if (given)
      throw InputError(std::string("--cv cannot be combined with ") + flag +
                       " (each fold trains its own model; train without --cv for one to keep)");
  const nn::DataSplits data = c.o.data.load();
  Context ctx(context_options(c.o));
  TrialData folds;
  folds.training = std::make_shared<const nn::Dataset>(data.train);
  folds.cv_folds = c.o.data.cv_folds;
  folds.fold_placement = c.o.data.placement();
  folds.fold_seed = c.o.seed;
  TrainObjective objective(ctx, folds, c.o, "val_acc", "");
  tune::TrialContext trial;
  trial.seed = c.o.seed;
  trial.epochs = static_cast<int>(c.o.epochs);
  const int epochs = trial.epochs;
  trial.report = [&](int step, double value, double loss) {
    if (!c.json)
      std::printf("fold %d/%u  epoch %d/%d  loss %.4f  val_acc %.4f\n", (step - 1) / epochs + 1, folds.cv_folds,
                  (step - 1) % epochs + 1, epochs, loss, value);
    std::fflush(stdout);
    return std::isfinite(value);
  };
  const tune::TrialResult result = objective.run(trial);
  const std::vector<double>& values = objective.fold_values();
  if (!std::isfinite(result.value) || values.size() != folds.cv_folds) {
    std::cerr << "vktrain: error: training diverged in fold " << values.size() + 1
              << " (the loss is not finite; hint: lower --lr or set --clip-norm)\n";
    return 1;
  }
  double var = 0;
  for (double v : values) var += (v - result.value) * (v - result.value) / double(values.size());
  if (c.json) {
    std::cout << nlohmann::json{{"status", "ok"},        {"cv_folds", folds.cv_folds}, {"epochs", epochs},
                                {"fold_val_acc", values}, {"val_acc_mean", result.value}, {"val_acc_std", std::sqrt(var)}}
                     .dump()
              << "\n";
  } else {
    std::printf("cv: val_acc %.4f +- %.4f (mean and standard deviation over %u folds)\n", result.value, std::sqrt(var),
                folds.cv_folds);
  }
  return 0;
}

// "a, b x3, c": a kernel list with repeats folded.
std::string kernel_list(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < names.size();) {
    size_t j = i;
    while (j < names.size() && names[j] == names[i]) ++j;
    s += (s.empty() ? "" : ", ") + names[i] + (j - i > 1 ? " x" + std::to_string(j - i) : "");
    i = j;
  }
  return s.empty() ? "-" : s;
}

// `train --print-plan`: each run of the training graph, the route its plan took, its layouts
// and the kernels it records.
void print_plan(const Context& ctx, const std::vector<nn::Graph::RunPlan>& runs, bool json) {
  const auto layout = [](bool channels_last) { return channels_last ? "NHWC" : "NCHW"; };
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : runs)
      out.push_back({{"layers", {r.first_layer, r.last_layer}},
                     {"run", r.layers},
                     {"route", r.choice},
                     {"x_layout", layout(r.x_channels_last)},
                     {"y_layout", layout(r.y_channels_last)},
                     {"forward", r.forward},
                     {"backward", r.backward}});
    std::cout << nlohmann::json{{"device", ctx.info().name}, {"autotune", autotune_mode_name(ctx.policy().autotune)},
                                {"runs", out}}
                     .dump(1)
              << "\n";
    return;
  }
  std::printf("plan on %s, --autotune %s\n", ctx.info().name.c_str(), autotune_mode_name(ctx.policy().autotune).c_str());
  for (const auto& r : runs) {
    const std::string where = r.first_layer == r.last_layer ? std::to_string(r.first_layer)
                                                            : std::to_string(r.first_layer) + "-" + std::to_string(r.last_layer);
    std::printf("%-5s %-24s %-13s %s -> %s\n", where.c_str(), r.layers.c_str(), r.choice.empty() ? "-" : r.choice.c_str(),
                layout(r.x_channels_last), layout(r.y_channels_last));
    std::printf("      forward:  %s\n", kernel_list(r.forward).c_str());
    if (!r.backward.empty()) std::printf("      backward: %s\n", kernel_list(r.backward).c_str());
  }
}

nn::DataShape shape_of(const nn::DataSplits& d) {
  return {d.train.channels, d.train.height, d.train.width, d.train.classes, d.train.count, d.val.count, d.test.count};
}

// The run's device memory (nn/train/memory_plan.hpp) against what it may take: the
// --max-device-memory given, else the device's largest memory heap. The allocator then refuses
// to pass that limit, so a run that the plan let through cannot fail mid-run in the driver.
struct MemoryBudget {
  nn::MemoryPlan plan;
  uint64_t limit = 0;
  bool given = false;
};

MemoryBudget check_device_memory(Context& ctx, const TrainCommand& c, const nn::TrainConfig& cfg,
                                 const nn::DataSplits& data) {
  MemoryBudget b;
  b.given = !c.max_device_memory.empty();
  b.limit = b.given ? parse_bytes(c.max_device_memory, "--max-device-memory") : ctx.info().device_local_heap_bytes();
  b.plan = nn::plan_device_memory(ctx, cfg, shape_of(data), c.o.data.placement());
  if (b.limit && b.plan.peak > b.limit) {
    std::string parts;
    for (size_t k = 0; k < kMemoryKinds; ++k)
      if (b.plan.steady.bytes[k])
        parts += (parts.empty() ? "" : ", ") + std::string(memory_kind_name(MemoryKind(k))) + " " +
                 format_bytes(b.plan.steady.bytes[k]);
    throw InputError("the run needs " + format_bytes(b.plan.peak) + " of device memory (" + parts + "), more than the " +
                         format_bytes(b.limit) + (b.given ? " --max-device-memory allows" : " of " + ctx.info().name + "'s memory heap"),
                     c.o.data.placement() == nn::DataPlacement::Device
                         ? "use --data-on host (the images stay in host memory), a smaller --batch, or a smaller model"
                         : "use a smaller --batch or a smaller model");
  }
  if (b.limit) ctx.allocator().set_limit(b.limit);
  return b;
}

void print_memory_plan(const Context& ctx, const MemoryBudget& b, uint32_t batch) {
  std::printf("\ndevice memory on %s at batch %u:\n", ctx.info().name.c_str(), batch);
  for (size_t k = 0; k < kMemoryKinds; ++k)
    if (const uint64_t v = b.plan.steady.bytes[k])
      std::printf("  %-22s %12s\n", memory_kind_name(MemoryKind(k)), format_bytes(v).c_str());
  if (const uint64_t borrowed = b.plan.peak - std::min(b.plan.peak, b.plan.steady.total()))
    std::printf("  %-22s %12s  (while --autotune measures kernels)\n", "kernel measurement", format_bytes(borrowed).c_str());
  std::printf("  %-22s %12s  of %s (%s)\n", "total", format_bytes(b.plan.peak).c_str(), format_bytes(b.limit).c_str(),
              b.given ? "--max-device-memory" : "the device's memory heap");
}

int run_train(const TrainCommand& c) {
  const auto& o = c.o;
  if (o.patience && o.data.val_split == 0 && !o.data.cv_folds)
    throw InputError("--patience watches the validation accuracy, but --val-split 0 leaves no validation set",
                     "hold out a fraction, e.g. --val-split 0.1");
  if (o.schedule == "plateau" && o.data.val_split == 0 && !o.data.cv_folds)
    throw InputError("--schedule plateau watches the validation loss, but --val-split 0 leaves no validation set",
                     "hold out a fraction, e.g. --val-split 0.1");
  // Every output is checked before any work: a bad path found after training loses the run.
  for (const std::string* out : {&c.save, &c.checkpoint, &c.log})
    if (!out->empty()) check_writable_target(*out);
  if (o.data.cv_folds && !c.print_model) return run_train_cv(c);
  if (!c.max_device_memory.empty()) parse_bytes(c.max_device_memory, "--max-device-memory");  // before any work
  if (c.print_model) std::cout << o.host_model().summary() << std::flush;
  const auto loaded = std::make_shared<const nn::DataSplits>(o.data.load());
  const nn::DataSplits& data = *loaded;
  const nn::TrainConfig cfg = o.config(data.train.count / std::max<uint32_t>(o.batch, 1));
  Context ctx(context_options(o));
  const MemoryBudget budget = check_device_memory(ctx, c, cfg, data);
  if (c.print_model) {
    print_memory_plan(ctx, budget, cfg.batch);
    return 0;
  }
  nn::Trainer trainer(ctx, cfg, std::make_shared<const nn::DeviceData>(ctx, loaded, o.data.placement()));
  if (c.print_plan) {
    print_plan(ctx, trainer.describe_plan(), c.json);
    return 0;
  }
  if (const char* prof = std::getenv("VKTRAIN_PROFILE"); prof && *prof && *prof != '0') {
    // Developer aid: where one training step's device time goes, then exit.
    double total = 0;
    const auto timings = trainer.profile_step(2, std::string(prof) == "2");  // 2: every dispatch
    for (const auto& t : timings) total += t.ms;
    for (const auto& t : timings) std::printf("%-28s %9.3f ms  %5.1f%%\n", t.label.c_str(), t.ms, 100 * t.ms / total);
    std::printf("%-28s %9.3f ms  (%.0f img/s at batch %u)\n", "step", total, 1000.0 * cfg.batch / total, cfg.batch);
    return 0;
  }
  if (!c.resume.empty()) trainer.restore(nn::read_training_state(c.resume), c.resume);

  // The log is rewritten whole (atomically) after each epoch, and not at all before the first
  // epoch that has something to say: a run that fails early leaves an existing log as it was.
  // A resumed run keeps what the log held and adds to it.
  std::string log_text;
  if (!c.log.empty() && !c.resume.empty() && std::filesystem::exists(c.log)) {
    const std::vector<uint8_t> old = read_file(c.log);
    log_text.assign(old.begin(), old.end());
    if (!log_text.empty() && log_text.back() != '\n') log_text += '\n';
  }
  const bool tty = ::isatty(STDERR_FILENO) && !c.json;
  std::string status = "ok";
  double last_img_per_s = 0;
  Patience patience(cfg.patience, /*minimize=*/false);  // on the validation accuracy
  std::optional<nn::TensorBoardWriter> board;
  if (!c.tensorboard.empty()) board.emplace(c.tensorboard);
  nn::EvalStats last_val;
  auto write_checkpoint = [&] { nn::write_training_state(c.checkpoint, trainer.state()); };
  while (trainer.epoch() < cfg.epochs) {
    const nn::EpochStats e =
        trainer.train_epoch(tty ? std::function<void(const nn::Progress&)>(
                                      [&](const nn::Progress& p) { draw_progress(p, cfg.epochs); })
                                : nullptr,
                            c.checkpoint_every, write_checkpoint);
    if (tty) std::fprintf(stderr, "\n");
    if (e.diverged) {
      status = "diverged";
      break;
    }
    last_img_per_s = e.img_per_s;
    last_val = e.val;
    const bool penalized = cfg.optimizer.l1 > 0 || cfg.optimizer.l2 > 0;
    if (!c.json) {
      std::printf("epoch %u/%u  loss %.4f  train_acc %.4f  val_loss %.4f  val_acc %.4f  %.1fs  %.0f img/s", e.epoch,
                  cfg.epochs, e.loss, e.train_acc, e.val.loss, e.val.accuracy, e.seconds, e.img_per_s);
      if (penalized) std::printf("  l1/l2 penalty %.4g (not in loss)", e.penalty);
      std::printf("\n");
    }
    std::fflush(stdout);
    if (!c.log.empty()) {
      nlohmann::json row = {{"epoch", e.epoch},       {"loss", e.loss},        {"train_acc", e.train_acc},
                            {"val_loss", e.val.loss}, {"val_acc", e.val.accuracy}, {"seconds", e.seconds},
                            {"img_per_s", e.img_per_s}, {"lr", e.lr}};
      if (penalized) row["penalty"] = e.penalty;
      log_text += row.dump();
      log_text += '\n';
      write_file_atomic(c.log, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(log_text.data()), log_text.size()));
    }
    if (board) board->scalars(e.epoch, epoch_scalars(e));
    if (!c.checkpoint.empty()) write_checkpoint();
    if (!e.val.finite) {
      status = "diverged";
      break;
    }
    if (patience.stale_after(e.val.accuracy) && trainer.epoch() < cfg.epochs) {
      status = "stopped_early";
      break;
    }
  }
  nn::EvalStats test;
  if (status != "diverged") test = trainer.evaluate_test();
  if (!c.save.empty() && status != "diverged") {
    nlohmann::json meta = cfg.to_json();
    nn::write_safetensors(c.save, trainer.export_weights(), {{"vktrain_config", meta.dump()}, {"format", "pt"}});
  }
  if (c.json) {
    const MemoryAccountant memory = ctx.allocator().accountant();
    nlohmann::json by_kind = nlohmann::json::object();
    for (size_t k = 0; k < kMemoryKinds; ++k)
      if (memory.peak_by_kind().bytes[k]) by_kind[memory_kind_name(MemoryKind(k))] = memory.peak_by_kind().bytes[k];
    std::cout << nlohmann::json{{"status", status},
                                {"device_memory_bytes", memory.peak()},
                                {"device_memory_planned_bytes", budget.plan.peak},
                                {"device_memory", by_kind},
                                {"driver_memory_bytes", memory.driver_peak()},
                                {"epochs", trainer.epoch()},
                                {"test_acc", test.accuracy},
                                {"test_loss", test.loss},
                                {"val_acc", last_val.accuracy},
                                {"val_loss", last_val.loss},
                                {"img_per_s", last_img_per_s},
                                {"steps", trainer.step()}}
                     .dump()
              << "\n";
  } else if (status != "diverged") {
    std::printf("test_acc %.4f  test_loss %.4f  (%s after %u epoch%s)\n", test.accuracy, test.loss, status.c_str(),
                trainer.epoch(), trainer.epoch() == 1 ? "" : "s");
  }
  if (status == "diverged") {
    std::cerr << "vktrain: error: training diverged in epoch " << trainer.epoch() + 1
              << " (the loss is not finite; hint: lower --lr or set --clip-norm)\n";
    return 1;
  }
  return 0;
}

}  // namespace

void add_train_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("train", "Train a model (default: the seed CNN on Fashion-MNIST)");
  auto c = std::make_shared<TrainCommand>();
  add_model_options(*cmd, c->o);
  add_data_options(*cmd, c->o.data);
  add_cv_option(*cmd, c->o.data);
  add_hyperparameter_options(*cmd, c->o);
  cmd->add_flag("--print-model", c->print_model,
                "Print layers, output shapes, parameter counts and the device memory the run will take, then exit");
  cmd->add_option("--max-device-memory", c->max_device_memory,
                  "Device memory the run may take (e.g. 512M, 2GiB; default: the device's memory heap)");
  cmd->add_flag("--print-plan", c->print_plan,
                "Print each layer's route, layouts and kernels on this device (after --autotune), then exit");
  cmd->add_option("--save", c->save, "Write the final weights here (.safetensors, PyTorch names)")->check(kNotEmpty);
  cmd->add_option("--checkpoint", c->checkpoint, "Write the training state here after every epoch")->check(kNotEmpty);
  cmd->add_option("--checkpoint-every", c->checkpoint_every,
                  "Also write the training state every STEPS optimizer steps, mid-epoch (resumes there)")
      ->check(CLI::PositiveNumber)
      ->needs(cmd->get_option("--checkpoint"));
  cmd->add_option("--resume", c->resume, "Continue from a --checkpoint file (at an epoch end or mid-epoch)")->check(kNotEmpty);
  cmd->add_option("--log", c->log, "Write one JSON object per epoch here (.jsonl)")->check(kNotEmpty);
  cmd->add_option("--tensorboard", c->tensorboard,
                  "Write TensorBoard event files here: losses, accuracies, lr and img/s per epoch")
      ->check(kNotEmpty);
  cmd->add_flag("--json", c->json, "Print one final JSON object instead of text");
  cmd->callback([c, &exit_code] { exit_code = run_train(*c); });
}

}  // namespace vkt::app
