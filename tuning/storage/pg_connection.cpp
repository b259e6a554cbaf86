#include "tuning/storage/pg_connection.hpp"

#include <libpq-fe.h>

#include <cstring>
#include <optional>

#include "tuning/storage/pg_uri.hpp"

namespace vkt::tune::storage::pg {
namespace {

// SQLSTATEs that mean "the connection is going or gone", beside libpq itself seeing it
// broken: class 08 (connection exception), admin_shutdown (our backend terminated, or the
// server shutting down), crash_shutdown, cannot_connect_now (starting up or shutting down).
bool is_connection_state(const char* sqlstate) {
  if (!sqlstate) return false;
  return std::strncmp(sqlstate, "08", 2) == 0 || std::strcmp(sqlstate, "57P01") == 0 ||
         std::strcmp(sqlstate, "57P02") == 0 || std::strcmp(sqlstate, "57P03") == 0;
}

}  // namespace

std::string first_line(const std::string& message) {
  std::string line = message.substr(0, message.find('\n'));
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.pop_back();
  return line.empty() ? "(no message from libpq)" : line;
}

Result::~Result() {
  if (r_) PQclear(r_);
}

int Result::rows() const { return PQntuples(r_); }

std::string Result::text(int row, int col) const {
  return std::string(PQgetvalue(r_, row, col), size_t(PQgetlength(r_, row, col)));
}

std::span<const uint8_t> Result::bytes(int row, int col) const {
  return {reinterpret_cast<const uint8_t*>(PQgetvalue(r_, row, col)), size_t(PQgetlength(r_, row, col))};
}

int64_t Result::integer(int row, int col) const {
  if (PQgetisnull(r_, row, col)) throw Error("unexpected NULL in column " + std::string(PQfname(r_, col)));
  if (PQfformat(r_, col) == 0) return std::stoll(text(row, col));
  const auto b = bytes(row, col);
  if (b.size() != 2 && b.size() != 4 && b.size() != 8)
    throw Error("column " + std::string(PQfname(r_, col)) + " is no integer");
  uint64_t v = 0;
  for (uint8_t byte : b) v = v << 8 | byte;
  const int shift = int(64 - 8 * b.size());  // sign-extend int2 and int4
  return shift ? int64_t(v << shift) >> shift : int64_t(v);
}

Connection::Connection(const std::string& conninfo, std::vector<std::string> secrets, std::string label)
    : conn_(PQconnectdb(conninfo.c_str())), secrets_(std::move(secrets)), label_(std::move(label)) {
  if (!conn_) throw ConnectFailed("libpq is out of memory");
  if (PQstatus(conn_) != CONNECTION_OK) {
    const std::string why = scrub(first_line(PQerrorMessage(conn_)), secrets_);
    PQfinish(conn_);
    throw ConnectFailed(why);
  }
  // NOTICEs (e.g. "relation already exists, skipping") are not for the user's terminal.
  PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::broken() const { return PQstatus(conn_) == CONNECTION_BAD; }

int Connection::backend_pid() const { return PQbackendPID(conn_); }

namespace {

struct Arrays {
  explicit Arrays(std::span<const Param> params) {
    for (const Param& p : params) {
      values.push_back(p.data);
      lengths.push_back(p.length);
      formats.push_back(p.binary ? 1 : 0);
    }
  }
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
};

bool succeeded(const PGresult* raw) {
  const ExecStatusType status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

}  // namespace

void Connection::fail(const PGresult* raw) const {
  const std::string why = scrub(first_line(raw ? PQresultErrorMessage(raw) : PQerrorMessage(conn_)), secrets_);
  if (broken() || is_connection_state(raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr))
    throw ConnectionLost(why);
  throw Error(label_ + ": " + why);
}

Result Connection::exec(const std::string& sql, std::initializer_list<Param> params, bool binary_result) {
  return exec_params(sql, std::span<const Param>(params.begin(), params.size()), binary_result);
}

Result Connection::exec(const Statement& s) { return exec_params(s.sql, s.params, s.binary_result); }

Result Connection::exec_params(const std::string& sql, std::span<const Param> params, bool binary_result) {
  const Arrays a(params);
  PGresult* raw = PQexecParams(conn_, sql.c_str(), int(a.values.size()), nullptr, a.values.data(), a.lengths.data(),
                               a.formats.data(), binary_result ? 1 : 0);
  Result r(raw);
  if (!succeeded(raw)) fail(raw);
  return r;
}

std::vector<Result> Connection::exec_flight(const std::vector<Statement>& statements) {
  if (!PQenterPipelineMode(conn_)) fail(nullptr);
  bool sent = true;
  for (const Statement& s : statements) {
    const Arrays a(s.params);
    sent = PQsendQueryParams(conn_, s.sql.c_str(), int(a.values.size()), nullptr, a.values.data(), a.lengths.data(),
                             a.formats.data(), s.binary_result ? 1 : 0) == 1;
    if (!sent) break;
  }
  // Blocking mode is safe here: every statement is on its way before the first result is
  // read, so a large result cannot stall a send.
  if (!sent || !PQpipelineSync(conn_)) fail(nullptr);  // the connection is dropped, pipeline and all

  std::vector<Result> results;
  std::optional<Result> failure;  // the first statement that failed; the server skipped the rest
  bool lost = false;
  for (size_t i = 0; i < statements.size() && !lost; ++i) {
    PGresult* raw = PQgetResult(conn_);
    if (!raw) {
      lost = true;
      break;
    }
    Result r(raw);
    const bool ok = succeeded(raw);
    while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);  // the NULL that ends one statement's results
    if (ok) {
      results.push_back(std::move(r));
    } else if (!failure && PQresultStatus(raw) != PGRES_PIPELINE_ABORTED) {
      failure.emplace(std::move(r));
    }
    if (broken()) lost = true;
  }
  if (!lost) {
    Result sync(PQgetResult(conn_));  // the end of the flight
    lost = broken();
  }
  if (!lost) PQexitPipelineMode(conn_);
  if (failure) fail(failure->raw());
  if (lost || results.size() != statements.size()) fail(nullptr);
  return results;
}

Transaction::Transaction(Connection& c, Begun begun) : c_(c) {
  if (begun == Begun::Now) c_.exec("BEGIN");
}

Transaction::~Transaction() {
  if (done_ || c_.broken()) return;
  try {
    c_.exec("ROLLBACK");
  } catch (const Error&) {
  }
}

void Transaction::commit() {
  done_ = true;
  c_.exec("COMMIT");
}

}  // namespace vkt::tune::storage::pg
