#pragma once
// The tables a PostgreSQL study lives in, created on first use and versioned:
//   vktrain_schema   (version)                 one row: the layout of the tables below
//   vktrain_studies  (name, fingerprint, created)   a study's header, as a journal file's
//   vktrain_records  (seq, study, client_id, kind, payload, crc32)   append-only: one row a
//                    record; payload is the record body as the journal frames it (type +
//                    fields, records.hpp), crc32 the journal's CRC of it, kind its type byte
//                    (for SQL readers); client_id, unique, makes a retried insert harmless.
//   vktrain_leases   (study, owner, worker, heartbeat_s, renewed)   since version 2: one row a
//                    live worker, renewed by the server's clock (pg_lease.hpp)
//   vktrain_checkpoints (study, trial_id, epoch, data, crc32)   since version 2: the training
//                    state a trial's next owner resumes from, on whatever host it runs
#include <cstdint>
#include <string>

namespace vkt::tune::storage::pg {

class Connection;

constexpr int kSchemaVersion = 2;

// Creates the tables if the database has none, or brings an older version's up to date (under
// a database-wide advisory lock, so two first users cannot both try). InputError if the database holds a newer version than
// kSchemaVersion: an older vktrain must not write into tables it does not know.
void ensure_schema(Connection& c);

// The advisory-lock key every writer of study `name` takes (a 64-bit hash of the name).
int64_t study_lock_key(const std::string& name);

}  // namespace vkt::tune::storage::pg
