// What only the PostgreSQL backend does: its schema, the bytes it stores, and how it survives
// a connection torn mid-transaction or a server restart without losing or doubling a record.
// The shared behaviour is in test_storage.cpp.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "tests/support/postgres_server.hpp"
#include "tuning/storage/postgres_storage.hpp"
#include "util/error.hpp"
#include "util/file_io.hpp"

using namespace vkt;
using namespace vkt::tune;
using namespace vkt::tune::storage;
using test::PostgresServer;
using test::shared_postgres;
using Step = PostgresStorage::Step;

namespace {

const nlohmann::json kSettings = {{"direction", "minimize"}, {"epochs", 2}};
constexpr uint64_t kFingerprint = 0xfeedbeef00112233ull;

std::unique_ptr<PostgresStorage> open(const std::string& uri, double timeout_s = 30) {
  return std::make_unique<PostgresStorage>(parse_study_uri(uri), kFingerprint, kSettings, StorageOptions{timeout_s});
}

TrialStarted started(int64_t id, int64_t pid = 4242) {
  return TrialStarted{id, {{"x", double(id) / 10}}, uint64_t(id), Owner{"testhost", pid, "w"}, false};
}

std::optional<Proposal> propose_next(const StudyState& s) {
  return Proposal{{{"x", double(s.trials.size())}}, 1, {}};
}

// Rows of the study in the records table (every record ever stored, so duplicates show).
int64_t stored_rows(const PostgresServer& server, const std::string& study) {
  return std::stoll(server.admin("SELECT count(*) FROM vktrain_records WHERE study = '" + study + "'",
                                 PostgresServer::kDatabase)[0]);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

std::string db_name(const std::string& what) { return what + "_" + std::to_string(::getpid()); }

}  // namespace

TEST_CASE("postgres storage: the schema is made once on first use, versioned, and a newer one is refused") {
  const PostgresServer& server = shared_postgres();
  const std::string db = db_name("schema");
  server.create_database(db);
  // Three processes open the empty database at once: one creates the tables, none fails.
  std::vector<pid_t> children;
  for (int c = 0; c < 3; ++c) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      int code = 0;
      try {
        std::string study = "s";
        study += std::to_string(c);
        open(server.uri(study, db))->append(started(0));
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
  CHECK(server.admin("SELECT version FROM vktrain_schema", db).at(0) == "1");
  CHECK(server.admin("SELECT count(*) FROM vktrain_studies", db).at(0) == "3");
  // Each study: the study-created record and one trial.
  CHECK(server.admin("SELECT count(*) FROM vktrain_records", db).at(0) == "6");
  // The header row keeps the fingerprint, all 64 bits.
  CHECK(server.admin("SELECT fingerprint FROM vktrain_studies WHERE name = 's0'", db).at(0) ==
        std::to_string(int64_t(kFingerprint)));

  server.admin("UPDATE vktrain_schema SET version = 99", db);
  try {
    open(server.uri("s0", db));
    FAIL("expected InputError");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("schema version 99") != std::string::npos);
  }
}

TEST_CASE("postgres storage: a row holds the journal's record body and CRC, and a bad CRC names study and seq") {
  const PostgresServer& server = shared_postgres();
  const std::string study = test::unique_study_name("crc");
  auto s = open(server.uri(study));
  const Record record = EpochReported{0, 1, 0.25, 2.5};
  s->append(started(0));
  s->append(record);
  const std::string last = "(SELECT max(seq) FROM vktrain_records WHERE study = '" + study + "')";
  const auto row = server.admin("SELECT encode(payload, 'hex') || ' ' || crc32 || ' ' || kind || ' ' || seq"
                                " FROM vktrain_records WHERE seq = " + last, PostgresServer::kDatabase);
  REQUIRE(row.size() == 1);
  const std::vector<uint8_t> body = encode_body(record);
  std::string hex;
  for (uint8_t b : body) {
    char buf[3];
    std::snprintf(buf, sizeof buf, "%02x", b);
    hex += buf;
  }
  const std::string seq = row[0].substr(row[0].rfind(' ') + 1);
  CHECK(row[0] == hex + " " + std::to_string(crc32(body)) + " " + std::to_string(int(RecordType::EpochReported)) +
                      " " + seq);

  server.admin("UPDATE vktrain_records SET crc32 = crc32 # 1 WHERE seq = " + seq, PostgresServer::kDatabase);
  const std::string e = error_of([&] { open(server.uri(study)); });
  CHECK(e.find(study) != std::string::npos);
  CHECK(e.find("record seq " + seq + " fails its CRC check") != std::string::npos);
  CHECK(e.find(PostgresServer::kPassword) == std::string::npos);
  CHECK(e.find('\n') == std::string::npos);
}

TEST_CASE("postgres storage: a backend killed mid-transact makes it decide again on fresh state, and append once") {
  const PostgresServer& server = shared_postgres();
  for (const Step step : {Step::BeforeInsert, Step::BeforeCommit}) {
    CAPTURE(int(step));
    const std::string study = test::unique_study_name("torn");
    auto a = open(server.uri(study));
    auto b = open(server.uri(study));
    int kills = 0;
    a->set_fault_hook([&](Step at) {
      if (at != step || kills > 0) return false;
      ++kills;
      server.terminate_backend(a->backend_pid());
      // While a is away, b claims a trial: a's decision (trial 0) no longer holds.
      CHECK(b->claim_next_trial(10, Owner{"testhost", 1, "b"}, propose_next).value_or(-1) == 0);
      return false;
    });
    int decided = 0;
    const auto id = a->claim_next_trial(10, Owner{"testhost", 2, "a"}, [&](const StudyState& s) {
      ++decided;
      return propose_next(s);
    });
    CHECK(kills == 1);
    CHECK(decided == 2);
    CHECK(id.value_or(-1) == 1);  // decided again after seeing b's trial 0
    CHECK(a->state().trials.size() == 2);
    // Stored: the study-created record, then trial-started + sampler-state for each claim.
    CHECK(stored_rows(server, study) == 5);
    // The study goes on, on a's new connection.
    a->append(TrialFinished{1, TrialState::Complete, 0.5, ""});
    const auto c = open(server.uri(study));
    REQUIRE(c->state().trials.size() == 2);
    CHECK(c->state().trials[0].owner.worker == "b");
    CHECK(c->state().trials[1].owner.worker == "a");
    CHECK(c->state().trials[1].state == TrialState::Complete);
  }
}

TEST_CASE("postgres storage: a commit whose answer was lost is neither decided again nor appended twice") {
  const PostgresServer& server = shared_postgres();
  const std::string study = test::unique_study_name("lost-ack");
  auto a = open(server.uri(study));
  int drops = 0;
  a->set_fault_hook([&](Step at) {
    if (at != Step::AfterCommit || drops > 0) return false;
    ++drops;
    server.terminate_backend(a->backend_pid());
    return true;  // as if the COMMIT's answer had been lost with the connection
  });
  int decided = 0;
  const auto id = a->claim_next_trial(10, Owner{"testhost", 2, "a"}, [&](const StudyState& s) {
    ++decided;
    return propose_next(s);
  });
  CHECK(drops == 1);
  CHECK(decided == 1);
  CHECK(id.value_or(-1) == 0);
  CHECK(a->state().trials.size() == 1);
  CHECK(stored_rows(server, study) == 3);  // created, trial-started, sampler-state: once each
  a->append(TrialFinished{0, TrialState::Complete, 1, ""});
  CHECK(open(server.uri(study))->state().trials.at(0).state == TrialState::Complete);
}

TEST_CASE("postgres storage: refresh and append ride out a server restart") {
  PostgresServer server;  // a server of its own: this one is stopped
  const std::string uri = server.uri("restart");
  auto a = open(uri);
  auto b = open(uri);
  a->append(started(0));
  server.stop();
  // The append runs in a thread of its own and the server restarts from this one: a server
  // started from a thread would get its parent-death signal when that thread ends.
  std::exception_ptr failed;
  double waited = 0;
  std::thread appender([&] {
    const auto t0 = std::chrono::steady_clock::now();
    try {
      b->append(TrialFinished{0, TrialState::Complete, 3, ""});  // waits, reconnects, appends
    } catch (...) {
      failed = std::current_exception();
    }
    waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  server.start();
  appender.join();
  if (failed) std::rethrow_exception(failed);
  CHECK(waited >= 0.5);
  a->refresh();
  REQUIRE(a->state().trials.size() == 1);
  CHECK(a->state().trials[0].state == TrialState::Complete);
  CHECK(std::stoll(server.admin("SELECT count(*) FROM vktrain_records", PostgresServer::kDatabase)[0]) == 3);
}

TEST_CASE("postgres storage: a connection lost for longer than the storage timeout fails in one line") {
  PostgresServer server;
  auto a = open(server.uri("gone"), /*timeout_s=*/1);
  server.stop();
  const auto t0 = std::chrono::steady_clock::now();
  const std::string e = error_of([&] { a->append(started(0)); });
  const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(e.find("not regained within 1 s") != std::string::npos);
  CHECK(e.find("study=gone") != std::string::npos);
  CHECK(e.find('\n') == std::string::npos);
  CHECK(e.find(PostgresServer::kPassword) == std::string::npos);
  CHECK(waited >= 0.9);
  CHECK(waited < 15);
}
