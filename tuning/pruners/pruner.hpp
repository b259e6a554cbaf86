#pragma once
// The pruner interface: after each epoch a running trial reports its value, and the pruner
// says whether it looks bad enough to stop early. The history already holds the report.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "tuning/trial.hpp"

namespace vkt::tune {

class Pruner {
 public:
  virtual ~Pruner() = default;
  virtual std::string name() const = 0;
  virtual nlohmann::json config() const = 0;  // part of the study's fingerprint
  virtual bool should_prune(int64_t trial_id, int epoch, double value, const History& history) = 0;
};

class NoPruner : public Pruner {
 public:
  std::string name() const override { return "none"; }
  nlohmann::json config() const override { return {{"name", "none"}}; }
  bool should_prune(int64_t, int, double, const History&) override { return false; }
};

}  // namespace vkt::tune
