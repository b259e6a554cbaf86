#include "tuning/storage/pg_schema.hpp"

#include <string>

#include "tuning/hash.hpp"
#include "tuning/storage/pg_connection.hpp"

namespace vkt::tune::storage::pg {
namespace {

const char* const kCreate[] = {
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
  return int(r.integer(0, 0));
}

}  // namespace

int64_t study_lock_key(const std::string& name) { return int64_t(fnv1a64("vktrain study " + name)); }

void ensure_schema(Connection& c) {
  if (!schema_table_exists(c)) {
    Transaction tx(c);
    c.exec("SELECT pg_advisory_xact_lock($1::bigint)", {std::to_string(int64_t(fnv1a64("vktrain schema")))});
    // Whoever held the lock before us may have created everything meanwhile.
    if (!schema_table_exists(c)) {
      c.exec("CREATE TABLE vktrain_schema (version integer NOT NULL)");
      for (const char* sql : kCreate) c.exec(sql);
      c.exec("INSERT INTO vktrain_schema (version) VALUES ($1)", {std::to_string(kSchemaVersion)});
    }
    tx.commit();
  }
  const int version = read_version(c);
  if (version > kSchemaVersion)
    throw InputError("the database holds vktrain tables of schema version " + std::to_string(version) +
                         "; this vktrain knows version " + std::to_string(kSchemaVersion) + " only",
                     "run a newer vktrain, or use another database");
  if (version < 1) throw Error("table vktrain_schema holds version " + std::to_string(version) + ", which never existed");
}

}  // namespace vkt::tune::storage::pg
