#include "tuning/storage/owner.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace vkt::tune::storage {

namespace {

std::string read_host_id() {
  if (const char* id = std::getenv("VKTRAIN_HOST_ID"); id && *id) return id;
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

}  // namespace

// Read once: owner_is_dead asks for it for every running trial at every claim.
const std::string& host_id() {
  static const std::string id = read_host_id();
  return id;
}

Owner this_process(const std::string& worker) { return Owner{host_id(), int64_t(::getpid()), worker}; }

std::string owner_key(const Owner& owner) { return owner.host + "/" + std::to_string(owner.pid); }

bool same_owner(const Owner& a, const Owner& b) { return a.host == b.host && a.pid == b.pid && a.worker == b.worker; }

bool owner_is_dead(const Owner& owner) {
  if (owner.host != host_id() || owner.pid <= 0 || owner.pid == ::getpid()) return false;
  return ::kill(pid_t(owner.pid), 0) != 0 && errno == ESRCH;
}

}  // namespace vkt::tune::storage
