#pragma once
// How long to wait between reconnection attempts: 0.1 s, doubling, at most 5 s apart, until
// the time allowed since the first failure is spent. Short first waits catch a terminated
// backend or a quick server restart at once; the cap keeps a long outage from being noticed
// late once the server is back.
#include <functional>
#include <optional>

namespace vkt::tune::storage {

class Backoff {
 public:
  // `now` returns seconds on a monotonic clock (injectable for tests).
  explicit Backoff(double timeout_s, std::function<double()> now = {}, double first_s = 0.1, double max_s = 5);

  // The wait before the next attempt, never past the deadline; nullopt once it has passed.
  std::optional<double> next_delay();
  double timeout_s() const { return timeout_s_; }

 private:
  std::function<double()> now_;
  double timeout_s_, deadline_, delay_, max_;
};

}  // namespace vkt::tune::storage
