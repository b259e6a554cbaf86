#pragma once
// Where a study lives: an append-only log of records (records.hpp) that every process of the
// study shares, replayed into a StudyState (replay.hpp). Two backends store the same record
// bodies, so a study means the same wherever it is kept:
//   Journal          one local file, kept consistent by flock (journal.hpp)
//   PostgresStorage  a PostgreSQL database, kept consistent by transactions that hold a
//                    per-study advisory lock; shared by processes on any number of hosts
//                    (postgres_storage.hpp)
// open_storage (open_storage.hpp) picks the backend from the --study spec.
//
// Every change goes through transact(): under the backend's lock it catches up with what
// others appended, lets `decide` look at the fresh state, and appends what decide returns, so
// nothing can slip in between the look and the write. claim_next_trial, claim_orphan and
// append_as_owner are such decisions, written once here for both backends.
//
// What differs between one host and many:
//   liveness     who judges a trial's owner dead. The journal asks the local kernel for the
//                owner's pid (owner.hpp); PostgreSQL adds a lease per worker, renewed every
//                heartbeat by the server's clock, so owners on any host can be judged.
//   checkpoints  where a trial's checkpoint goes so that its next owner can read it: the
//                journal leaves the file where it is (same host); PostgreSQL stores it in the
//                database, before the record that points at it.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tuning/storage/records.hpp"

namespace vkt::tune::storage {

// How a backend copes with its server going away (the file journal has none and ignores it).
struct StorageOptions {
  // Seconds to keep reconnecting, with exponential backoff, after the connection broke.
  double timeout_s = 600;
  // Seconds between a worker's lease renewals; a lease not renewed for 3 of them has expired
  // and the worker's running trial may be taken over from another host.
  double heartbeat_s = 30;
};

// What a new trial starts with, decided under the lock from the freshest state.
struct Proposal {
  Params params;
  uint64_t seed = 0;
  std::vector<uint8_t> sampler_state;  // stored with the trial so the sequence can continue
};

class Storage {
 public:
  // Looks at the fresh state, returns the records to append (possibly none). A backend that
  // lost its connection before it knew whether the append committed may call it again on the
  // state read anew, so only its last call's records are appended, and whatever decide
  // remembers (a claimed id, say) must be set afresh on each call.
  using Decide = std::function<std::vector<Record>(const StudyState&)>;

  virtual ~Storage() = default;

  virtual const StudyState& state() const = 0;
  virtual uint64_t fingerprint() const = 0;
  // Where the study is, safe to print and log: a path, or a URI with any password removed.
  virtual std::string display_name() const = 0;

  // Reads the records other processes appended since our last read.
  virtual void refresh() = 0;
  // The bodies (type + payload, records.hpp) of the records read so far, in order, as stored:
  // `vktrain study copy` moves them byte for byte, without decoding (study_copy.hpp).
  virtual std::vector<std::vector<uint8_t>> record_bodies() = 0;
  // Under the backend's lock: catch up, call `decide` on the fresh state, append its records.
  virtual void transact(const Decide& decide) = 0;

  void append(const std::vector<Record>& records);
  void append(const Record& record) { append(std::vector<Record>{record}); }

  // Starts the next trial (id = number of trials started so far) unless `max_trials` have
  // been started or `propose` returns nullopt (e.g. the grid is exhausted). Returns the id.
  std::optional<int64_t> claim_next_trial(int64_t max_trials, const Owner& me,
                                          const std::function<std::optional<Proposal>(const StudyState&)>& propose);

  // Takes over the lowest-id running trial (id < below_id) whose owner is dead (owner.hpp):
  // appends a resumed trial-started record with the same params and seed. Returns its id, or
  // nullopt. Decided under the lock, so only one process can take a given orphan.
  // `is_dead` is injectable for tests; empty means owner_is_dead().
  // Checks the (possibly stale) state first without the lock, so a study with no orphan
  // costs no transaction.
  std::optional<int64_t> claim_orphan(const Owner& me, const std::function<bool(const Owner&)>& is_dead = {},
                                      int64_t below_id = INT64_MAX);

  // Appends `records` only while `me` still owns trial `trial_id` and it is running; false
  // (and nothing appended) once another worker has taken it over, e.g. after our lease
  // expired while we were stalled: the trial is theirs now, and we must drop it.
  bool append_as_owner(const Owner& me, int64_t trial_id, const std::vector<Record>& records);

  // --- liveness ---
  // Holds a lease for `me` until release_lease (or destruction): renewed every heartbeat from a
  // thread of its own. The journal needs none (no-op).
  virtual void hold_lease(const Owner& me) { (void)me; }
  virtual void release_lease() {}
  // Whether an owner is gone, judged now: owner_is_dead, and on PostgreSQL also an expired or
  // missing lease. The returned judge may cache what it read for a moment.
  virtual std::function<bool(const Owner&)> owner_judge();

  // --- checkpoints ---
  // A checkpoint file of trial `trial_id` after `epoch` was just written at `path`: makes it
  // reachable by the trial's next owner, and returns what the CheckpointWritten record holds.
  virtual std::string keep_checkpoint(int64_t trial_id, int epoch, const std::string& path);
  // The reverse, for the next owner: a local file holding the checkpoint that `stored` (a
  // CheckpointWritten record's path) names.
  virtual std::string local_checkpoint(int64_t trial_id, int epoch, const std::string& stored) {
    (void)trial_id, (void)epoch;
    return stored;
  }
  // Trial `trial_id` has finished: its checkpoints are no longer needed.
  virtual void drop_checkpoints(int64_t trial_id) { (void)trial_id; }
};

}  // namespace vkt::tune::storage
