#pragma once
// Process identity for trial ownership. A trial whose owner died (crash, kill, power loss)
// stays "running" in the journal; it is an orphan once we can tell its owner is gone.
#include <string>

#include "tuning/trial.hpp"

namespace vkt::tune::storage {

// This process: hostname, pid and the given worker label.
Owner this_process(const std::string& worker);

// True only when the owner ran on this host, is not this process, and kill(pid, 0) says no such
// process. An owner on another host is never judged dead: we cannot see its processes, and
// wrongly resuming a live trial would run it twice.
bool owner_is_dead(const Owner& owner);

}  // namespace vkt::tune::storage
