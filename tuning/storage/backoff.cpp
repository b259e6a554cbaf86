#include "tuning/storage/backoff.hpp"

#include <algorithm>
#include <chrono>

namespace vkt::tune::storage {

Backoff::Backoff(double timeout_s, std::function<double()> now, double first_s, double max_s)
    : now_(now ? std::move(now)
               : [] { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }),
      timeout_s_(timeout_s),
      deadline_(now_() + timeout_s),
      delay_(first_s),
      max_(max_s) {}

std::optional<double> Backoff::next_delay() {
  const double left = deadline_ - now_();
  if (left <= 0) return std::nullopt;
  const double d = std::min(delay_, left);
  delay_ = std::min(delay_ * 2, max_);
  return d;
}

}  // namespace vkt::tune::storage
