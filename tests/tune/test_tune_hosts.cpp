// One PostgreSQL study spread over several "hosts": worker processes on this machine with
// distinct VKTRAIN_HOST_ID, so none can judge another by its pid and only leases tell who is
// gone, as across real machines. Workers killed mid-trial, and the server restarted under a
// running study: every trial runs to its end once, the orphans resumed by the survivors from
// their last epoch's checkpoint, which they read from the database.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "tests/cli_runner.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/temp_dir.hpp"
#include "tuning/storage/postgres_storage.hpp"
#include "util/error.hpp"

using namespace vkt::test;
using namespace vkt::tune;
using namespace vkt::tune::storage;
using json = nlohmann::json;

namespace {

bool have_data() { return std::filesystem::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"); }

std::string host(int worker) { return "host-" + std::to_string(worker); }

// The study as a watcher sees it, once some worker has created it.
std::unique_ptr<PostgresStorage> watch(const std::string& uri) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    try {
      return std::make_unique<PostgresStorage>(parse_study_uri(uri));
    } catch (const vkt::InputError&) {
      if (std::chrono::steady_clock::now() > deadline) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

// The trial `owner_host` runs now, once it has a checkpoint and at least one more epoch to go
// (so a kill lands mid-trial); nullopt if none within the deadline.
std::optional<int64_t> running_with_checkpoint(PostgresStorage& s, const std::string& owner_host, int epochs,
                                               std::chrono::steady_clock::time_point deadline) {
  while (std::chrono::steady_clock::now() < deadline) {
    s.refresh();
    for (const Trial& t : s.state().trials)
      if (t.state == TrialState::Running && t.owner.host == owner_host && t.checkpoint &&
          t.checkpoint->first < epochs)
        return t.id;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("tune on several hosts: 2 of 4 workers killed mid-trial, every trial ends once, orphans resume from their last epoch") {
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  const PostgresServer& server = shared_postgres();
  TempDir dir;
  const std::string space = (dir / "space.json").string();
  std::ofstream(space) << R"({"lr": {"type": "float", "low": 1e-3, "high": 1e-2, "log": true},
    "hidden": {"type": "int", "low": 32, "high": 128, "step": 32}, "batch": 32})";
  const std::string study = server.uri(unique_study_name("hosts"));
  constexpr int kWorkers = 4, kTrials = 8, kEpochs = 3;
  // A lease expires after 3 heartbeats without renewal: 0.9 s here, 90 s by default.
  const std::vector<std::string> args = {"tune", "--space", space, "--study", study, "--model", "mlp",
                                         "--epochs", std::to_string(kEpochs), "--train-limit", "1200",
                                         "--trials", std::to_string(kTrials), "--sampler", "random",
                                         "--seed", "5", "--heartbeat", "0.3"};
  std::vector<pid_t> pids;
  for (int w = 0; w < kWorkers; ++w)
    pids.push_back(start_vktrain(args, (dir / (host(w) + ".log")).string(), {{"VKTRAIN_HOST_ID", host(w)}}));

  // Workers 0 and 1 die with SIGKILL, each in the middle of a trial it has checkpointed.
  auto watcher = watch(study);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(240);
  std::map<int64_t, int> orphans;  // trial -> the epoch of its last checkpoint when its owner died
  for (int w = 0; w < 2; ++w) {
    const std::optional<int64_t> trial = running_with_checkpoint(*watcher, host(w), kEpochs, deadline);
    REQUIRE_MESSAGE(trial.has_value(), host(w) << " never ran a trial past its first checkpoint");
    kill(pids[size_t(w)], SIGKILL);
    CHECK(wait_exit(pids[size_t(w)]) == 128 + SIGKILL);
    watcher->refresh();
    const Trial& t = watcher->state().trials.at(size_t(*trial));
    REQUIRE(t.state == TrialState::Running);  // it died with the trial unfinished
    orphans[*trial] = t.checkpoint->first;
  }
  for (int w = 2; w < kWorkers; ++w) {
    INFO(host(w) << ": " << read_text(dir / (host(w) + ".log")));
    CHECK(wait_exit(pids[size_t(w)]) == 0);
  }

  // Every trial complete once, with all its epochs.
  const json rep = study_report(study);
  check_trial_ids(rep, kTrials);
  for (const auto& t : rep["trials"]) {
    CHECK(t["state"] == "complete");
    CHECK(t["epochs_done"] == kEpochs);
  }
  // The records themselves: one first start and one finish a trial; each orphan taken over by
  // a survivor, who went on from the dead owner's last checkpoint (reporting that epoch again
  // from the restored weights, then the rest), never from scratch.
  watcher->refresh();
  std::map<int64_t, int> first_starts, finishes;
  std::map<int64_t, std::vector<int>> epochs_after_takeover;
  std::map<int64_t, std::string> taken_by;
  for (const auto& body : watcher->record_bodies()) {
    const Record r = decode_body(body);
    if (const auto* s = std::get_if<TrialStarted>(&r)) {
      if (!s->resumed) ++first_starts[s->trial_id];
      else taken_by[s->trial_id] = s->owner.host;
    } else if (const auto* f = std::get_if<TrialFinished>(&r)) {
      ++finishes[f->trial_id];
    } else if (const auto* e = std::get_if<EpochReported>(&r)) {
      if (taken_by.count(e->trial_id)) epochs_after_takeover[e->trial_id].push_back(e->epoch);
    }
  }
  for (int64_t id = 0; id < kTrials; ++id) {
    CAPTURE(id);
    CHECK(first_starts[id] == 1);
    CHECK(finishes[id] == 1);
  }
  for (const auto& orphan : orphans) {
    const int64_t trial = orphan.first;
    const int epoch = orphan.second;
    CAPTURE(trial);
    REQUIRE(taken_by.count(trial));
    CHECK((taken_by[trial] == host(2) || taken_by[trial] == host(3)));
    const std::vector<int>& after = epochs_after_takeover[trial];
    REQUIRE_FALSE(after.empty());
    CHECK(after.front() == epoch);
    CHECK(after.back() == kEpochs);
  }
  // Finished trials leave no checkpoint behind in the database.
  CHECK(server.admin("SELECT count(*) FROM vktrain_checkpoints WHERE study = '" + watcher->study_name() + "'",
                     PostgresServer::kDatabase)
            .at(0) == "0");
}

TEST_CASE("tune on several hosts: the server stopped and restarted mid-study, nothing lost or duplicated") {
  PostgresServer& server = shared_postgres();
  TempDir dir;
  const std::string space = (dir / "space.json").string(), log = (dir / "ran.log").string();
  std::ofstream(space) << R"({"x": {"type": "float", "low": 0, "high": 1}})";
  const std::string study = server.uri(unique_study_name("restart"));
  constexpr int kWorkers = 2, kTrials = 16;
  // Each trial notes its id, takes a moment, and reports x.
  const std::string command = "echo $VKTRAIN_TRIAL_ID >> '" + log +
                              "'; sleep 0.2; echo \"{\\\"epoch\\\": 1, \\\"value\\\": {x}}\"; echo \"{\\\"value\\\": {x}}\"";
  const std::vector<std::string> args = {"tune", "--space", space, "--study", study, "--command", command,
                                         "--sampler", "random", "--trials", std::to_string(kTrials), "--epochs", "1",
                                         "--storage-timeout", "60"};
  std::vector<pid_t> pids;
  for (int w = 0; w < kWorkers; ++w)
    pids.push_back(start_vktrain(args, (dir / (host(w) + ".log")).string(), {{"VKTRAIN_HOST_ID", host(w)}}));

  auto ran = [&] {
    std::ifstream in(log);
    std::multiset<int64_t> ids;
    for (int64_t id; in >> id;) ids.insert(id);
    return ids;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (ran().size() < 4 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(ran().size() >= 4);
  server.stop();
  const size_t during = ran().size();
  std::this_thread::sleep_for(std::chrono::seconds(3));
  server.start();
  for (int w = 0; w < kWorkers; ++w) {
    INFO(host(w) << ": " << read_text(dir / (host(w) + ".log")));
    CHECK(wait_exit(pids[size_t(w)]) == 0);
  }
  MESSAGE("trials begun before the server stopped: " << during);
  const std::multiset<int64_t> ids = ran();
  CHECK(ids.size() == size_t(kTrials));
  for (int64_t id = 0; id < kTrials; ++id) CHECK(ids.count(id) == 1);
  const json rep = study_report(study);
  check_trial_ids(rep, kTrials);
  for (const auto& t : rep["trials"]) {
    CHECK(t["state"] == "complete");
    CHECK(t["value"].get<double>() == t["params"]["x"].get<double>());
  }
}
