#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "tests/temp_dir.hpp"
#include "tuning/pruners/median_pruner.hpp"
#include "tuning/report.hpp"
#include "tuning/samplers/factory.hpp"
#include "tuning/samplers/genetic_sampler.hpp"
#include "tuning/samplers/random_sampler.hpp"
#include "tuning/storage/journal.hpp"
#include "tuning/study.hpp"
#include "util/error.hpp"

using namespace vkt;
using namespace vkt::tune;
namespace fs = std::filesystem;

namespace {

const Space& space() {
  static const Space s = Space::parse(nlohmann::json::parse(R"({
    "lr": {"type": "float", "low": 1e-4, "high": 1e-2, "log": true},
    "hidden": {"type": "int", "low": 64, "high": 256, "step": 32},
    "dropout": 0.2})"));
  return s;
}

// Peaks at lr = 1e-3, hidden = 160; each epoch gets a little closer to the final value.
class Synthetic : public Objective {
 public:
  int epochs = 3;
  std::function<void(const TrialContext&, int epoch)> during_epoch;  // hooks for tests
  std::vector<int64_t> ran;

  TrialResult run(const TrialContext& ctx) override {
    ran.push_back(ctx.trial_id);
    const double lr = std::get<double>(ctx.params.at("lr"));
    const double hidden = double(std::get<int64_t>(ctx.params.at("hidden")));
    const double final = -std::pow(std::log10(lr) + 3, 2) - std::pow((hidden - 160) / 100, 2);
    for (int e = ctx.resume_epoch + 1; e <= epochs; ++e) {
      if (during_epoch) during_epoch(ctx, e);
      if (!ctx.report(e, final - 0.1 * (epochs - e), 1.0 / e)) break;
    }
    return {final};
  }
};

StudySettings settings(int64_t trials) {
  StudySettings s;
  s.trials = trials;
  s.direction = Direction::Maximize;
  s.epochs = 3;
  s.seed = 42;
  s.worker = "test";
  return s;
}

void check_contiguous_and_finished(const StudyState& state, size_t n) {
  REQUIRE(state.trials.size() == n);
  for (size_t i = 0; i < n; ++i) {
    CHECK(state.trials[i].id == int64_t(i));
    CHECK(is_finished(state.trials[i].state));
  }
}

}  // namespace

TEST_CASE("tuning: tables show 4 significant digits of a parameter, commands every digit") {
  CHECK(to_display_string(Value{0.0012345678901234567}) == "0.001235");
  CHECK(to_display_string(Value{1.2345678e-05}) == "1.235e-05");
  CHECK(to_display_string(Value{0.2}) == "0.2");
  CHECK(to_display_string(Value{int64_t{128}}) == "128");
  CHECK(to_display_string(Value{std::string("adam")}) == "adam");
  CHECK(to_string(Value{0.0012345678901234567}) == "0.0012345678901234567");  // round-trips
  CHECK(std::stod(to_string(Value{0.1 + 0.2})) == 0.1 + 0.2);
}

TEST_CASE("tuning: study resumes to its total and continues the same sampler sequence") {
  test::TempDir dir;
  NoPruner pruner;
  std::vector<std::string> lines;
  {
    RandomSampler sampler(7);
    auto journal = open_study(dir / "a.vkts", space(), settings(5), sampler, pruner);
    Synthetic objective;
    StudyCallbacks cb{[&](const TrialSummary& s) { lines.push_back(format_trial_line(s)); }};
    CHECK(run_study(*journal, space(), sampler, pruner, settings(5), objective, cb).trials_run == 5);
  }
  REQUIRE(lines.size() == 5);
  CHECK(lines[0].rfind("trial 0 complete value=", 0) == 0);
  CHECK(lines[0].find("dropout=0.2") != std::string::npos);
  CHECK(lines[0].find("| best: trial ") != std::string::npos);

  RandomSampler fresh(7);  // a new process: its sampler state comes from the journal
  auto journal = open_study(dir / "a.vkts", space(), settings(10), fresh, pruner);
  Synthetic objective;
  CHECK(run_study(*journal, space(), fresh, pruner, settings(10), objective).trials_run == 5);
  CHECK(objective.ran == std::vector<int64_t>{5, 6, 7, 8, 9});
  check_contiguous_and_finished(journal->state(), 10);
  // Running again with the same total does nothing more.
  CHECK(run_study(*journal, space(), fresh, pruner, settings(10), objective).trials_run == 0);

  // The same study run in one go proposes exactly the same params and seeds.
  RandomSampler once(7);
  auto straight = open_study(dir / "b.vkts", space(), settings(10), once, pruner);
  Synthetic objective2;
  run_study(*straight, space(), once, pruner, settings(10), objective2);
  for (size_t i = 0; i < 10; ++i) {
    CHECK(straight->state().trials[i].params == journal->state().trials[i].params);
    CHECK(straight->state().trials[i].seed == journal->state().trials[i].seed);
  }

  // Other settings on the same study file are refused.
  RandomSampler other_seed(8);
  CHECK_THROWS_AS(open_study(dir / "a.vkts", space(), settings(10), other_seed, pruner), InputError);
}

TEST_CASE("tuning: diverged, failed and pruned trials are recorded and the study goes on") {
  test::TempDir dir;
  RandomSampler sampler(1);
  MedianPruner pruner({/*n_startup_trials=*/1, /*n_warmup_epochs=*/0});
  auto journal = open_study(dir / "s.vkts", space(), settings(6), sampler, pruner);

  class Mixed : public Objective {
   public:
    TrialResult run(const TrialContext& ctx) override {
      switch (ctx.trial_id) {
        case 1:  // NaN reported mid-training
          CHECK_FALSE(ctx.report(1, std::nan(""), 1));
          return {0.5};
        case 2:  // Inf final value after a good epoch
          CHECK(ctx.report(1, 0.9, 1));
          return {INFINITY};
        case 3:
          throw Error("out of device memory");
        case 4:  // much worse than trial 0 at epoch 1: the median pruner stops it
          if (!ctx.report(1, -100, 1)) return {-100};
          FAIL("should have been pruned");
          return {0};
        default:
          ctx.report(1, 0.8, 0.3);
          return {0.9};
      }
    }
  } objective;
  run_study(*journal, space(), sampler, pruner, settings(6), objective);
  const auto& t = journal->state().trials;
  check_contiguous_and_finished(journal->state(), 6);
  CHECK(t[0].state == TrialState::Complete);
  CHECK(t[1].state == TrialState::Diverged);
  CHECK(t[1].reason.find("nan at epoch 1") != std::string::npos);
  CHECK(t[2].state == TrialState::Diverged);
  CHECK(t[3].state == TrialState::Failed);
  CHECK(t[3].reason == "out of device memory");
  CHECK(t[4].state == TrialState::Pruned);
  CHECK(t[4].value == -100);
  CHECK(t[5].state == TrialState::Complete);
}

TEST_CASE("tuning: an orphaned trial is resumed from its checkpoint, not duplicated") {
  test::TempDir dir;
  const fs::path file = dir / "orphan.vkts";
  NoPruner pruner;
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The "crashing" process: dies during trial 2, right after its epoch-2 checkpoint.
    try {
      RandomSampler sampler(3);
      auto journal = open_study(file, space(), settings(4), sampler, pruner);
      Synthetic objective;
      objective.during_epoch = [](const TrialContext& ctx, int epoch) {
        if (ctx.trial_id == 2 && epoch == 3) {
          ctx.checkpoint_written(2, "/ckpt/trial2-epoch2");
          ::_exit(0);
        }
      };
      run_study(*journal, space(), sampler, pruner, settings(4), objective);
    } catch (...) {
      ::_exit(3);
    }
    ::_exit(4);  // should have died inside trial 2
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);  // reaped: its pid is now really gone
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);

  RandomSampler sampler(3);
  auto journal = open_study(file, space(), settings(4), sampler, pruner);
  REQUIRE(journal->state().trials.size() == 3);
  const Trial before = journal->state().trials[2];
  CHECK(before.state == TrialState::Running);
  Synthetic objective;
  std::string resume_path;
  int resume_epoch = -1;
  objective.during_epoch = [&](const TrialContext& ctx, int) {
    if (ctx.trial_id == 2) {
      resume_path = ctx.resume_checkpoint;
      resume_epoch = ctx.resume_epoch;
      CHECK(ctx.params == before.params);
      CHECK(ctx.seed == before.seed);
    }
  };
  run_study(*journal, space(), sampler, pruner, settings(4), objective);
  CHECK(objective.ran == std::vector<int64_t>{2, 3});  // the orphan first, then the rest
  CHECK(resume_path == "/ckpt/trial2-epoch2");
  CHECK(resume_epoch == 2);
  check_contiguous_and_finished(journal->state(), 4);
  CHECK(journal->state().trials[2].resumed == 1);
  CHECK(journal->state().trials[2].state == TrialState::Complete);
}

TEST_CASE("tuning: two processes share one study without running a trial twice") {
  test::TempDir dir;
  const fs::path file = dir / "shared.vkts";
  const fs::path log = dir / "ran.log";
  constexpr int64_t kTrials = 16;
  GeneticOptions options;
  options.population = 4;

  pid_t children[2];
  for (pid_t& child : children) {
    child = ::fork();
    REQUIRE(child >= 0);
    if (child != 0) continue;
    try {
      GeneticSampler sampler(options, 5);
      NoPruner pruner;
      auto journal = open_study(file, space(), settings(kTrials), sampler, pruner);
      // Both processes have the study open before either claims a trial, so neither can
      // finish all 16 before the other starts: the test then shows they really share it.
      std::ofstream(dir / ("ready." + std::to_string(::getpid()))).put('\n');
      for (int wait = 0; wait < 2000; ++wait) {
        int ready = 0;
        for (const auto& entry : fs::directory_iterator(dir.path()))
          ready += entry.path().filename().string().rfind("ready.", 0) == 0;
        if (ready >= 2) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      Synthetic objective;
      objective.during_epoch = [&](const TrialContext& ctx, int epoch) {
        if (epoch == 1) {
          // O_APPEND lines from both processes: the record of who really ran what.
          const std::string line = std::to_string(ctx.trial_id) + " " + std::to_string(::getpid()) + "\n";
          const int fd = ::open(log.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
          if (fd < 0 || ::write(fd, line.data(), line.size()) != ssize_t(line.size())) ::_exit(5);
          ::close(fd);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      };
      run_study(*journal, space(), sampler, pruner, settings(kTrials), objective);
    } catch (...) {
      ::_exit(3);
    }
    ::_exit(0);
  }
  for (pid_t child : children) {
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }

  storage::Journal journal(file);
  check_contiguous_and_finished(journal.state(), size_t(kTrials));
  for (const Trial& t : journal.state().trials) CHECK(t.resumed == 0);
  std::ifstream in(log);
  std::multiset<int64_t> ran;
  std::set<int64_t> pids;
  int64_t id, pid;
  while (in >> id >> pid) {
    ran.insert(id);
    pids.insert(pid);
  }
  CHECK_MESSAGE(pids.size() == 2, "trials were run by " << pids.size() << " process(es)");
  CHECK(ran.size() == size_t(kTrials));
  for (int64_t i = 0; i < kTrials; ++i) CHECK(ran.count(i) == 1);
}

TEST_CASE("tuning: report ranks trials and builds the train command") {
  StudyState state;
  state.settings = {{"direction", "minimize"}};
  auto add = [&](TrialState s, double v, Params p) {
    Trial t;
    t.id = int64_t(state.trials.size());
    t.state = s;
    t.value = v;
    t.params = std::move(p);
    t.epochs[1] = {v + 1, 0.5};
    t.epochs[2] = {v, 0.25};
    state.trials.push_back(t);
  };
  add(TrialState::Complete, 0.30, {{"lr", 0.001}, {"hidden", int64_t(128)}});
  add(TrialState::Failed, 0.0, {{"lr", 0.01}});
  add(TrialState::Complete, 0.20, {{"lr", 0.002}, {"hidden", int64_t(64)}, {"optimizer", std::string("adam")}});
  add(TrialState::Pruned, 0.10, {{"lr", 0.003}});
  add(TrialState::Diverged, std::nan(""), {{"lr", 0.1}});

  const Direction d = study_direction(state);
  CHECK(d == Direction::Minimize);
  std::vector<int64_t> order;
  for (const Trial* t : ranked_trials(state, d)) order.push_back(t->id);
  CHECK(order == std::vector<int64_t>{2, 0, 3, 4, 1});

  const auto j = report_json(state, d);
  CHECK(j["best"]["id"] == 2);
  CHECK(j["trials"][0]["id"] == 2);
  CHECK(j["trials"][0]["epochs_done"] == 2);
  CHECK(j["trials"][0]["curve"].size() == 2);
  CHECK(j["trials"][0]["curve"][1]["loss"] == 0.25);
  CHECK(j["trials"][0]["params"]["optimizer"] == "adam");
  CHECK(j["trials"][3]["value"].is_null());  // NaN becomes null
  CHECK_NOTHROW(nlohmann::json::parse(j.dump()));

  CHECK(train_command(state.trials[2].params) == "vktrain train --hidden 64 --lr 0.002 --optimizer adam");
  CHECK(train_command({{"name", std::string("my run")}}) == "vktrain train --name 'my run'");

  // With the study's settings: its fixed train options (minus those the trial searched), its
  // epochs and the trial's seed come first, so the command retrains exactly that trial.
  Trial t = state.trials[2];
  t.seed = 77;
  const nlohmann::json settings = {
      {"epochs", 3}, {"train_args", {"--model", "cnn", "--lr", "0.5", "--data", "/my data"}}};
  CHECK(train_command(t, settings) ==
        "vktrain train --model cnn --data '/my data' --epochs 3 --seed 77 --hidden 64 --lr 0.002 --optimizer adam");
  // A journal from before train_args were recorded still gives a usable command.
  CHECK(train_command(t, nlohmann::json{{"epochs", 3}}) ==
        "vktrain train --epochs 3 --seed 77 --hidden 64 --lr 0.002 --optimizer adam");
}

TEST_CASE("tuning: a study of tpe or gp resumed from its journal proposes what an uninterrupted one does") {
  // Past the random start-up (n_startup 10), so the models themselves are resumed.
  for (const char* name : {"tpe", "gp"}) {
    INFO("sampler " << name);
    test::TempDir dir;
    NoPruner pruner;
    {
      auto sampler = make_sampler(name, space(), 42);
      auto journal = open_study(dir / "a.vkts", space(), settings(13), *sampler, pruner);
      Synthetic objective;
      REQUIRE(run_study(*journal, space(), *sampler, pruner, settings(13), objective).trials_run == 13);
    }
    auto fresh = make_sampler(name, space(), 42);  // a new process
    auto resumed = open_study(dir / "a.vkts", space(), settings(16), *fresh, pruner);
    Synthetic objective;
    REQUIRE(run_study(*resumed, space(), *fresh, pruner, settings(16), objective).trials_run == 3);

    auto once = make_sampler(name, space(), 42);
    auto straight = open_study(dir / "b.vkts", space(), settings(16), *once, pruner);
    Synthetic objective2;
    run_study(*straight, space(), *once, pruner, settings(16), objective2);
    for (size_t i = 0; i < 16; ++i) CHECK(straight->state().trials[i].params == resumed->state().trials[i].params);
    // The model-based proposals are not random draws: they differ from a random sampler's.
    RandomSampler random(42);
    auto plain = open_study(dir / "c.vkts", space(), settings(16), random, pruner);
    Synthetic objective3;
    run_study(*plain, space(), random, pruner, settings(16), objective3);
    bool differs = false;
    for (size_t i = 10; i < 16; ++i) differs |= plain->state().trials[i].params != straight->state().trials[i].params;
    CHECK(differs);
  }
}
