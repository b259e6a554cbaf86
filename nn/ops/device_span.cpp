#include "nn/ops/device_span.hpp"

#include <string>

#include "util/error.hpp"

namespace vkt::nn {

void require_span(const char* op, const char* what, DeviceSpan s, uint64_t n) {
  if (s.buffer == nullptr || s.count < n)
    throw Error(std::string(op) + ": " + what + " holds " + std::to_string(s.buffer ? s.count : 0) +
                " floats, needs " + std::to_string(n));
  if (n > 0xFFFFFFFFull) throw InputError(std::string(op) + ": " + std::to_string(n) + " elements are too many");
}

}  // namespace vkt::nn
