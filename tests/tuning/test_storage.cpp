// The behaviour every study storage shares, run on each backend: the journal file and
// PostgreSQL (on the tests' own server, tests/support/postgres_server.hpp). What only the file
// does (torn tails, byte offsets) is in test_journal.cpp; what only PostgreSQL does (schema,
// faults, reconnection) in test_postgres_storage.cpp.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <set>
#include <stdexcept>

#include "tests/support/postgres_server.hpp"
#include "tests/temp_dir.hpp"
#include "tuning/storage/open_storage.hpp"
#include "util/error.hpp"

using namespace vkt;
using namespace vkt::tune;
using namespace vkt::tune::storage;

namespace {

const nlohmann::json kSettings = {{"direction", "maximize"}, {"epochs", 3}};
constexpr uint64_t kFingerprint = 0x9234abcd5678ef01ull;  // high bit set: must survive a signed bigint

// A backend: where a test's studies go. spec(name) is the same study for the same name.
struct FileBackend {
  test::TempDir dir;
  std::string spec(const std::string& study = "study") const { return (dir / (study + ".vkts")).string(); }
};

struct PostgresBackend {
  std::string prefix = test::unique_study_name("suite");
  std::string spec(const std::string& study = "study") const { return test::shared_postgres().uri(prefix + "-" + study); }
};

Owner me() { return Owner{"testhost", 4242, "worker-a"}; }

TrialStarted started(int64_t id) {
  return TrialStarted{id, {{"lr", 1e-3}, {"hidden", int64_t(128)}, {"optimizer", std::string("adam")}, {"bn", true}},
                      uint64_t(1000 + id), me(), false};
}

std::unique_ptr<Storage> open(const std::string& spec) { return open_storage(spec, kFingerprint, kSettings); }

}  // namespace

TYPE_TO_STRING(FileBackend);
TYPE_TO_STRING(PostgresBackend);

TEST_CASE_TEMPLATE("storage: a study round-trips every record type", B, FileBackend, PostgresBackend) {
  const B backend;
  {
    auto s = open(backend.spec());
    s->append({started(0), SamplerState{{1, 2, 3}}});
    s->append(EpochReported{0, 1, 0.5, 1.25});
    s->append(CheckpointWritten{0, 1, "/ckpt/t0-e1"});
    s->append(EpochReported{0, 2, 0.75, 0.5});
    s->append(TrialFinished{0, TrialState::Complete, 0.75, ""});
    s->append({started(1), SamplerState{{4, 5}}});
    s->append(EpochReported{1, 1, std::nan(""), INFINITY});
    s->append(TrialFinished{1, TrialState::Diverged, std::nan(""), "value became nan"});
    RefitResult refit;
    refit.trial_id = 0;
    refit.train_images = 600;
    refit.epochs = 3;
    refit.test_accuracy = 0.8;
    s->append(RefitFinished{refit});
  }
  for (auto& reopened : {open(backend.spec()), open_existing_storage(backend.spec())}) {
    const StudyState& s = reopened->state();
    CHECK(reopened->fingerprint() == kFingerprint);
    CHECK(s.settings == kSettings);
    REQUIRE(s.trials.size() == 2);
    const Trial& t0 = s.trials[0];
    CHECK(t0.params == started(0).params);
    CHECK(t0.seed == 1000);
    CHECK(t0.owner.host == "testhost");
    CHECK(t0.owner.pid == 4242);
    CHECK(t0.owner.worker == "worker-a");
    CHECK(t0.state == TrialState::Complete);
    CHECK(t0.value == 0.75);
    CHECK(t0.epochs.size() == 2);
    CHECK(t0.epochs.at(1).loss == 1.25);
    REQUIRE(t0.checkpoint);
    CHECK(t0.checkpoint->second == "/ckpt/t0-e1");
    const Trial& t1 = s.trials[1];
    CHECK(t1.state == TrialState::Diverged);
    CHECK(std::isnan(t1.value));
    CHECK(std::isinf(t1.epochs.at(1).loss));
    CHECK(t1.reason == "value became nan");
    CHECK(s.sampler_state == std::vector<uint8_t>{4, 5});
    REQUIRE(s.refit);
    CHECK(s.refit->test_accuracy == 0.8);
    CHECK(reopened->display_name().find(test::PostgresServer::kPassword) == std::string::npos);
  }
}

TEST_CASE_TEMPLATE("storage: another fingerprint is refused, reports open any, a missing study is bad input", B,
                   FileBackend, PostgresBackend) {
  const B backend;
  open(backend.spec())->append(started(0));
  try {
    open_storage(backend.spec(), kFingerprint + 1, kSettings);
    FAIL("expected InputError");
  } catch (const InputError& e) {
    const std::string what = e.what();
    CHECK(what.find("was created with a different space/settings") != std::string::npos);
    CHECK(what.find(open(backend.spec())->display_name()) != std::string::npos);
    CHECK(what.find(test::PostgresServer::kPassword) == std::string::npos);
  }
  const auto any = open_existing_storage(backend.spec());
  CHECK(any->fingerprint() == kFingerprint);
  CHECK(any->state().trials.size() == 1);
  CHECK_THROWS_AS(open_existing_storage(backend.spec("missing")), InputError);
}

TEST_CASE_TEMPLATE("storage: appends from two handles interleave and stay consistent", B, FileBackend,
                   PostgresBackend) {
  const B backend;
  auto a = open(backend.spec());
  auto b = open(backend.spec());
  auto propose = [](const StudyState& s) {
    return std::optional<Proposal>(Proposal{{{"i", int64_t(s.trials.size())}}, 7, {uint8_t(s.trials.size())}});
  };
  for (int round = 0; round < 4; ++round) {
    CHECK(a->claim_next_trial(8, me(), propose).value_or(-1) == 2 * round);
    CHECK(b->claim_next_trial(8, me(), propose).value_or(-1) == 2 * round + 1);
  }
  CHECK_FALSE(a->claim_next_trial(8, me(), propose));  // 8 started: the total is reached
  CHECK(a->state().trials.size() == 8);
  b->refresh();
  CHECK(b->state().trials.size() == 8);
  CHECK(b->state().sampler_state == std::vector<uint8_t>{7});
  for (int64_t i = 0; i < 8; ++i) CHECK(b->state().trials[size_t(i)].params.at("i") == Value(i));
  // An exhausted proposer claims nothing and appends nothing.
  CHECK_FALSE(b->claim_next_trial(20, me(), [](const StudyState&) { return std::optional<Proposal>(); }));
  CHECK(open(backend.spec())->state().trials.size() == 8);
}

TEST_CASE_TEMPLATE("storage: transact decides on the fresh state, and a throwing decide appends nothing", B,
                   FileBackend, PostgresBackend) {
  const B backend;
  auto a = open(backend.spec());
  auto b = open(backend.spec());
  a->append(started(0));
  size_t seen = 99;
  b->transact([&](const StudyState& s) -> std::vector<Record> {
    seen = s.trials.size();  // b never refreshed: transact caught it up first
    return {TrialFinished{0, TrialState::Complete, 0.5, ""}, started(1)};
  });
  CHECK(seen == 1);
  CHECK(b->state().trials.size() == 2);
  CHECK_THROWS_AS(b->transact([](const StudyState&) -> std::vector<Record> { throw std::runtime_error("no"); }),
                  std::runtime_error);
  b->transact([](const StudyState&) { return std::vector<Record>{}; });
  a->refresh();
  const StudyState& s = a->state();
  REQUIRE(s.trials.size() == 2);
  CHECK(s.trials[0].state == TrialState::Complete);
  CHECK(s.trials[1].state == TrialState::Running);
  // Both records of one transact, nothing of the failed one: the same on a fresh open.
  const auto c = open(backend.spec());
  CHECK(c->state().trials.size() == 2);
  CHECK(c->state().trials[0].value == 0.5);
}

TEST_CASE_TEMPLATE("storage: an orphaned trial is claimed once, with its params and seed", B, FileBackend,
                   PostgresBackend) {
  const B backend;
  auto a = open(backend.spec());
  a->append({started(0), TrialFinished{0, TrialState::Complete, 1, ""}, started(1), CheckpointWritten{1, 2, "/c"}});
  auto dead = [](const Owner& o) { return o.pid == 4242; };
  const Owner next{"testhost", 777, "worker-b"};
  CHECK_FALSE(a->claim_orphan(next, dead, 1));  // below_id keeps it to trials under the total
  CHECK(a->claim_orphan(next, dead).value_or(-1) == 1);
  auto b = open(backend.spec());
  CHECK_FALSE(b->claim_orphan(next, dead));  // now owned by pid 777, which is alive
  const Trial& t = b->state().trials[1];
  CHECK(t.resumed == 1);
  CHECK(t.owner.pid == 777);
  CHECK(t.params == started(1).params);
  CHECK(t.seed == started(1).seed);
  CHECK(t.checkpoint->second == "/c");
  CHECK(b->state().trials.size() == 2);
}

TEST_CASE_TEMPLATE("storage: processes claiming at once never get the same trial", B, FileBackend,
                   PostgresBackend) {
  const B backend;
  const test::TempDir logs;
  const std::string spec = backend.spec();
  open(spec);  // created once, so the children race on claims only (creation races: the CLI tests)
  constexpr int kChildren = 4;
  constexpr int64_t kTrials = 40;
  std::vector<pid_t> children;
  for (int c = 0; c < kChildren; ++c) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      // No doctest here: a child reports through its exit status and its log, and leaves with
      // _exit so that nothing of the parent (the test server above all) is torn down.
      int code = 0;
      try {
        auto s = open(spec);
        const Owner owner{"testhost", int64_t(::getpid()), "child"};
        std::ofstream log(logs / ("claims-" + std::to_string(c)));
        auto propose = [](const StudyState& st) {
          return std::optional<Proposal>(Proposal{{{"i", int64_t(st.trials.size())}}, 1, {}});
        };
        while (auto id = s->claim_next_trial(kTrials, owner, propose)) {
          log << *id << "\n";
          s->append(TrialFinished{*id, TrialState::Complete, double(*id), ""});
        }
      } catch (...) {
        code = 3;
      }
      ::_exit(code);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  std::multiset<int64_t> claimed;
  int busy = 0;
  for (int c = 0; c < kChildren; ++c) {
    std::ifstream in(logs / ("claims-" + std::to_string(c)));
    int n = 0;
    for (int64_t id; in >> id; ++n) claimed.insert(id);
    busy += n > 0;
  }
  MESSAGE(busy << " of " << kChildren << " processes claimed trials");
  CHECK(claimed.size() == size_t(kTrials));
  for (int64_t i = 0; i < kTrials; ++i) CHECK(claimed.count(i) == 1);
  const auto s = open(spec);
  REQUIRE(s->state().trials.size() == size_t(kTrials));
  for (const Trial& t : s->state().trials) {
    CHECK(t.state == TrialState::Complete);
    CHECK(t.value == double(t.id));
    CHECK(t.params.at("i") == Value(t.id));
  }
}
