#include "runtime/memory_accountant.hpp"

#include <algorithm>

namespace vkt {

const char* memory_kind_name(MemoryKind k) {
  switch (k) {
    case MemoryKind::Dataset: return "dataset";
    case MemoryKind::Parameters: return "parameters";
    case MemoryKind::Gradients: return "gradients";
    case MemoryKind::OptimizerState: return "optimizer_state";
    case MemoryKind::Activations: return "activations";
    case MemoryKind::Workspace: return "workspaces";
    case MemoryKind::Staging: return "staging";
    case MemoryKind::Other: return "other";
  }
  return "?";
}

uint64_t MemoryTally::total() const {
  uint64_t t = 0;
  for (uint64_t b : bytes) t += b;
  return t;
}

void MemoryAccountant::add(MemoryKind k, uint64_t bytes) {
  in_use_[k] += bytes;
  peak_by_kind_[k] = std::max(peak_by_kind_[k], in_use_[k]);
  peak_ = std::max(peak_, in_use_.total());
}

void MemoryAccountant::remove(MemoryKind k, uint64_t bytes) { in_use_[k] -= std::min(bytes, in_use_[k]); }

void MemoryAccountant::driver_add(uint64_t bytes) {
  driver_ += bytes;
  driver_peak_ = std::max(driver_peak_, driver_);
}

void MemoryAccountant::driver_remove(uint64_t bytes) { driver_ -= std::min(bytes, driver_); }

void MemoryAccountant::reset_peaks() {
  peak_by_kind_ = in_use_;
  peak_ = in_use_.total();
  driver_peak_ = driver_;
}

}  // namespace vkt
