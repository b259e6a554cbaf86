// `vktrain study copy` end to end: file -> PostgreSQL -> file and PostgreSQL -> PostgreSQL on
// the tests' own server, record bodies identical, reports identical, and the refusals.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "tests/cli_runner.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/temp_dir.hpp"
#include "tuning/storage/open_storage.hpp"

using namespace vkt::test;

namespace {

std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<std::vector<uint8_t>> bodies_of(const std::string& spec) {
  return vkt::tune::storage::open_existing_storage(spec)->record_bodies();
}

// A small finished --command study in `dir`: 6 trials, reports with epochs, one failed trial.
std::string make_source(const TempDir& dir) {
  const std::string space = (dir / "space.json").string(), study = (dir / "src.vkts").string();
  std::ofstream(space) << R"({"x": {"type": "float", "low": 0, "high": 1}})";
  const auto r = run_vktrain({"tune", "--space", space, "--study", study, "--command",
                              "echo \"{\\\"epoch\\\": 1, \\\"value\\\": {x}}\"; echo \"{\\\"value\\\": {x}}\"",
                              "--sampler", "random", "--trials", "6", "--epochs", "1"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  return study;
}

CommandResult copy(const std::string& src, const std::string& dst) { return run_vktrain({"study", "copy", src, dst}); }

}  // namespace

TEST_CASE("study copy: file to PostgreSQL and back keeps every record body and the report") {
  const PostgresServer& server = shared_postgres();
  TempDir dir;
  const std::string src = make_source(dir);
  const std::string pg = server.uri(unique_study_name("copy"));
  const std::string back = (dir / "back.vkts").string();

  const auto to_pg = copy(src, pg);
  INFO("stderr: " << to_pg.err);
  REQUIRE(to_pg.exit_code == 0);
  const auto src_bodies = bodies_of(src);
  CHECK(src_bodies.size() > 6);
  CHECK(to_pg.out == "copied " + std::to_string(src_bodies.size()) + " records of study " + src + " to " +
                         vkt::tune::storage::open_existing_storage(pg)->display_name() + "\n");
  CHECK(to_pg.out.find(PostgresServer::kPassword) == std::string::npos);
  CHECK(bodies_of(pg) == src_bodies);

  const auto home = copy(pg, back);
  INFO("stderr: " << home.err);
  REQUIRE(home.exit_code == 0);
  CHECK(bodies_of(back) == src_bodies);
  CHECK(file_bytes(back) == file_bytes(src));  // the header is deterministic: the same file
  CHECK(study_report(back) == study_report(src));
  CHECK(study_report(pg) == study_report(src));
}

TEST_CASE("study copy: PostgreSQL to PostgreSQL under another study name") {
  const PostgresServer& server = shared_postgres();
  TempDir dir;
  const std::string src = make_source(dir);
  const std::string a = server.uri(unique_study_name("copy-a")), b = server.uri(unique_study_name("copy-b"));
  REQUIRE(copy(src, a).exit_code == 0);
  const auto r = copy(a, b);
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(bodies_of(b) == bodies_of(a));
  CHECK(study_report(b) == study_report(src));
  // An existing PostgreSQL study is refused too, and keeps its records.
  const auto again = copy(src, b);
  CHECK(again.exit_code == 2);
  CHECK(again.err.find("already exists") != std::string::npos);
  CHECK(again.err.find(PostgresServer::kPassword) == std::string::npos);
  CHECK(bodies_of(b) == bodies_of(a));
}

TEST_CASE("study copy: refuses an existing DST, a missing SRC and a malformed URI with exit 2") {
  TempDir dir;
  const std::string src = make_source(dir);
  const std::string dst = (dir / "dst.vkts").string();
  std::ofstream(dst) << "precious";
  const auto exists = copy(src, dst);
  CHECK(exists.exit_code == 2);
  CHECK(exists.err.find("already exists") != std::string::npos);
  CHECK(file_bytes(dst) == "precious");

  const auto missing = copy((dir / "none.vkts").string(), (dir / "new.vkts").string());
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("no such study") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "new.vkts"));

  const auto bad = copy(src, "postgresql://u:pw-Bad-Secret@127.0.0.1:1/db");  // no study=
  CHECK(bad.exit_code == 2);
  CHECK(std::count(bad.err.begin(), bad.err.end(), '\n') == 1);
  CHECK(bad.err.find("pw-Bad-Secret") == std::string::npos);
  CHECK(bad.out.find("pw-Bad-Secret") == std::string::npos);
}
