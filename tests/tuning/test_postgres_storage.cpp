// What only the PostgreSQL backend does: its schema, the bytes it stores, and how it survives
// a connection torn mid-transaction or a server restart without losing or doubling a record.
// The shared behaviour is in test_storage.cpp.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "tests/support/postgres_server.hpp"
#include "tuning/storage/pg_connection.hpp"
#include "tuning/storage/pg_schema.hpp"
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
  CHECK(server.admin("SELECT version FROM vktrain_schema", db).at(0) == std::to_string(pg::kSchemaVersion));
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
  {
    const Step step = Step::BeforeWrite;  // the inserts and COMMIT are about to go out together
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

TEST_CASE("postgres storage: a database of schema version 1 is brought up to date and keeps its studies") {
  const PostgresServer& server = shared_postgres();
  const std::string db = db_name("upgrade");
  server.create_database(db);
  open(server.uri("old", db))->append(started(0));
  // What version 1 was: the same tables less the leases and checkpoints.
  server.admin("DROP TABLE vktrain_leases, vktrain_checkpoints", db);
  server.admin("UPDATE vktrain_schema SET version = 1", db);

  auto s = open(server.uri("old", db));
  CHECK(server.admin("SELECT version FROM vktrain_schema", db).at(0) == std::to_string(pg::kSchemaVersion));
  REQUIRE(s->state().trials.size() == 1);
  CHECK(std::get<double>(s->state().trials.at(0).params.at("x")) == 0.0);
  CHECK(server.admin("SELECT count(*) FROM vktrain_leases", db).at(0) == "0");
  CHECK(server.admin("SELECT count(*) FROM vktrain_checkpoints", db).at(0) == "0");
}

TEST_CASE("postgres storage: a lease is alive while renewed, dead when expired by the server's clock or given up") {
  const PostgresServer& server = shared_postgres();
  const std::string study = test::unique_study_name("lease");
  const Owner a{"host-a", 101, "w"}, never{"host-b", 202, "w"};
  auto holder = std::make_unique<PostgresStorage>(parse_study_uri(server.uri(study)), kFingerprint, kSettings,
                                                  StorageOptions{30, /*heartbeat_s=*/0.2});
  holder->hold_lease(a);
  // A judge made afresh reads the leases as they are now.
  // (The storage must outlive its judge, which reads the leases through it.)
  auto judge = [&](const Owner& owner) {
    const auto fresh = open(server.uri(study));
    return fresh->owner_judge()(owner);
  };
  CHECK_FALSE(judge(a));
  CHECK(judge(never));  // an owner on another host without a lease is gone

  // Not renewed for 3 heartbeats by the server's clock: expired. The holder renews it within
  // a heartbeat, and it is alive again.
  const std::string age = "UPDATE vktrain_leases SET renewed = now() - interval '1 second' WHERE study = '" + study + "'";
  // The holder renews every 0.2 s, so it may renew between the UPDATE and the read (it did
  // in CI, with the tests running two at a time): age it again until a read lands between.
  bool seen_expired = false;
  for (int attempt = 0; attempt < 20 && !seen_expired; ++attempt) {
    server.admin(age, PostgresServer::kDatabase);
    seen_expired = judge(a);
  }
  CHECK_MESSAGE(seen_expired, "a lease last renewed 1 s ago never read as expired in 20 tries");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK_FALSE(judge(a));

  // A clean exit gives the lease up: the worker runs nothing any more.
  holder->release_lease();
  CHECK(server.admin("SELECT count(*) FROM vktrain_leases WHERE study = '" + study + "'", PostgresServer::kDatabase)
            .at(0) == "0");
  CHECK(judge(a));
}

TEST_CASE("postgres storage: a stalled owner whose trial was taken over from another host appends nothing") {
  const PostgresServer& server = shared_postgres();
  const std::string study = test::unique_study_name("stalled");
  const Owner a{"host-a", 101, "w"}, b{"host-b", 202, "w"};
  auto sa = open(server.uri(study));
  sa->hold_lease(a);  // heartbeat 30 s: the thread will not renew it within this test
  REQUIRE(sa->claim_next_trial(1, a, propose_next) == std::optional<int64_t>(0));

  // b's judge trusts an "alive" it read up to half its heartbeat ago (0.1 s here).
  auto sb = std::make_unique<PostgresStorage>(parse_study_uri(server.uri(study)), kFingerprint, kSettings,
                                              StorageOptions{30, /*heartbeat_s=*/0.2});
  sb->hold_lease(b);
  // While a's lease is fresh, b takes nothing.
  CHECK_FALSE(sb->claim_orphan(b, sb->owner_judge()).has_value());
  server.admin("UPDATE vktrain_leases SET renewed = now() - interval '2 minutes' WHERE owner = 'host-a/101'",
               PostgresServer::kDatabase);
  // a's lease is 120 s old: expired (3 x 30 s). b resumes trial 0 with its params and seed.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  REQUIRE(sb->claim_orphan(b, sb->owner_judge()) == std::optional<int64_t>(0));
  CHECK(sb->state().trials.at(0).owner.host == "host-b");

  // a comes back and reports an epoch: refused, nothing appended.
  const int64_t before = stored_rows(server, study);
  CHECK_FALSE(sa->append_as_owner(a, 0, {EpochReported{0, 0, 0.5, 0.5}}));
  CHECK(stored_rows(server, study) == before);
  CHECK(sb->append_as_owner(b, 0, {EpochReported{0, 0, 0.5, 0.5}}));
  CHECK(stored_rows(server, study) == before + 1);
}

TEST_CASE("postgres storage: a checkpoint stored in the database comes back on another handle, CRC-checked") {
  const PostgresServer& server = shared_postgres();
  const std::string study = test::unique_study_name("ckpt");
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("vkt-ckpt-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto writer = open(server.uri(study));
  std::string stored;
  for (int epoch = 0; epoch < 4; ++epoch) {
    std::vector<uint8_t> bytes(100000 + size_t(epoch));
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = uint8_t(i * 7 + size_t(epoch));
    write_file_atomic(dir / "trial.state", bytes);
    stored = writer->keep_checkpoint(3, epoch, (dir / "trial.state").string());
  }
  CHECK(stored == PostgresStorage::kStoredCheckpoint);
  // The last two epochs stay: the last one's record may not be written yet.
  const std::string rows = "SELECT string_agg(epoch::text, ',' ORDER BY epoch) FROM vktrain_checkpoints WHERE study = '" + study + "'";
  CHECK(server.admin(rows, PostgresServer::kDatabase).at(0) == "2,3");

  auto reader = open(server.uri(study));
  const std::vector<uint8_t> back = read_file(reader->local_checkpoint(3, 3, stored));
  REQUIRE(back.size() == 100003);
  CHECK(back[10] == uint8_t(10 * 7 + 3));
  CHECK(error_of([&] { reader->local_checkpoint(3, 0, stored); }).find("trial 3 after epoch 0 is not in the database") !=
        std::string::npos);
  server.admin("UPDATE vktrain_checkpoints SET data = overlay(data placing '\\x00'::bytea from 5000) WHERE study = '" +
                   study + "' AND epoch = 2",
               PostgresServer::kDatabase);
  CHECK(error_of([&] { reader->local_checkpoint(3, 2, stored); }).find("fails its CRC check") != std::string::npos);
  // A path (a study copied from a journal) is used as it is.
  CHECK(reader->local_checkpoint(3, 2, "/some/file.state") == "/some/file.state");

  writer->drop_checkpoints(3);
  CHECK(server.admin("SELECT count(*) FROM vktrain_checkpoints WHERE study = '" + study + "'", PostgresServer::kDatabase)
            .at(0) == "0");
  std::filesystem::remove_all(dir);
}

TEST_CASE("postgres connection: a flight returns its results in order, and a statement failing mid-flight skips the rest") {
  const PostgresServer& server = shared_postgres();
  const StudyUri uri = parse_study_uri(server.uri("flight"));
  pg::Connection c(uri.conninfo, uri.secrets, uri.display);
  const std::string seven = "7";
  const auto results = c.exec_flight({{"SELECT $1::int + 1", {seven}}, {"SELECT 'b'", {}}, {"SELECT 3", {}, true}});
  REQUIRE(results.size() == 3);
  CHECK(results[0].integer(0, 0) == 8);
  CHECK(results[1].text(0, 0) == "b");
  CHECK(results[2].integer(0, 0) == 3);  // binary int4

  c.exec("CREATE TEMP TABLE flight (x int)");
  const std::string e = error_of([&] {
    c.exec_flight({{"BEGIN", {}}, {"INSERT INTO flight VALUES (1)", {}}, {"SELECT 1 / 0", {}},
                   {"INSERT INTO flight VALUES (2)", {}}, {"COMMIT", {}}});
  });
  CHECK(e.find("division by zero") != std::string::npos);
  CHECK(e.find('\n') == std::string::npos);
  // The transaction is left failed, as after a failed exec: rolled back, nothing of it stays,
  // and the connection serves the next statement.
  c.exec("ROLLBACK");
  CHECK(c.exec("SELECT count(*) FROM flight").integer(0, 0) == 0);
  CHECK(!c.broken());
}
