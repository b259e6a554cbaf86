// `vktrain tune`: a hyperparameter study. Trials are `vktrain train` runs; every trial and
// every epoch is journaled (tuning/storage/), so a killed study resumes where it stopped
// and several processes (--workers, or several shells) can share one study file.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "apps/commands.hpp"
#include "apps/train_objective.hpp"
#include "runtime/context.hpp"
#include "tuning/pruners/factory.hpp"
#include "tuning/report.hpp"
#include "tuning/samplers/factory.hpp"
#include "tuning/space.hpp"
#include "tuning/study.hpp"
#include "util/error.hpp"

namespace vkt::app {
namespace {

struct TuneCommand {
  TrainOptions o;
  std::vector<std::string> train_args;  // the train options given on the command line, as given
  std::string space, study, sampler = "random", pruner = "none", objective = "val_acc";
  int64_t trials = 10;
  int workers = 1;
  bool json = false;
};

nlohmann::json name_or_json(const std::string& text, const char* what) {
  if (!text.empty() && text.front() == '{') {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) throw InputError(std::string(what) + ": not valid JSON: " + text);
    return j;
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
  s.settings.direction = c.objective == "val_loss" ? tune::Direction::Minimize : tune::Direction::Maximize;
  s.settings.epochs = static_cast<int>(c.o.epochs);
  s.settings.seed = c.o.seed;
  s.settings.train_args = c.train_args;
  s.sampler = tune::make_sampler(name_or_json(c.sampler, "--sampler"), s.space, c.o.seed);
  s.pruner = tune::make_pruner(name_or_json(c.pruner, "--pruner"), s.settings.epochs);
  return s;
}

int run_worker(const TuneCommand& c, int worker) {
  StudySetup setup = study_setup(c);
  const tune::Space& space = setup.space;
  tune::StudySettings& st = setup.settings;
  tune::Sampler& sampler = *setup.sampler;
  tune::Pruner& pruner = *setup.pruner;
  auto journal = tune::open_study(c.study, space, st, sampler, pruner);

  const nn::DataSplits host_data = c.o.data.load();
  ContextOptions co;
  co.device = worker_device(c.o.device, worker);
  Context ctx(co);
  st.worker = "w" + std::to_string(worker) + " " + ctx.info().name;
  auto data = std::make_shared<const nn::DeviceData>(ctx, host_data);
  const std::filesystem::path ckpt_dir = c.study + ".checkpoints";
  TrainObjective objective(ctx, data, c.o, c.objective, ckpt_dir);

  tune::StudyCallbacks cb;
  cb.on_trial_finished = [&](const tune::TrialSummary& s) {
    if (!c.json) {
      std::printf("%s\n", tune::format_trial_line(s).c_str());
      std::fflush(stdout);
    }
  };
  const tune::StudyOutcome outcome = tune::run_study(*journal, space, sampler, pruner, st, objective, cb);
  if (worker != 0) return 0;
  journal->refresh();
  if (c.json) {
    std::cout << tune::report_json(journal->state(), st.direction).dump() << "\n";
  } else {
    const tune::Trial* best = tune::best_trial(journal->state().trials, st.direction);
    std::printf("study %s: %zu trials%s\n", c.study.c_str(), journal->state().trials.size(),
                outcome.sampler_exhausted ? " (the grid is exhausted)" : "");
    if (best)
      std::printf("best: trial %lld value %.4f\n  %s\n", static_cast<long long>(best->id), best->value,
                  tune::train_command(*best, journal->state().settings).c_str());
  }
  return 0;
}

int run_tune(const TuneCommand& c) {
  if (c.objective != "val_acc" && c.objective != "val_loss")
    throw InputError("--objective must be val_acc or val_loss, got '" + c.objective + "'");
  {  // Validate the space and the study file once, before any worker starts.
    const StudySetup setup = study_setup(c);
    tune::open_study(c.study, setup.space, setup.settings, *setup.sampler, *setup.pruner);
  }
  // Extra workers are processes, forked before any Vulkan object exists: the journal keeps
  // them from running the same trial, exactly as for studies shared by separate shells.
  std::vector<pid_t> children;
  for (int w = 1; w < c.workers; ++w) {
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid < 0) throw Error("fork failed");
    if (pid == 0) {
      int code = 1;
      try {
        code = run_worker(c, w);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "vktrain: worker %d: error: %s\n", w, e.what());
      }
      std::fflush(nullptr);
      _exit(code);
    }
    children.push_back(pid);
  }
  int code = run_worker(c, 0);
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) code = 1;
  }
  return code;
}

}  // namespace

void add_tune_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("tune", "Search hyperparameters: a study of `vktrain train` trials, journaled");
  auto c = std::make_shared<TuneCommand>();
  cmd->add_option("--space", c->space, "Search space (JSON; see examples/)")->required();
  cmd->add_option("--study", c->study, "Study journal (.vkts); an existing one is resumed")->required();
  cmd->add_option("--sampler", c->sampler, "grid, random, genetic, or a JSON object with options")
      ->capture_default_str();
  cmd->add_option("--pruner", c->pruner, "none, median, asha, or a JSON object with options")->capture_default_str();
  cmd->add_option("--trials", c->trials, "The study's total number of trials")->check(CLI::Range(1, 1000000));
  cmd->add_option("--objective", c->objective, "val_acc (maximized) or val_loss (minimized)")->capture_default_str();
  cmd->add_option("--workers", c->workers, "Trials run at once (one process each)")->check(CLI::Range(1, 64));
  cmd->add_flag("--json", c->json, "Print the study's report as JSON at the end");
  const size_t tune_only = cmd->get_options().size();
  add_model_options(*cmd, c->o);
  add_data_options(*cmd, c->o.data);
  add_hyperparameter_options(*cmd, c->o);
  cmd->callback([c, cmd, tune_only, &exit_code] {
    // Record the train options given, for the study's fingerprint and its suggested train
    // command. Not the device (a property of the machine, not the study), nor the epochs and
    // seed, which the study settings hold already.
    const auto options = cmd->get_options();
    for (size_t i = tune_only; i < options.size(); ++i) {
      const CLI::Option* o = options[i];
      const std::string name = o->get_name();
      if (o->count() == 0 || name == "--device" || name == "--epochs" || name == "--seed") continue;
      for (const std::string& value : o->results()) c->train_args.insert(c->train_args.end(), {name, value});
    }
    exit_code = run_tune(*c);
  });
}

}  // namespace vkt::app
