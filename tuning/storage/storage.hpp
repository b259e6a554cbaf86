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
// nothing can slip in between the look and the write. claim_next_trial and claim_orphan are
// such decisions, written once here for both backends.
//
// Room for what later phases add: a lease/heartbeat for trials owned on other hosts (today
// owner_is_dead can only judge owners on this host) fits as records appended through
// transact plus the is_dead policy claim_orphan already takes; checkpoints kept in the
// storage itself would be an interface of their own beside this one.
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
  std::optional<int64_t> claim_orphan(const Owner& me, const std::function<bool(const Owner&)>& is_dead = {},
                                      int64_t below_id = INT64_MAX);
};

}  // namespace vkt::tune::storage
