#pragma once
// The PostgreSQL backend of Storage (storage.hpp): a study's records are rows of
// vktrain_records (pg_schema.hpp), shared by every process that opens the same study, on any
// number of hosts. The spec is a URI (pg_uri.hpp).
//
// transact() is one transaction holding the study's advisory lock (pg_advisory_xact_lock on a
// 64-bit hash of its name): read the rows after the last seq seen, replay them, call decide on
// the fresh state, insert its records, commit; sent as two flights of statements (BEGIN, lock,
// read; then the inserts and COMMIT), so the lock is held for about one round trip and a
// decision. Writers are serialized by the lock, so seq
// order is commit order, and refresh() can read without the lock: it never sees a later row
// of the study before an earlier one. Two workers never claim the same trial.
//
// Faults: when the connection breaks or the server restarts, the operation reconnects with
// backoff (backoff.hpp) for up to StorageOptions::timeout_s, then fails with one line. A
// transact whose connection broke may or may not have committed. Every record carries a
// random client id (inserted ON CONFLICT DO NOTHING), and the retry first asks, under the
// lock, whether the records it sent are there: if so it is done; if not it reads the state
// anew and calls decide again, since the old decision may no longer hold.
// Only opening a study fails at once: a wrong URI, password or database is not worth
// minutes of retries.
//
// Liveness: hold_lease starts the worker's lease (pg_lease.hpp); owner_judge reads the
// study's leases. Checkpoints: keep_checkpoint stores the file's bytes in vktrain_checkpoints
// (the trial's last two epochs are kept) and local_checkpoint fetches them into
// local_checkpoint_dir (open_storage.hpp) on the host that resumes the trial.
//
// Like a Journal, a PostgresStorage must not be used across fork(): the child opens its own.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tuning/storage/pg_uri.hpp"
#include "tuning/storage/storage.hpp"

namespace vkt::tune::storage {

namespace pg {
class Connection;
class Lease;
class Result;
struct Statement;
}

class PostgresStorage : public Storage {
 public:
  // Opens the study, creating it (tables on first use, header row, study-created record with
  // `settings`) if it does not exist. InputError if it exists with another fingerprint.
  PostgresStorage(StudyUri uri, uint64_t fingerprint, const nlohmann::json& settings, StorageOptions options = {});
  // Opens an existing study whatever its fingerprint (for reports); InputError if there is none.
  explicit PostgresStorage(StudyUri uri, StorageOptions options = {});
  ~PostgresStorage() override;
  PostgresStorage(const PostgresStorage&) = delete;
  PostgresStorage& operator=(const PostgresStorage&) = delete;

  const StudyState& state() const override { return state_; }
  uint64_t fingerprint() const override { return fingerprint_; }
  std::string display_name() const override { return uri_.display; }
  const std::string& study_name() const { return uri_.study; }

  void refresh() override;
  void transact(const Decide& decide) override;
  std::vector<std::vector<uint8_t>> record_bodies() override;

  void hold_lease(const Owner& me) override;
  void release_lease() override;
  std::function<bool(const Owner&)> owner_judge() override;

  std::string keep_checkpoint(int64_t trial_id, int epoch, const std::string& path) override;
  std::string local_checkpoint(int64_t trial_id, int epoch, const std::string& stored) override;
  void drop_checkpoints(int64_t trial_id) override;
  // What a CheckpointWritten record of a checkpoint stored in the database holds.
  static constexpr const char* kStoredCheckpoint = "postgresql:vktrain_checkpoints";

  // Creates study `uri` holding `bodies` as they are (a copy of another study), in one
  // transaction; InputError if the study exists (never merged into or replaced).
  static void create_from_bodies(const StudyUri& uri, uint64_t fingerprint,
                                 const std::vector<std::vector<uint8_t>>& bodies);

  // The server process of our connection (0 while disconnected): for tests and diagnostics.
  int backend_pid() const;

  // Fault injection for tests: called at each step of a transact attempt that inserts:
  // after deciding, before the inserts and the commit go out together, and after the commit.
  // The hook may break the connection for real (pg_terminate_backend from another
  // connection); returning true makes the storage act as if the connection broke right
  // there, which at AfterCommit is a commit whose answer was lost: a moment no test could hit
  // otherwise.
  enum class Step { BeforeWrite, AfterCommit };
  void set_fault_hook(std::function<bool(Step)> hook) { fault_hook_ = std::move(hook); }

 private:
  void open(const uint64_t* fingerprint, const nlohmann::json* settings);
  void connect();
  void with_retry(const std::string& doing, const std::function<void()>& attempt);
  pg::Statement lock_statement() const;
  // Reads the rows after last_seq_ into state_: the statement, and the replay of its result.
  pg::Statement read_statement() const;
  void apply_new_records(const pg::Result& rows);
  void read_new_records();
  // Inserts one record body, RETURNING its seq (no row if the client id was stored already).
  pg::Statement insert_statement(const std::string& client_id, const std::vector<uint8_t>& body,
                                 const std::string& kind, const std::string& crc) const;
  bool committed(const std::vector<std::string>& client_ids);
  void fault(Step step);
  void read_leases();

  StudyUri uri_;
  StorageOptions options_;
  std::unique_ptr<pg::Connection> conn_;
  int64_t lock_key_ = 0;
  std::string lock_key_text_;
  uint64_t fingerprint_ = 0;
  int64_t last_seq_ = 0;  // every row of the study up to this seq is replayed into state_
  std::string last_seq_text_ = "0";
  StudyState state_;
  std::function<bool(Step)> fault_hook_;

  std::unique_ptr<pg::Lease> lease_;
  // The study's leases as last read (owner key -> expired), when, and after which state read.
  std::map<std::string, bool> leases_;
  std::chrono::steady_clock::time_point leases_read_at_{};
  uint64_t leases_state_reads_ = 0;
  uint64_t state_reads_ = 0;  // read_new_records calls so far
};

}  // namespace vkt::tune::storage
