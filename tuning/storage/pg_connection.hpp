#pragma once
// A small RAII layer over libpq: a connection, a result, a transaction, and statements with
// parameters (text, or binary for bytea). Its errors tell the retry logic what it needs to
// know: was the connection lost, so the statement may or may not have taken effect and a new
// connection may do better (ConnectionLost), or did the server refuse it (Error)?
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "util/error.hpp"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace vkt::tune::storage::pg {

// The connection broke, or the server is going away (shut down, restarting, our backend
// terminated): worth a new connection.
class ConnectionLost : public Error {
 public:
  using Error::Error;
};

// Connecting failed (no server, wrong password, no such database...). The first connection
// of a study reports it at once; a reconnection after a loss keeps trying until its deadline.
class ConnectFailed : public Error {
 public:
  using Error::Error;
};

// The first line of a libpq message, trailing whitespace removed: libpq adds hints on lines
// of their own, and our errors are one line.
std::string first_line(const std::string& message);

// A statement parameter: text, or raw bytes sent in binary format (for bytea columns).
struct Param {
  Param(const std::string& text) : data(text.data()), length(int(text.size())), binary(false) {}
  Param(std::span<const uint8_t> bytes)
      : data(reinterpret_cast<const char*>(bytes.data())), length(int(bytes.size())), binary(true) {}
  const char* data;
  int length;
  bool binary;
};

// One statement of a flight (Connection::exec_flight). The parameters point into strings and
// buffers the caller keeps alive until the flight returns.
struct Statement {
  std::string sql;
  std::vector<Param> params;
  bool binary_result = false;
};

class Result {
 public:
  explicit Result(PGresult* r) : r_(r) {}
  ~Result();
  Result(Result&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;

  int rows() const;
  std::string text(int row, int col) const;
  std::span<const uint8_t> bytes(int row, int col) const;
  // An integer column, from text or binary (big-endian int2/int4/int8) results alike.
  int64_t integer(int row, int col) const;
  const PGresult* raw() const { return r_; }

 private:
  PGresult* r_;
};

class Connection {
 public:
  // Connects; ConnectFailed with libpq's first message line, every secret scrubbed. A
  // statement the server refuses is an Error starting with `label` (the study's URI).
  Connection(const std::string& conninfo, std::vector<std::string> secrets, std::string label);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one statement. `binary_result` asks for every column in binary format.
  Result exec(const std::string& sql, std::initializer_list<Param> params = {}, bool binary_result = false);
  Result exec(const Statement& statement);
  // Sends the statements at once and then reads their results, in order: one round trip
  // instead of one per statement (libpq's pipeline mode). They run one after another as
  // exec would run them; the first that fails throws as exec would, and the server skips
  // the rest of the flight. Inside a transaction that leaves it failed: roll it back.
  std::vector<Result> exec_flight(const std::vector<Statement>& statements);
  bool broken() const;
  int backend_pid() const;

 private:
  // Throws what a failed statement (or, with nullptr, the connection) means: ConnectionLost
  // or Error.
  [[noreturn]] void fail(const PGresult* failed) const;
  Result exec_params(const std::string& sql, std::span<const Param> params, bool binary_result);

  PGconn* conn_;
  std::vector<std::string> secrets_;
  std::string label_;
};

// BEGIN now, or in the caller's first flight (InFlight); ROLLBACK on destruction unless
// committed (a failing ROLLBACK is ignored: on a broken connection the server has rolled back
// already).
class Transaction {
 public:
  enum class Begun { Now, InFlight };
  explicit Transaction(Connection& c, Begun begun = Begun::Now);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();
  // COMMIT went out in a flight that succeeded.
  void committed() { done_ = true; }

 private:
  Connection& c_;
  bool done_ = false;
};

}  // namespace vkt::tune::storage::pg
