#include "tuning/storage/postgres_storage.hpp"

#include <sys/random.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <thread>

#include "tuning/storage/backoff.hpp"
#include "tuning/storage/open_storage.hpp"
#include "tuning/storage/owner.hpp"
#include "tuning/storage/pg_lease.hpp"
#include "tuning/storage/pg_connection.hpp"
#include "tuning/storage/pg_schema.hpp"
#include "tuning/storage/replay.hpp"
#include "util/error.hpp"
#include "util/file_io.hpp"

namespace vkt::tune::storage {
namespace {

// 128 random bits as hex: unique without coordination, so a retried insert can be told apart
// from a new one. getrandom keeps no state a fork() could duplicate.
std::string new_client_id() {
  uint8_t bytes[16];
  size_t got = 0;
  while (got < sizeof bytes) {
    const ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0) throw Error("getrandom failed: cannot make a record id");
    got += size_t(n);
  }
  char hex[33];
  for (size_t i = 0; i < sizeof bytes; ++i) std::snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
  return std::string(hex, 32);
}

const char* step_name(PostgresStorage::Step s) {
  switch (s) {
    case PostgresStorage::Step::BeforeWrite: return "before the write";
    case PostgresStorage::Step::AfterCommit: return "after the commit";
  }
  return "?";
}

}  // namespace

PostgresStorage::PostgresStorage(StudyUri uri, uint64_t fingerprint, const nlohmann::json& settings,
                                 StorageOptions options)
    : uri_(std::move(uri)), options_(options) {
  open(&fingerprint, &settings);
}

PostgresStorage::PostgresStorage(StudyUri uri, StorageOptions options) : uri_(std::move(uri)), options_(options) {
  open(nullptr, nullptr);
}

PostgresStorage::~PostgresStorage() = default;  // the lease, if held, is given up

int PostgresStorage::backend_pid() const { return conn_ && !conn_->broken() ? conn_->backend_pid() : 0; }

void PostgresStorage::connect() {
  conn_.reset();
  conn_ = std::make_unique<pg::Connection>(uri_.conninfo, uri_.secrets, uri_.display);
  // Server-side keepalives: if our host vanishes mid-transaction the server notices within
  // about a minute and ends our session, releasing the study lock for the other workers.
  conn_->exec("SELECT set_config('tcp_keepalives_idle', '30', false), set_config('tcp_keepalives_interval', '10', false),"
              " set_config('tcp_keepalives_count', '3', false)");
}

void PostgresStorage::open(const uint64_t* fingerprint, const nlohmann::json* settings) {
  lock_key_ = pg::study_lock_key(uri_.study);
  lock_key_text_ = std::to_string(lock_key_);
  try {
    connect();
  } catch (const pg::ConnectFailed& e) {
    throw Error(uri_.display + ": " + e.what());
  }
  with_retry("open", [&] {
    pg::ensure_schema(*conn_);
    pg::Transaction tx(*conn_);
    conn_->exec(lock_statement());
    const pg::Result r = conn_->exec("SELECT fingerprint FROM vktrain_studies WHERE name = $1", {uri_.study});
    if (r.rows() == 0) {
      if (!fingerprint)
        throw InputError("study " + uri_.display + " does not exist",
                         "check the study= name; `vktrain tune` creates a study on first use");
      // The header row and the study-created record commit together: a retry that finds the
      // row finds the record too.
      conn_->exec("INSERT INTO vktrain_studies (name, fingerprint) VALUES ($1, $2)",
                  {uri_.study, std::to_string(int64_t(*fingerprint))});
      const std::vector<uint8_t> body = encode_body(StudyCreated{settings->dump()});
      conn_->exec(insert_statement(new_client_id(), body, std::to_string(body[0]), std::to_string(crc32(body))));
      fingerprint_ = *fingerprint;
    } else {
      fingerprint_ = uint64_t(r.integer(0, 0));
      if (fingerprint && *fingerprint != fingerprint_)
        throw InputError("study " + uri_.display + " was created with a different space/settings",
                         "use the original space and settings, or start a new study (another study= name)");
    }
    tx.commit();
    read_new_records();
  });
}

void PostgresStorage::with_retry(const std::string& doing, const std::function<void()>& attempt) {
  std::optional<Backoff> backoff;
  for (;;) {
    std::string lost;
    try {
      if (!conn_ || conn_->broken()) connect();
      attempt();
      return;
    } catch (const pg::ConnectionLost& e) {
      lost = e.what();
    } catch (const pg::ConnectFailed& e) {
      lost = e.what();
    }
    conn_.reset();
    const bool first = !backoff;
    if (first) backoff.emplace(options_.timeout_s);
    const std::optional<double> delay = backoff->next_delay();
    char limit[32];
    std::snprintf(limit, sizeof limit, "%g s", options_.timeout_s);
    if (!delay)
      throw Error(uri_.display + ": cannot " + doing + " the study: the database connection was lost and not regained within " +
                      limit + " (" + lost + ")",
                  "is the server up? --storage-timeout sets how long to keep trying");
    if (first)
      std::cerr << "vktrain: warning: " << uri_.display << ": lost the database connection (" << lost
                << "); reconnecting for up to " << limit << "\n";
    std::this_thread::sleep_for(std::chrono::duration<double>(*delay));
  }
}

pg::Statement PostgresStorage::lock_statement() const {
  return {"SELECT pg_advisory_xact_lock($1::bigint)", {lock_key_text_}};
}

pg::Statement PostgresStorage::read_statement() const {
  return {"SELECT seq, kind, payload, crc32 FROM vktrain_records WHERE study = $1 AND seq > $2::bigint ORDER BY seq",
          {uri_.study, last_seq_text_},
          /*binary_result=*/true};
}

void PostgresStorage::read_new_records() { apply_new_records(conn_->exec(read_statement())); }

void PostgresStorage::apply_new_records(const pg::Result& r) {
  ++state_reads_;
  for (int row = 0; row < r.rows(); ++row) {
    const int64_t seq = r.integer(row, 0);
    const int64_t kind = r.integer(row, 1);
    const auto payload = r.bytes(row, 2);
    const int64_t stored_crc = r.integer(row, 3);
    const std::string where = "study " + uri_.display + ": record seq " + std::to_string(seq);
    const uint32_t crc = crc32(payload);
    if (stored_crc != int64_t(crc))
      throw Error(where + " fails its CRC check (stored " + std::to_string(stored_crc) + ", computed " +
                      std::to_string(crc) + ")",
                  "the row was changed outside vktrain; restore the database from a backup");
    if (payload.empty() || kind != payload[0])
      throw Error(where + ": its kind column (" + std::to_string(kind) + ") disagrees with its payload");
    try {
      apply_record(state_, decode_body(payload));
    } catch (const Error& e) {
      throw Error(where + ": bad record: " + e.what());
    }
    last_seq_ = seq;
  }
  last_seq_text_ = std::to_string(last_seq_);
}

pg::Statement PostgresStorage::insert_statement(const std::string& client_id, const std::vector<uint8_t>& body,
                                                const std::string& kind, const std::string& crc) const {
  return {"INSERT INTO vktrain_records (study, client_id, kind, payload, crc32) VALUES ($1, $2, $3, $4, $5)"
          " ON CONFLICT (client_id) DO NOTHING RETURNING seq",
          {uri_.study, client_id, kind, std::span<const uint8_t>(body), crc}};
}

bool PostgresStorage::committed(const std::vector<std::string>& client_ids) {
  std::string array = "{";
  for (const std::string& id : client_ids) array += (array.size() > 1 ? "," : "") + id;  // hex: no quoting needed
  array += "}";
  const pg::Result r =
      conn_->exec("SELECT count(*) FROM vktrain_records WHERE client_id = ANY($1::text[])", {array});
  const int64_t n = r.integer(0, 0);
  if (n != 0 && n != int64_t(client_ids.size()))
    throw Error("study " + uri_.display + ": " + std::to_string(n) + " of the " + std::to_string(client_ids.size()) +
                " records of one transaction are stored");
  return n != 0;
}

void PostgresStorage::fault(Step step) {
  if (fault_hook_ && fault_hook_(step))
    throw pg::ConnectionLost(std::string("connection dropped by a test hook ") + step_name(step));
}

void PostgresStorage::refresh() {
  with_retry("read", [&] { read_new_records(); });
}

void PostgresStorage::transact(const Decide& decide) {
  // The client ids of an attempt that sent COMMIT but never heard back.
  std::vector<std::string> unconfirmed;
  with_retry("append to", [&] {
    // Two flights: BEGIN, the study lock and the read of what is new; then, once decided,
    // the inserts and COMMIT. The lock is held from its grant to the commit, and the
    // statements run in order, so this is the read-decide-insert of one locked transaction
    // in two round trips instead of one per statement.
    pg::Transaction tx(*conn_, pg::Transaction::Begun::InFlight);
    if (!unconfirmed.empty()) {
      conn_->exec_flight({{"BEGIN", {}}, lock_statement()});
      if (committed(unconfirmed)) {  // it did commit: decide's last call stands, as stored
        read_new_records();
        tx.commit();
        return;
      }
      unconfirmed.clear();
      read_new_records();
    } else {
      apply_new_records(conn_->exec_flight({{"BEGIN", {}}, lock_statement(), read_statement()}).at(2));
    }
    const std::vector<Record> records = decide(state_);
    if (records.empty()) {
      tx.commit();
      return;
    }
    fault(Step::BeforeWrite);
    std::vector<std::string> ids, kinds, crcs;
    std::vector<std::vector<uint8_t>> bodies;
    for (const Record& record : records) {
      ids.push_back(new_client_id());
      bodies.push_back(encode_body(record));
      kinds.push_back(std::to_string(bodies.back()[0]));
      crcs.push_back(std::to_string(crc32(bodies.back())));
    }
    std::vector<pg::Statement> flight;
    for (size_t i = 0; i < records.size(); ++i) flight.push_back(insert_statement(ids[i], bodies[i], kinds[i], crcs[i]));
    flight.push_back({"COMMIT", {}});
    unconfirmed = ids;  // from here on, a lost connection may or may not have committed
    const std::vector<pg::Result> results = conn_->exec_flight(flight);
    tx.committed();
    fault(Step::AfterCommit);
    bool all_new = true;
    for (size_t i = 0; i < records.size(); ++i) all_new = all_new && results[i].rows() == 1;
    if (!all_new) {  // a client id already stored: only a re-read tells what the table holds
      read_new_records();
      return;
    }
    // Under the lock no other row of the study came after the ones we read, so the table now
    // holds exactly those and ours: replay ours as sent, without a round trip.
    for (const auto& body : bodies) apply_record(state_, decode_body(body));
    last_seq_ = results[records.size() - 1].integer(0, 0);
    last_seq_text_ = std::to_string(last_seq_);
  });
}

// --- study copy (study_copy.hpp): raw bodies out and in ---

std::vector<std::vector<uint8_t>> PostgresStorage::record_bodies() {
  std::vector<std::vector<uint8_t>> bodies;
  with_retry("read", [&] {
    bodies.clear();
    // Up to last_seq_ only: exactly the records state() holds, a consistent snapshot.
    const pg::Result r = conn_->exec(
        "SELECT payload FROM vktrain_records WHERE study = $1 AND seq <= $2::bigint ORDER BY seq",
        {uri_.study, std::to_string(last_seq_)}, /*binary_result=*/true);
    for (int row = 0; row < r.rows(); ++row) {
      const auto payload = r.bytes(row, 0);
      bodies.emplace_back(payload.begin(), payload.end());
    }
  });
  return bodies;
}

void PostgresStorage::create_from_bodies(const StudyUri& uri, uint64_t fingerprint,
                                         const std::vector<std::vector<uint8_t>>& bodies) {
  pg::Connection conn(uri.conninfo, uri.secrets, uri.display);
  pg::ensure_schema(conn);
  pg::Transaction tx(conn);
  conn.exec("SELECT pg_advisory_xact_lock($1::bigint)", {std::to_string(pg::study_lock_key(uri.study))});
  if (conn.exec("SELECT 1 FROM vktrain_studies WHERE name = $1", {uri.study}).rows() != 0)
    throw InputError("study " + uri.display + " already exists", "copy to a new study= name");
  conn.exec("INSERT INTO vktrain_studies (name, fingerprint) VALUES ($1, $2)",
            {uri.study, std::to_string(int64_t(fingerprint))});
  for (const auto& body : bodies) {
    if (body.empty()) throw Error("study copy: an empty record body");
    conn.exec("INSERT INTO vktrain_records (study, client_id, kind, payload, crc32) VALUES ($1, $2, $3, $4, $5)",
              {uri.study, new_client_id(), std::to_string(body[0]), std::span<const uint8_t>(body),
               std::to_string(crc32(body))});
  }
  tx.commit();
}


// --- liveness (pg_lease.hpp) ---

void PostgresStorage::hold_lease(const Owner& me) {
  lease_.reset();
  with_retry("take a lease on", [&] { lease_ = std::make_unique<pg::Lease>(uri_, me, options_.heartbeat_s); });
}

void PostgresStorage::release_lease() { lease_.reset(); }

void PostgresStorage::read_leases() {
  with_retry("read the leases of", [&] { leases_ = pg::read_leases(*conn_, uri_.study); });
  leases_read_at_ = std::chrono::steady_clock::now();
  leases_state_reads_ = state_reads_;
}

std::function<bool(const Owner&)> PostgresStorage::owner_judge() {
  // "Alive" may come from leases read a moment ago: a lease lasts 3 heartbeats, so seeing its
  // expiry up to a second late costs nothing. "Dead" never does: an owner missing from old
  // leases may be a worker that started since, so that verdict needs leases read after the
  // state being judged (a trial's owner took its lease before it claimed the trial).
  const auto max_age = std::chrono::duration<double>(std::min(1.0, options_.heartbeat_s / 2));
  if (std::chrono::steady_clock::now() - leases_read_at_ > max_age) read_leases();
  return [this, max_age](const Owner& owner) {
    if (owner_is_dead(owner)) return true;
    auto it = leases_.find(owner_key(owner));
    if (it != leases_.end() && !it->second) return false;
    if (leases_state_reads_ != state_reads_ || std::chrono::steady_clock::now() - leases_read_at_ > max_age) {
      read_leases();
      it = leases_.find(owner_key(owner));
    }
    return it == leases_.end() || it->second;
  };
}

// --- checkpoints in the database ---

std::string PostgresStorage::keep_checkpoint(int64_t trial_id, int epoch, const std::string& path) {
  const std::vector<uint8_t> data = read_file(path);
  with_retry("store a checkpoint in", [&] {
    pg::Transaction tx(*conn_);
    conn_->exec(
        "INSERT INTO vktrain_checkpoints (study, trial_id, epoch, data, crc32) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (study, trial_id, epoch) DO UPDATE SET data = EXCLUDED.data, crc32 = EXCLUDED.crc32",
        {uri_.study, std::to_string(trial_id), std::to_string(epoch), std::span<const uint8_t>(data),
         std::to_string(crc32(data))});
    // The previous epoch's stays until this one is recorded: a CheckpointWritten record may
    // still point at it.
    conn_->exec("DELETE FROM vktrain_checkpoints WHERE study = $1 AND trial_id = $2 AND epoch < $3",
                {uri_.study, std::to_string(trial_id), std::to_string(epoch - 1)});
    tx.commit();
  });
  return kStoredCheckpoint;
}

std::string PostgresStorage::local_checkpoint(int64_t trial_id, int epoch, const std::string& stored) {
  if (stored != kStoredCheckpoint) return stored;  // a path, from a study copied here
  std::vector<uint8_t> data;
  const std::string what = "the checkpoint of trial " + std::to_string(trial_id) + " after epoch " + std::to_string(epoch);
  with_retry("read a checkpoint from", [&] {
    const pg::Result r = conn_->exec(
        "SELECT data, crc32 FROM vktrain_checkpoints WHERE study = $1 AND trial_id = $2 AND epoch = $3",
        {uri_.study, std::to_string(trial_id), std::to_string(epoch)}, /*binary_result=*/true);
    if (r.rows() != 1) throw Error("study " + uri_.display + ": " + what + " is not in the database");
    const auto bytes = r.bytes(0, 0);
    if (r.integer(0, 1) != int64_t(crc32(bytes)))
      throw Error("study " + uri_.display + ": " + what + " fails its CRC check");
    data.assign(bytes.begin(), bytes.end());
  });
  const std::filesystem::path dir = local_checkpoint_dir(uri_);
  std::filesystem::create_directories(dir);
  const std::filesystem::path path = dir / ("trial-" + std::to_string(trial_id) + ".state");
  write_file_atomic(path, data);
  return path.string();
}

void PostgresStorage::drop_checkpoints(int64_t trial_id) {
  with_retry("drop checkpoints from", [&] {
    conn_->exec("DELETE FROM vktrain_checkpoints WHERE study = $1 AND trial_id = $2",
                {uri_.study, std::to_string(trial_id)});
  });
}

}  // namespace vkt::tune::storage
