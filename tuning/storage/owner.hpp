#pragma once
// Process identity for trial ownership. A trial whose owner died (crash, kill, power loss)
// stays "running" in the journal; it is an orphan once we can tell its owner is gone: on this
// host by its pid (owner_is_dead), on any host by its lease (pg_lease.hpp).
#include <string>

#include "tuning/trial.hpp"

namespace vkt::tune::storage {

// This host's identity in trial owners: $VKTRAIN_HOST_ID when set and not empty, else the
// hostname. Set it where hostnames are not unique across the study's machines (containers
// often share one), or to give processes on one machine distinct identities (tests). Read at
// the first call; the process keeps it.
const std::string& host_id();

// This process: host_id(), pid and the given worker label.
Owner this_process(const std::string& worker);

// The key of an owner's lease: host and pid, which are unique among live processes.
std::string owner_key(const Owner& owner);

bool same_owner(const Owner& a, const Owner& b);

// True only when the owner ran on this host, is not this process, and kill(pid, 0) says no such
// process. An owner on another host is never judged dead here: we cannot see its processes,
// and wrongly resuming a live trial would run it twice (leases judge those).
bool owner_is_dead(const Owner& owner);

}  // namespace vkt::tune::storage
