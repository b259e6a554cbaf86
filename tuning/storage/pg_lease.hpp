#pragma once
// A worker's lease on a PostgreSQL study: one row of vktrain_leases (pg_schema.hpp) that the
// worker renews every heartbeat from a thread with a connection of its own, so a long epoch,
// a slow trial command or the main connection's retries never delay it. Time is the server's
// (now() at each renewal), so hosts need not agree on the clock.
//
// A lease expires when it has not been renewed for 3 heartbeats (the worker's own heartbeat,
// stored in its row). The owner of a running trial is judged gone when its lease has expired
// or is missing (a worker gives its lease up on a clean exit, when it runs nothing): then any
// worker, on any host, may take the trial over. A worker that was only stalled (stopped,
// swapped out, cut off from the server) and comes back finds its trial owned by another and
// drops it (Storage::append_as_owner).
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "tuning/storage/pg_uri.hpp"
#include "tuning/trial.hpp"

namespace vkt::tune::storage::pg {

class Connection;

class Lease {
 public:
  // Takes the lease (the first renewal happens here, so an error is the caller's) and starts
  // renewing it every `heartbeat_s` seconds.
  Lease(const StudyUri& uri, const Owner& me, double heartbeat_s);
  // Stops renewing and gives the lease up, best effort: if the server cannot be reached, the
  // lease simply expires.
  ~Lease();
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

 private:
  void renew();
  void loop();

  StudyUri uri_;
  Owner me_;
  double heartbeat_s_;
  std::unique_ptr<Connection> conn_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

// The study's leases as the server sees them now: owner key (owner_key) -> expired.
std::map<std::string, bool> read_leases(Connection& c, const std::string& study);

}  // namespace vkt::tune::storage::pg
