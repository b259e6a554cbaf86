// `vktrain tune`: a hyperparameter study. Trials are `vktrain train` runs, or with --command
// runs of any program (tuning/command_objective.hpp: no data, no device); every trial and
// every epoch is journaled (tuning/storage/), so a killed study resumes where it stopped
// and several processes (--workers, or several shells) can share one study: a journal file,
// or a PostgreSQL database (--study postgresql://...) for processes on several hosts.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "apps/commands.hpp"
#include "apps/train_objective.hpp"
#include "nn/train/trainer.hpp"
#include "runtime/context.hpp"
#include "tuning/command_objective.hpp"
#include "tuning/pruners/factory.hpp"
#include "tuning/report.hpp"
#include "tuning/samplers/factory.hpp"
#include "tuning/space.hpp"
#include "tuning/storage/open_storage.hpp"
#include "tuning/study.hpp"
#include "util/error.hpp"
#include "util/format.hpp"
#include "util/json_input.hpp"

namespace vkt::app {
namespace {

struct TuneCommand {
  TrainOptions o;
  std::vector<std::string> train_args;  // the train options given on the command line, as given
  std::string space, study, sampler = "tpe", pruner = "none", objective = "val_acc";
  int64_t trials = 10;
  int workers = 1;
  bool json = false, refit = false;
  // A --command study; `direction` is "" when not given (then the objective's, or maximize).
  std::string command, direction;
  double trial_timeout = 0;
  uint64_t checkpoint_every = 0;  // a trial's mid-epoch checkpoints, in optimizer steps
  std::string tensorboard;        // a folder per trial of TensorBoard event files, here
  bool objective_given = false;
  tune::storage::StorageOptions storage;
};

nlohmann::json name_or_json(const std::string& text, const char* what) {
  if (!text.empty() && text.front() == '{') {
    const std::optional<nlohmann::json> j = try_parse_json(text);
    if (!j) throw InputError(std::string(what) + ": not valid JSON: " + shortened(text));
    return *j;
  }
  return text;
}

// Worker i's device: the one asked for, else the i-th of the best kind (several GPUs share
// the work; one device is shared by all workers).
std::string worker_device(const std::string& asked, int worker) {
  if (!asked.empty()) return asked;
  const Instance instance(false);
  const uint32_t best = choose_device(instance.devices(), "");
  std::vector<uint32_t> same;
  for (const auto& d : instance.devices())
    if (d.type == instance.devices()[best].type && d.supports_vulkan_1_1()) same.push_back(d.index);
  return std::to_string(same[worker % same.size()]);
}

// What defines the study, from the command line: the space, its settings, sampler and pruner.
struct StudySetup {
  tune::Space space;
  tune::StudySettings settings;
  std::unique_ptr<tune::Sampler> sampler;
  std::unique_ptr<tune::Pruner> pruner;
};

StudySetup study_setup(const TuneCommand& c) {
  StudySetup s{tune::Space::load(c.space), {}, nullptr, nullptr};
  s.settings.trials = c.trials;
  s.settings.direction = !c.direction.empty() ? tune::parse_direction(c.direction)
                         : c.command.empty() && c.objective == "val_loss" ? tune::Direction::Minimize
                                                                          : tune::Direction::Maximize;
  s.settings.command = c.command;
  s.settings.epochs = static_cast<int>(c.o.epochs);
  s.settings.seed = c.o.seed;
  s.settings.train_args = c.train_args;
  s.settings.cv_folds = int(c.o.data.cv_folds);
  s.sampler = tune::make_sampler(name_or_json(c.sampler, "--sampler"), s.space, c.o.seed);
  s.pruner = tune::make_pruner(name_or_json(c.pruner, "--pruner"),
                              s.settings.epochs * std::max(1, s.settings.cv_folds));
  return s;
}

// Each parameter's values at the edges: its bounds, or every choice.
std::vector<tune::Value> edge_values(const tune::Parameter& p) {
  switch (p.type) {
    case tune::ParamType::Float:
      return {tune::Value(p.low), tune::Value(p.high)};
    case tune::ParamType::Int: {
      const auto low = static_cast<int64_t>(p.low);
      return {tune::Value(low), tune::Value(low + (static_cast<int64_t>(p.high) - low) / p.step * p.step)};
    }
    case tune::ParamType::Categorical:
      break;
  }
  return p.choices;
}

// A space whose settings cannot train (a key that is no option and no model variable, a value
// of the wrong type or range) would fail every trial of the study. Before any runs, build the
// model of the space's first corner (each parameter at its first edge value) and of each
// parameter moved to its other edge values in turn; the first that fails is the error. Only
// the options and the model are checked: a setting the device cannot run still fails its trial.
void check_space_trains(const TuneCommand& c, const tune::Space& space) {
  const auto corner = [&](const std::string& moved, const tune::Value* value) {
    tune::Params p;
    for (const tune::Parameter& q : space.parameters())
      if (space.is_active(q, p)) p[q.name] = q.name == moved ? *value : edge_values(q).front();
    return space.with_fixed(p);
  };
  const auto check = [&](const tune::Params& params, const std::string& which) {
    try {
      apply_params(c.o, params).host_model();
    } catch (const InputError& e) {
      throw InputError("--space " + c.space + ": " + which + " cannot train: " + e.what(),
                       "every trial of the study would fail; fix the key or its range");
    }
  };
  const tune::Params first = corner("", nullptr);
  std::string first_text;
  for (const tune::Parameter& q : space.parameters())
    if (first.count(q.name)) {
      first_text += first_text.empty() ? "" : " ";
      first_text += q.name;
      first_text += '=';
      first_text += tune::to_string(first.at(q.name));
    }
  check(first, first_text.empty() ? std::string("a trial of its fixed values") : "a trial with " + first_text);
  for (const tune::Parameter& q : space.parameters()) {
    const auto values = edge_values(q);
    for (size_t i = 1; i < values.size(); ++i)
      check(corner(q.name, &values[i]), "a trial with " + q.name + "=" + tune::to_string(values[i]));
  }
}

// Runs this process's share of the study, printing a line per trial it finishes.
tune::StudyOutcome run_share(const TuneCommand& c, StudySetup& setup, tune::Objective& objective) {
  tune::StudySettings& st = setup.settings;
  auto journal = tune::open_study(c.study, setup.space, st, *setup.sampler, *setup.pruner, c.storage);
  tune::StudyCallbacks cb;
  cb.on_trial_finished = [&](const tune::TrialSummary& s) {
    if (!c.json) {
      std::printf("%s\n", tune::format_trial_line(s).c_str());
      std::fflush(stdout);
    }
  };
  return tune::run_study(*journal, setup.space, *setup.sampler, *setup.pruner, st, objective, cb);
}

// Once every worker of this command has stopped: the best trial as a train command (for a
// --command study, its params), or with --json the report (with --refit, refit_best prints it).
void print_summary(const TuneCommand& c, const tune::StudyOutcome& outcome) {
  StudySetup setup = study_setup(c);
  const tune::StudySettings& st = setup.settings;
  auto journal = tune::open_study(c.study, setup.space, st, *setup.sampler, *setup.pruner, c.storage);
  if (c.json) {
    if (!c.refit) std::cout << tune::report_json(journal->state(), st.direction).dump() << "\n";
    return;
  }
  std::printf("study %s: %zu trials%s\n", journal->display_name().c_str(), journal->state().trials.size(),
              outcome.sampler_exhausted ? " (the grid is exhausted)" : "");
  if (const tune::Trial* best = tune::best_trial(journal->state().trials, st.direction)) {
    std::string how;
    if (c.command.empty()) {
      how = tune::train_command(*best, journal->state().settings);
    } else {
      for (const auto& [name, value] : best->params)
        how += (how.empty() ? "" : " ") + name + "=" + tune::to_display_string(value);
    }
    std::printf("best: trial %lld value %.6g\n  %s\n", static_cast<long long>(best->id), best->value, how.c_str());
  }
}

tune::StudyOutcome run_worker(const TuneCommand& c, int worker) {
  StudySetup setup = study_setup(c);
  const auto host_data = std::make_shared<const nn::DataSplits>(c.o.data.load());
  ContextOptions co = context_options(c.o);
  co.device = worker_device(c.o.device, worker);
  Context ctx(co);
  setup.settings.worker = "w" + std::to_string(worker) + " " + ctx.info().name;
  TrialData data;
  if (c.o.data.cv_folds) {
    data.training = std::shared_ptr<const nn::Dataset>(host_data, &host_data->train);
    data.cv_folds = c.o.data.cv_folds;
    data.fold_seed = c.o.seed;
    data.fold_placement = c.o.data.placement();
  } else {
    data.splits = std::make_shared<const nn::DeviceData>(ctx, host_data, c.o.data.placement());
  }
  TrainObjective objective(ctx, data, c.o, c.objective, tune::storage::checkpoint_dir(c.study), c.checkpoint_every);
  if (!c.tensorboard.empty()) objective.set_tensorboard(c.tensorboard);
  return run_share(c, setup, objective);
}

// A --command study's worker: no data is loaded and no device opened; each trial runs the
// command.
tune::StudyOutcome run_command_worker(const TuneCommand& c, int worker) {
  StudySetup setup = study_setup(c);
  setup.settings.worker = "w" + std::to_string(worker);
  tune::CommandObjective objective(c.command, setup.space, {c.trial_timeout});
  return run_share(c, setup, objective);
}

// Options that make no sense together: a --command study has no training to configure.
void check_study_kind(const TuneCommand& c) {
  if (c.command.empty()) {
    if (!c.direction.empty() && tune::parse_direction(c.direction) !=
                                    (c.objective == "val_loss" ? tune::Direction::Minimize : tune::Direction::Maximize))
      throw InputError("--direction " + c.direction + " disagrees with --objective " + c.objective +
                       " (val_acc is maximized, val_loss minimized); leave --direction out");
    if (c.trial_timeout > 0) throw InputError("--trial-timeout applies to --command studies only");
    return;
  }
  if (c.objective_given) throw InputError("--objective is for training studies; a --command study takes --direction");
  if (c.refit) throw InputError("--refit is for training studies, not --command ones");
  if (!c.train_args.empty())
    throw InputError(c.train_args.front() + " is a training option; a --command study puts its options in the command");
  if (!c.o.device.empty()) throw InputError("--device has no effect with --command");
  if (c.o.data.cv_folds) throw InputError("--cv has no effect with --command");
}

// GridSearchCV's refit: the best trial's setting trained on the whole training set (the
// validation split, or every fold, included), then evaluated once on the test set, which the
// study itself never touched. Journaled, so `vktrain report` shows it.
void refit_best(const TuneCommand& c) {
  StudySetup setup = study_setup(c);
  auto journal = tune::open_study(c.study, setup.space, setup.settings, *setup.sampler, *setup.pruner, c.storage);
  const tune::Trial* best = tune::best_trial(journal->state().trials, setup.settings.direction);
  if (!best) throw Error("--refit: the study has no complete trial to refit");
  const auto t0 = std::chrono::steady_clock::now();
  TrainOptions o = apply_params(c.o, best->params);
  if (!best->params.count("epochs")) o.epochs = static_cast<uint32_t>(setup.settings.epochs);
  o.seed = best->seed;
  DataOptions all = c.o.data;
  all.val_split = 0;
  all.cv_folds = 0;
  const nn::DataSplits data = all.load();
  if (data.test.count == 0) throw InputError("--refit: the data set has no test images");
  ContextOptions co = context_options(c.o);
  co.device = worker_device(c.o.device, 0);
  Context ctx(co);
  nn::Trainer trainer(ctx, o.config(data.train.count / std::max<uint32_t>(o.batch, 1)), data);
  while (trainer.epoch() < o.epochs)
    if (trainer.train_epoch().diverged) throw Error("--refit: training trial " + std::to_string(best->id) + "'s setting diverged");
  const nn::EvalStats test = trainer.evaluate_test();
  tune::RefitResult r;
  r.trial_id = best->id;
  r.train_images = data.train.count;
  r.epochs = o.epochs;
  r.test_accuracy = test.accuracy;
  r.test_loss = test.loss;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  journal->append(tune::storage::RefitFinished{r});
  if (c.json)
    std::cout << tune::report_json(journal->state(), setup.settings.direction).dump() << "\n";
  else
    std::printf("refit: trial %lld's setting on all %u training images, %u epochs: test_acc %.4f  test_loss %.4f  (%.1f s)\n",
                static_cast<long long>(r.trial_id), r.train_images, r.epochs, r.test_accuracy, r.test_loss, r.seconds);
}

int run_tune(const TuneCommand& c) {
  if (c.objective != "val_acc" && c.objective != "val_loss")
    throw InputError("--objective must be val_acc or val_loss, got '" + c.objective + "'");
  if (!c.direction.empty()) tune::parse_direction(c.direction);
  if (c.command.empty() && c.o.data.val_split == 0 && c.o.data.cv_folds == 0)
    throw InputError("--val-split 0 leaves no validation set, and trials are ranked by " + c.objective,
                     "hold out a fraction (--val-split 0.1) or cross-validate (--cv 5)");
  if (!c.command.empty() && !c.tensorboard.empty())
    throw InputError("--tensorboard logs vktrain's own trials; a --command program writes its own logs");
  check_study_kind(c);
  {  // Validate the space and open the study once, before any worker starts.
    const StudySetup setup = study_setup(c);
    if (c.command.empty()) check_space_trains(c, setup.space);
    if (!c.command.empty())  // before the study file is made: a bad template makes no study
      for (const std::string& name : tune::check_command_template(c.command, setup.space))
        std::fprintf(stderr, "vktrain: note: {%s} is conditional: it is empty in trials where it is inactive\n",
                     name.c_str());
    // Closed again before the fork: a child must open a study (file or connection) of its own.
    tune::open_study(c.study, setup.space, setup.settings, *setup.sampler, *setup.pruner, c.storage);
  }
  // Extra workers are processes, forked before any Vulkan object exists: the storage keeps
  // them from running the same trial, exactly as for studies shared by separate shells.
  std::vector<pid_t> children;
  for (int w = 1; w < c.workers; ++w) {
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid < 0) throw Error("fork failed");
    if (pid == 0) {
      int code = 1;
      try {
        c.command.empty() ? run_worker(c, w) : run_command_worker(c, w);
        code = 0;
      } catch (const std::exception& e) {
        std::fprintf(stderr, "vktrain: worker %d: error: %s\n", w, e.what());
      }
      std::fflush(nullptr);
      _exit(code);
    }
    children.push_back(pid);
  }
  const tune::StudyOutcome outcome = c.command.empty() ? run_worker(c, 0) : run_command_worker(c, 0);
  // The summary waits for the other workers: their trials are part of it.
  int code = 0;
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) code = 1;
  }
  if (code != 0) return code;
  print_summary(c, outcome);
  if (c.refit) refit_best(c);
  return 0;
}

}  // namespace

void add_tune_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("tune", "Search hyperparameters: a study of `vktrain train` trials, journaled");
  auto c = std::make_shared<TuneCommand>();
  cmd->add_option("--space", c->space, "Search space (JSON; see examples/)")->required();
  cmd->add_option("--study", c->study,
                  "Study journal (.vkts), or a PostgreSQL study "
                  "postgresql://[user[:password]@]host[:port]/dbname?study=NAME (the password may come from "
                  "PGPASSWORD or ~/.pgpass instead, and is never printed); an existing study is resumed")
      ->required();
  cmd->add_option("--storage-timeout", c->storage.timeout_s,
                  "Seconds to keep reconnecting, with backoff, when a PostgreSQL study's connection breaks")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e7));
  cmd->add_option("--heartbeat", c->storage.heartbeat_s,
                  "Seconds between renewals of a PostgreSQL study worker's lease; a worker silent for 3 of them "
                  "is presumed dead and its running trial resumed by another, on any host ($VKTRAIN_HOST_ID names "
                  "this host where hostnames are not unique)")
      ->capture_default_str()
      ->check(CLI::Range(0.05, 86400.0));
  cmd->add_option("--sampler", c->sampler, "tpe, gp, random, grid, genetic, or a JSON object with options")
      ->capture_default_str();
  cmd->add_option("--pruner", c->pruner, "none, median, asha, hyperband, or a JSON object with options")->capture_default_str();
  cmd->add_option("--trials", c->trials, "The study's total number of trials")->check(CLI::Range(1, 1000000));
  cmd->add_option("--objective", c->objective, "val_acc (maximized) or val_loss (minimized)")->capture_default_str();
  cmd->add_option("--workers", c->workers, "Trials run at once (one process each)")->check(CLI::Range(1, 64));
  cmd->add_flag("--json", c->json, "Print the study's report as JSON at the end");
  cmd->add_option("--command", c->command,
                  "Trials run this shell command instead of training: {name} becomes the value of space key name "
                  "({{ }} for braces), also in $VKTRAIN_PARAM_name; it prints {\"epoch\": e, \"value\": v} lines "
                  "for reports and a last {\"value\": v} line as the result");
  cmd->add_option("--direction", c->direction, "maximize or minimize (default: maximize for --command, else the "
                                               "--objective's)");
  cmd->add_option("--trial-timeout", c->trial_timeout, "Seconds a --command trial may run (0: no limit)")
      ->check(CLI::Range(0.0, 1e8));
  cmd->add_option("--tensorboard", c->tensorboard,
                  "TensorBoard event files here, one folder per trial (trial-<id>-<parameters>)")
      ->check(kNotEmpty);
  cmd->add_option("--checkpoint-every", c->checkpoint_every,
                  "Also checkpoint a trial every STEPS optimizer steps, mid-epoch: a trial whose worker died "
                  "resumes there (default: at epoch ends only)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--refit", c->refit,
                "After the study, train the best setting on the whole training set and record its test accuracy");
  cmd->footer(
      "Exit codes: 0 done; 1 a run-time failure (e.g. a PostgreSQL server that cannot be reached, a wrong "
      "password, a missing database, a connection lost for longer than --storage-timeout); 2 bad input (e.g. "
      "a malformed study URI or one without study=NAME, a space that does not match the study's).");
  const size_t tune_only = cmd->get_options().size();
  add_model_options(*cmd, c->o);
  add_data_options(*cmd, c->o.data);
  add_cv_option(*cmd, c->o.data);
  add_hyperparameter_options(*cmd, c->o);
  cmd->callback([c, cmd, tune_only, &exit_code] {
    // Record the train options given, for the study's fingerprint and its suggested train
    // command. Not the device (a property of the machine, not the study), nor the epochs and
    // seed, which the study settings hold already.
    const auto options = cmd->get_options();
    for (size_t i = tune_only; i < options.size(); ++i) {
      const CLI::Option* o = options[i];
      const std::string name = o->get_name();
      if (o->count() == 0 || name == "--device" || name == "--epochs" || name == "--seed" || name == "--cv") continue;
      for (const std::string& value : o->results()) c->train_args.insert(c->train_args.end(), {name, value});
    }
    c->objective_given = cmd->get_option("--objective")->count() > 0;
    exit_code = run_tune(*c);
  });
}

}  // namespace vkt::app
