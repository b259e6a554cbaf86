#pragma once
// A PostgreSQL server of the tests' own, so the PostgreSQL tests need nothing set up by hand:
// initdb + postgres in a fresh directory under /tmp, on a free port of 127.0.0.1 (TCP, where
// the test role logs in with a scram-sha-256 password) and a unix socket in that directory
// (trust, for the superuser the tests administer it as).
//
// initdb refuses to run as root, and CI runs as root: then every server command runs as the
// `postgres` system user (the Debian package creates it) on a directory chowned to it.
//
// shared_postgres() starts one server per test process, on first use, shared by its test
// cases, and stops it at exit; the server also gets SIGINT (a fast shutdown) if the test
// process dies, so a killed run leaves no server behind. The initdb output is cached under
// /tmp (per user and server binary) and copied for each server: ctest runs every test case in
// a process of its own, and a copy takes a fraction of initdb's seconds.
//
// Where no server can be started (no binaries, no postgres user), shared_postgres() throws
// saying what to install: the PostgreSQL tests fail then, they never skip.
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace vkt::test {

class PostgresServer {
 public:
  static constexpr const char* kUser = "vktrain_test";
  static constexpr const char* kPassword = "pw-S3cret-vk";
  static constexpr const char* kDatabase = "vktrain_test";

  PostgresServer();  // copies the cached cluster, starts it, creates the test role and database
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }

  // postgresql://vktrain_test:PASSWORD@127.0.0.1:PORT/DATABASE?study=STUDY[&extra]
  std::string uri(const std::string& study, const std::string& database = kDatabase,
                  const std::string& extra = "") const;

  // Runs `sql` as the superuser over the unix socket; the first column of every row (NULL as
  // ""). Throws std::runtime_error with the server's message if it fails.
  std::vector<std::string> admin(const std::string& sql, const std::string& database = "postgres") const;
  // A new, empty database owned by the test role.
  void create_database(const std::string& name) const;
  // Ends the backend `pid` and waits until it is gone.
  void terminate_backend(int pid) const;

  // A fast shutdown, and a start on the same port and data (server restart tests). Start
  // from the main thread: the server's parent-death signal follows the thread that forked it.
  void stop();
  void start();
  bool running() const { return pid_ > 0; }

 private:
  std::filesystem::path dir_, bindir_;
  int port_ = 0;
  pid_t pid_ = -1;
  pid_t creator_ = -1;  // only the creating process stops it (a forked child must not)
};

PostgresServer& shared_postgres();

// A study name no other test of this process uses.
std::string unique_study_name(const std::string& prefix);

// A local TCP port nothing listens on at the moment.
int free_port();

}  // namespace vkt::test
