#include "tuning/storage/pg_schema.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "tuning/hash.hpp"
#include "tuning/storage/pg_connection.hpp"

namespace vkt::tune::storage::pg {
namespace {

// The statements that take the tables from version v-1 to v, for v = 1 .. kSchemaVersion. A
// database is brought up to date in steps, so one made by an older vktrain keeps its studies.
const std::vector<std::vector<const char*>> kSteps = {
    {
        // 1: studies and their records.
        "CREATE TABLE vktrain_studies ("
        " name text PRIMARY KEY,"
        " fingerprint bigint NOT NULL,"
        " created timestamptz NOT NULL DEFAULT now())",
        "CREATE TABLE vktrain_records ("
        " seq bigserial PRIMARY KEY,"
        " study text NOT NULL REFERENCES vktrain_studies (name),"
        " client_id text NOT NULL UNIQUE,"
        " kind smallint NOT NULL,"
        " payload bytea NOT NULL,"
        " crc32 bigint NOT NULL)",
        "CREATE INDEX vktrain_records_study_seq ON vktrain_records (study, seq)",
    },
    {
        // 2: workers' leases and trials' checkpoints, for studies spread over several hosts.
        "CREATE TABLE vktrain_leases ("
        " study text NOT NULL REFERENCES vktrain_studies (name),"
        " owner text NOT NULL,"
        " worker text NOT NULL,"
        " heartbeat_s double precision NOT NULL,"
        " renewed timestamptz NOT NULL,"
        " PRIMARY KEY (study, owner))",
        "CREATE TABLE vktrain_checkpoints ("
        " study text NOT NULL REFERENCES vktrain_studies (name),"
        " trial_id bigint NOT NULL,"
        " epoch integer NOT NULL,"
        " data bytea NOT NULL,"
        " crc32 bigint NOT NULL,"
        " PRIMARY KEY (study, trial_id, epoch))",
    },
};

// Read from the catalog with this statement's snapshot. Not to_regclass: that consults the
// backend's catalog cache, which taking an advisory lock does not refresh, so right after
// waiting for another creator it can still say "no such table" and the CREATE would fail.
bool schema_table_exists(Connection& c) {
  return c.exec("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class k JOIN pg_catalog.pg_namespace n"
                " ON n.oid = k.relnamespace WHERE k.relname = 'vktrain_schema' AND n.nspname = current_schema())")
             .text(0, 0) == "t";
}

int read_version(Connection& c) {
  const Result r = c.exec("SELECT version FROM vktrain_schema");
  if (r.rows() != 1)
    throw Error("table vktrain_schema has " + std::to_string(r.rows()) + " rows, not the one with the version",
                "it was changed by hand; restore it from a backup");
  const int64_t version = r.integer(0, 0);
  if (version < 0 || version > 1000000)
    throw Error("table vktrain_schema holds version " + std::to_string(version) + ", which never existed");
  return int(version);
}

}  // namespace

int64_t study_lock_key(const std::string& name) { return int64_t(fnv1a64("vktrain study " + name)); }

void ensure_schema(Connection& c) {
  static_assert(kSchemaVersion >= 1);
  if (kSteps.size() != size_t(kSchemaVersion)) throw Error("internal: the schema steps do not match its version");
  int version = schema_table_exists(c) ? read_version(c) : 0;
  if (version < kSchemaVersion) {
    Transaction tx(c);
    c.exec("SELECT pg_advisory_xact_lock($1::bigint)", {std::to_string(int64_t(fnv1a64("vktrain schema")))});
    // Whoever held the lock before us may have created or upgraded everything meanwhile.
    if (!schema_table_exists(c)) {
      c.exec("CREATE TABLE vktrain_schema (version integer NOT NULL)");
      c.exec("INSERT INTO vktrain_schema (version) VALUES (0)");
    }
    version = read_version(c);
    for (int v = version + 1; v <= kSchemaVersion; ++v)
      for (const char* sql : kSteps[size_t(v - 1)]) c.exec(sql);
    if (version < kSchemaVersion)
      c.exec("UPDATE vktrain_schema SET version = $1", {std::to_string(kSchemaVersion)});
    tx.commit();
    version = std::max(version, kSchemaVersion);
  }
  if (version > kSchemaVersion)
    throw InputError("the database holds vktrain tables of schema version " + std::to_string(version) +
                         "; this vktrain knows version " + std::to_string(kSchemaVersion) + " only",
                     "run a newer vktrain, or use another database");
}

}  // namespace vkt::tune::storage::pg
