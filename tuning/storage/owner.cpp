#include "tuning/storage/owner.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

namespace vkt::tune::storage {
namespace {

std::string hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

}  // namespace

Owner this_process(const std::string& worker) { return Owner{hostname(), int64_t(::getpid()), worker}; }

bool owner_is_dead(const Owner& owner) {
  if (owner.host != hostname() || owner.pid <= 0 || owner.pid == ::getpid()) return false;
  return ::kill(pid_t(owner.pid), 0) != 0 && errno == ESRCH;
}

}  // namespace vkt::tune::storage
