#pragma once
// The --study spec of a PostgreSQL study, in libpq's URI form plus one parameter of ours:
//   postgresql://[user[:password]@]host[:port]/dbname?study=NAME[&sslmode=...&...]
// (postgres:// too). `study` names the study inside the database and is taken out before the
// rest goes to libpq; every other parameter passes through. The password may also come from
// PGPASSWORD or ~/.pgpass, which libpq reads by itself. A password holding '@', '/', ':' or
// '?' must be percent-encoded, as libpq requires.
//
// The password is never printed: display names, messages and everything stored use
// redact_uri's form of the spec.
#include <string>
#include <string_view>
#include <vector>

namespace vkt::tune::storage {

// True for the specs that name a PostgreSQL study; anything else is a journal file path.
bool is_postgres_uri(std::string_view spec);

// The URI without its password (user:password@ becomes user@; a password= parameter is
// dropped). Anything that is not a PostgreSQL URI comes back unchanged.
std::string redact_uri(const std::string& uri);

struct StudyUri {
  std::string conninfo;  // for PQconnectdb: without study=, with our connection defaults
  std::string study;     // the study's name in the database (percent-decoded)
  std::string display;   // redact_uri(spec)
  // Strings that must never appear in a message (the password as written and decoded).
  std::vector<std::string> secrets;
};

// Splits and checks a spec (is_postgres_uri must hold). Adds connect_timeout=10 (so a dead
// host cannot hang us), TCP keepalives (so a dead connection is noticed) and
// application_name=vktrain unless the URI sets them. InputError, naming the redacted URI,
// when there is no study=NAME or libpq cannot parse it.
StudyUri parse_study_uri(const std::string& spec);

// `text` with every secret replaced by "***".
std::string scrub(std::string text, const std::vector<std::string>& secrets);

}  // namespace vkt::tune::storage
