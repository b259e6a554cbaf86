#include "tuning/storage/pg_lease.hpp"

#include <chrono>

#include "tuning/storage/owner.hpp"
#include "tuning/storage/pg_connection.hpp"

namespace vkt::tune::storage::pg {

Lease::Lease(const StudyUri& uri, const Owner& me, double heartbeat_s) : uri_(uri), me_(me), heartbeat_s_(heartbeat_s) {
  renew();
  thread_ = std::thread([this] { loop(); });
}

Lease::~Lease() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  try {
    if (conn_ && !conn_->broken())
      conn_->exec("DELETE FROM vktrain_leases WHERE study = $1 AND owner = $2", {uri_.study, owner_key(me_)});
  } catch (const Error&) {
  }
}

void Lease::renew() {
  if (!conn_ || conn_->broken()) {
    conn_.reset();
    conn_ = std::make_unique<Connection>(uri_.conninfo, uri_.secrets, uri_.display);
  }
  conn_->exec(
      "INSERT INTO vktrain_leases (study, owner, worker, heartbeat_s, renewed) VALUES ($1, $2, $3, $4, now())"
      " ON CONFLICT (study, owner) DO UPDATE SET renewed = now(), worker = EXCLUDED.worker,"
      " heartbeat_s = EXCLUDED.heartbeat_s",
      {uri_.study, owner_key(me_), me_.worker, std::to_string(heartbeat_s_)});
}

void Lease::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  double wait_s = heartbeat_s_;
  while (!wake_.wait_for(lock, std::chrono::duration<double>(wait_s), [this] { return stopping_; })) {
    lock.unlock();
    try {
      renew();
      wait_s = heartbeat_s_;
    } catch (const std::exception&) {
      // The server is away (restarting, unreachable): try again soon. The main connection's
      // retries report the outage; if it lasts 3 heartbeats our trial may go to another worker,
      // which append_as_owner tells us when we are back.
      conn_.reset();
      wait_s = heartbeat_s_ / 4;
    }
    lock.lock();
  }
}

std::map<std::string, bool> read_leases(Connection& c, const std::string& study) {
  const Result r = c.exec(
      "SELECT owner, now() - renewed > make_interval(secs => 3 * heartbeat_s) FROM vktrain_leases WHERE study = $1",
      {study});
  std::map<std::string, bool> leases;
  for (int row = 0; row < r.rows(); ++row) leases[r.text(row, 0)] = r.text(row, 1) == "t";
  return leases;
}

}  // namespace vkt::tune::storage::pg
