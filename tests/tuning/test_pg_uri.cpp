// The PostgreSQL study URI: what is stripped, added, refused and redacted (no server needed),
// and where such a study's checkpoints go.
#include <doctest/doctest.h>

#include <stdlib.h>

#include "tuning/storage/open_storage.hpp"
#include "tuning/storage/pg_uri.hpp"
#include "util/error.hpp"

using namespace vkt;
using namespace vkt::tune::storage;

namespace {

std::string input_error_of(const std::string& spec) {
  try {
    parse_study_uri(spec);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

}  // namespace

TEST_CASE("pg uri: postgresql:// and postgres:// name PostgreSQL studies, anything else is a file") {
  CHECK(is_postgres_uri("postgresql://h/db?study=s"));
  CHECK(is_postgres_uri("postgres://h/db?study=s"));
  CHECK_FALSE(is_postgres_uri("study.vkts"));
  CHECK_FALSE(is_postgres_uri("/tmp/postgresql://x"));
  CHECK_FALSE(is_postgres_uri("postgresql:/h/db"));
}

TEST_CASE("pg uri: redact_uri removes the password and nothing else") {
  CHECK(redact_uri("postgresql://alice:s3cret@db.example:5433/lab?study=mlp") ==
        "postgresql://alice@db.example:5433/lab?study=mlp");
  CHECK(redact_uri("postgres://alice:s3cret@db/lab?study=a&sslmode=require") ==
        "postgres://alice@db/lab?study=a&sslmode=require");
  CHECK(redact_uri("postgresql://alice@db/lab?study=a") == "postgresql://alice@db/lab?study=a");
  CHECK(redact_uri("postgresql://db/lab?study=a") == "postgresql://db/lab?study=a");
  CHECK(redact_uri("postgresql://:s3cret@db/lab?study=a") == "postgresql://db/lab?study=a");
  CHECK(redact_uri("postgresql://alice:@db/lab?study=a") == "postgresql://alice@db/lab?study=a");
  // libpq takes user info up to the first '@' before any '/'; a '?' in the password is its own.
  CHECK(redact_uri("postgresql://alice:pa?ss@db/lab?study=a") == "postgresql://alice@db/lab?study=a");
  CHECK(redact_uri("postgresql://alice:p%40ss@db/lab?study=a") == "postgresql://alice@db/lab?study=a");
  // A password given as a parameter goes too.
  CHECK(redact_uri("postgresql://alice@db/lab?password=s3cret&study=a") == "postgresql://alice@db/lab?study=a");
  CHECK(redact_uri("postgresql://alice@db/lab?study=a&password=s3cret") == "postgresql://alice@db/lab?study=a");
  CHECK(redact_uri("studies/a.vkts") == "studies/a.vkts");
}

TEST_CASE("pg uri: study= is taken out, libpq parameters pass through, our defaults are added") {
  unsetenv("PGPASSWORD");
  const StudyUri u = parse_study_uri("postgresql://alice:s3cret@db:5433/lab?sslmode=disable&study=cnn%20wide");
  CHECK(u.study == "cnn wide");
  CHECK(u.display == "postgresql://alice@db:5433/lab?sslmode=disable&study=cnn%20wide");
  CHECK(u.conninfo.rfind("postgresql://alice:s3cret@db:5433/lab?sslmode=disable&", 0) == 0);
  CHECK(u.conninfo.find("study") == std::string::npos);
  CHECK(u.conninfo.find("connect_timeout=10") != std::string::npos);
  CHECK(u.conninfo.find("keepalives_idle=30") != std::string::npos);
  CHECK(u.conninfo.find("application_name=vktrain") != std::string::npos);
  CHECK(u.secrets == std::vector<std::string>{"s3cret"});

  // The URI's own choices win over our defaults.
  const StudyUri v = parse_study_uri("postgres://db/lab?connect_timeout=3&study=s&application_name=me");
  CHECK(v.conninfo.find("connect_timeout=3") != std::string::npos);
  CHECK(v.conninfo.find("connect_timeout=10") == std::string::npos);
  CHECK(v.conninfo.find("application_name=vktrain") == std::string::npos);
  CHECK(v.secrets.empty());

  // Both spellings of a password are secrets: as written and as libpq decodes it.
  const StudyUri w = parse_study_uri("postgresql://u:p%40ss@db/lab?study=s");
  CHECK(w.secrets == std::vector<std::string>{"p%40ss", "p@ss"});
}

TEST_CASE("pg uri: no study, a broken name, or what libpq cannot parse is an input error without the password") {
  CHECK(input_error_of("postgresql://u:s3cret@db/lab").find("names no study") != std::string::npos);
  CHECK(input_error_of("postgresql://u:s3cret@db/lab?sslmode=disable").find("names no study") != std::string::npos);
  CHECK(input_error_of("postgresql://u@db/lab?study=").find("names no study") != std::string::npos);
  CHECK(input_error_of("postgresql://u@db/lab?study=a&study=b").find("twice") != std::string::npos);
  CHECK(input_error_of("postgresql://u@db/lab?study=a%zz").find("%-escape") != std::string::npos);
  for (const std::string spec : {"postgresql://u:s3cret@db:notaport/lab?study=a",
                                 "postgresql://u:s3cret@db/lab?study=a&no_such_option=1",
                                 "postgresql://u:s3cret@db/lab?study=a&sslmode"}) {
    CAPTURE(spec);
    const std::string e = input_error_of(spec);
    CHECK(e.find("not a valid PostgreSQL URI") != std::string::npos);
    CHECK(e.find("postgresql://u@db") == 0);  // names the URI, redacted
    CHECK(e.find("s3cret") == std::string::npos);
    CHECK(e.find('\n') == std::string::npos);
  }
}

TEST_CASE("pg uri: scrub replaces every secret") {
  CHECK(scrub("a s3cret b s3cret", {"s3cret"}) == "a *** b ***");
  CHECK(scrub("nothing here", {"s3cret", ""}) == "nothing here");
}

TEST_CASE("pg uri: a PostgreSQL study's checkpoints go to a local directory named from the study") {
  const auto file = checkpoint_dir("runs/a.vkts");
  CHECK(file == "runs/a.vkts.checkpoints");
  const auto pg = checkpoint_dir("postgresql://u:s3cret@db/lab?study=mlp/wide");
  CHECK(pg.is_absolute());
  CHECK(pg.parent_path() == std::filesystem::current_path());
  CHECK(pg.filename().string().rfind("mlp_wide-", 0) == 0);
  CHECK(pg.filename().string().ends_with(".checkpoints"));
  CHECK(pg.string().find("s3cret") == std::string::npos);
  // The same name in another database is another study: another directory. A new password
  // is the same study.
  CHECK(checkpoint_dir("postgresql://u@db/other?study=mlp/wide") != pg);
  CHECK(checkpoint_dir("postgresql://u:new@db/lab?study=mlp/wide") == pg);
}
