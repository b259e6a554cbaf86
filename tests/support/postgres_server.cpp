#include "tests/support/postgres_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace vkt::test {
namespace fs = std::filesystem;
namespace {

constexpr const char* kAdmin = "vktrain_admin";  // the superuser initdb makes (unix socket, trust)
constexpr const char* kInstall =
    "install the PostgreSQL server (Debian: apt-get install postgresql, or scripts/install-deps.sh), "
    "or point VKTRAIN_PG_BINDIR at the directory holding initdb and postgres";

[[noreturn]] void fail(const std::string& why) { throw std::runtime_error("cannot start a PostgreSQL test server: " + why); }

// Who runs the server: ourselves, or (as root, which initdb refuses) the postgres user. The
// group list is read here, before any fork, so the child only makes system calls.
struct ServerUser {
  bool switch_to = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
};

const ServerUser& server_user() {
  static const ServerUser user = [] {
    ServerUser u;
    if (::geteuid() != 0) return u;
    const passwd* pw = ::getpwnam("postgres");
    if (!pw)
      fail("the tests run as root, and there is no `postgres` user to run the server as (initdb refuses root); " +
           std::string(kInstall));
    u.switch_to = true;
    u.uid = pw->pw_uid;
    u.gid = pw->pw_gid;
    int n = 32;
    u.groups.resize(size_t(n));
    while (::getgrouplist(pw->pw_name, pw->pw_gid, u.groups.data(), &n) < 0) u.groups.resize(size_t(n));
    u.groups.resize(size_t(n));
    return u;
  }();
  return user;
}

void give_to_server_user(const fs::path& p) {
  const ServerUser& u = server_user();
  if (u.switch_to && ::chown(p.c_str(), u.uid, u.gid) != 0) fail("cannot chown " + p.string() + " to postgres");
}

// Starts argv[0] as the server user with cwd `cwd`, stdout and stderr appended to `log`. The
// child gets SIGINT when we die (set after the uid change, which would clear it).
pid_t spawn(const std::vector<std::string>& argv, const fs::path& log, const fs::path& cwd) {
  const ServerUser& u = server_user();
  std::vector<std::string> copy = argv;
  std::vector<char*> args;
  for (auto& a : copy) args.push_back(a.data());
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) fail("fork failed");
  if (pid == 0) {
    if (u.switch_to && (::setgroups(u.groups.size(), u.groups.data()) != 0 || ::setgid(u.gid) != 0 ||
                        ::setuid(u.uid) != 0))
      ::_exit(126);
    ::prctl(PR_SET_PDEATHSIG, SIGINT);
    if (::getppid() != parent) ::_exit(125);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    if (::chdir(cwd.c_str()) != 0) ::_exit(124);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string tail_of(const fs::path& log, size_t lines = 3) {
  std::ifstream in(log);
  std::vector<std::string> all;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) all.push_back(line);
  std::string out;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) out += (out.empty() ? "" : " | ") + all[i];
  return out.empty() ? "(no output)" : out;
}

void run(const std::vector<std::string>& argv, const fs::path& log, const fs::path& cwd) {
  const int code = wait_exit(spawn(argv, log, cwd));
  if (code != 0) fail(fs::path(argv[0]).filename().string() + " exited with " + std::to_string(code) + ": " + tail_of(log));
}

// The newest server of /usr/lib/postgresql/<version>/bin (Debian's layout), or VKTRAIN_PG_BINDIR.
fs::path find_bindir() {
  auto complete = [](const fs::path& d) { return fs::exists(d / "initdb") && fs::exists(d / "postgres"); };
  if (const char* env = std::getenv("VKTRAIN_PG_BINDIR")) {
    if (!complete(env)) fail(std::string("VKTRAIN_PG_BINDIR=") + env + " holds no initdb and postgres");
    return env;
  }
  fs::path best;
  int best_version = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const int version = std::atoi(e.path().filename().c_str());
    if (version > best_version && complete(e.path() / "bin")) {
      best_version = version;
      best = e.path() / "bin";
    }
  }
  if (best.empty()) fail("no initdb and postgres under /usr/lib/postgresql/*/bin; " + std::string(kInstall));
  return best;
}

fs::path make_temp_dir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + "XXXXXX";
  if (!::mkdtemp(tmpl.data())) fail("mkdtemp failed");
  std::ofstream(fs::path(tmpl) / "owner.pid") << ::getpid() << "\n";
  give_to_server_user(tmpl);
  return tmpl;
}

// Directories of servers whose test process is gone (killed before it could clean up).
void remove_stale_dirs() {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/tmp", ec)) {
    const std::string name = e.path().filename().string();
    if (!name.starts_with("vktrain-pg-") || name.starts_with("vktrain-pg-template-")) continue;
    std::ifstream in(e.path() / "owner.pid");
    long pid = 0;
    if (!(in >> pid) || pid <= 0) continue;
    if (::kill(pid_t(pid), 0) != 0 && errno == ESRCH) fs::remove_all(e.path(), ec);
  }
}

// initdb's output for this server binary and user, made once and kept under /tmp.
fs::path cluster_template(const fs::path& bindir) {
  std::error_code ec;
  const auto stamp = fs::last_write_time(bindir / "postgres", ec).time_since_epoch().count();
  std::ostringstream key;
  key << std::hex << std::hash<std::string>{}(bindir.string() + "@" + std::to_string(stamp));
  const fs::path tmpl = "/tmp/vktrain-pg-template-" + std::to_string(::geteuid()) + "-" + key.str();
  if (fs::exists(tmpl / "data" / "PG_VERSION")) return tmpl;
  const fs::path staging = make_temp_dir("vktrain-pg-tmpl-");
  run({(bindir / "initdb").string(), "-D", (staging / "data").string(), "-U", kAdmin, "--auth-local=trust",
       "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C"},
      staging / "initdb.log", staging);
  // Another test process may have won the race: then its template is as good as ours.
  if (::rename(staging.c_str(), tmpl.c_str()) != 0) fs::remove_all(staging, ec);
  if (!fs::exists(tmpl / "data" / "PG_VERSION")) fail("the cluster template " + tmpl.string() + " is incomplete");
  return tmpl;
}

std::string admin_conninfo(const fs::path& dir, int port, const std::string& database) {
  return "host=" + dir.string() + " port=" + std::to_string(port) + " user=" + kAdmin + " dbname=" + database +
         " connect_timeout=5";
}

}  // namespace

int free_port() {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) throw std::runtime_error("socket failed");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(s);
    throw std::runtime_error("cannot find a free port");
  }
  ::close(s);
  return ntohs(a.sin_port);
}

PostgresServer::PostgresServer() : creator_(::getpid()) {
  bindir_ = find_bindir();
  remove_stale_dirs();
  const fs::path tmpl = cluster_template(bindir_);
  dir_ = make_temp_dir("vktrain-pg-");
  run({"/bin/cp", "-a", (tmpl / "data").string(), (dir_ / "data").string()}, dir_ / "copy.log", dir_);
  // A port free a moment ago may be taken by the time the server binds it: try a few.
  for (int attempt = 0;; ++attempt) {
    port_ = free_port();
    try {
      start();
      break;
    } catch (const std::runtime_error&) {
      const bool port_taken = tail_of(dir_ / "server.log", 20).find("Address already in use") != std::string::npos;
      if (!port_taken || attempt == 4) throw;
    }
  }
  admin("CREATE ROLE " + std::string(kUser) + " LOGIN PASSWORD '" + kPassword + "'");
  create_database(kDatabase);
}

PostgresServer::~PostgresServer() {
  if (::getpid() != creator_) return;
  stop();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void PostgresServer::start() {
  if (pid_ > 0) return;
  pid_ = spawn({(bindir_ / "postgres").string(), "-D", (dir_ / "data").string(), "-c", "listen_addresses=127.0.0.1",
                "-c", "port=" + std::to_string(port_), "-c", "unix_socket_directories=" + dir_.string(), "-c",
                "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c",
                "shared_buffers=16MB", "-c", "max_connections=60", "-c", "logging_collector=off"},
               dir_ / "server.log", dir_);
  const std::string conninfo = admin_conninfo(dir_, port_, "postgres");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (PQping(conninfo.c_str()) != PQPING_OK) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      fail("postgres exited at start: " + tail_of(dir_ / "server.log"));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      stop();
      fail("postgres did not accept connections within 30 s: " + tail_of(dir_ / "server.log"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void PostgresServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGINT);  // fast shutdown: sessions are ended, nothing is kept waiting
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
}

std::string PostgresServer::uri(const std::string& study, const std::string& database, const std::string& extra) const {
  return "postgresql://" + std::string(kUser) + ":" + kPassword + "@127.0.0.1:" + std::to_string(port_) + "/" +
         database + "?study=" + study + (extra.empty() ? "" : "&" + extra);
}

std::vector<std::string> PostgresServer::admin(const std::string& sql, const std::string& database) const {
  PGconn* c = PQconnectdb(admin_conninfo(dir_, port_, database).c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    const std::string why = PQerrorMessage(c);
    PQfinish(c);
    throw std::runtime_error("test server: cannot connect as " + std::string(kAdmin) + ": " + why);
  }
  PGresult* r = PQexec(c, sql.c_str());
  const ExecStatusType status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    const std::string why = PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(c);
    throw std::runtime_error("test server: " + sql + ": " + why);
  }
  std::vector<std::string> rows;
  for (int i = 0; i < PQntuples(r); ++i) rows.emplace_back(PQgetvalue(r, i, 0));
  PQclear(r);
  PQfinish(c);
  return rows;
}

void PostgresServer::create_database(const std::string& name) const {
  admin("CREATE DATABASE " + name + " OWNER " + kUser);
}

void PostgresServer::terminate_backend(int pid) const {
  const auto r = admin("SELECT pg_terminate_backend(" + std::to_string(pid) + ", 10000)");
  if (r.size() != 1 || r[0] != "t") throw std::runtime_error("test server: backend " + std::to_string(pid) + " did not end");
}

PostgresServer& shared_postgres() {
  static PostgresServer server;
  return server;
}

std::string unique_study_name(const std::string& prefix) {
  static std::atomic<int> counter{0};
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

}  // namespace vkt::test
