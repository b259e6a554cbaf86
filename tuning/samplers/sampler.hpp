#pragma once
// The sampler interface: proposes the next trial's params from the space and the history.
// A sampler's whole memory is save_state(): the study journals it after every proposal and
// restores it before the next one, so a resumed study, or another process sharing the study,
// continues the very same sequence. New samplers (e.g. TPE) implement just this.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tuning/space.hpp"
#include "tuning/trial.hpp"

namespace vkt::tune {

class Sampler {
 public:
  virtual ~Sampler() = default;

  virtual std::string name() const = 0;
  // The settings that shape its proposals (seed, population, ...). Part of the study's
  // fingerprint: reopening a study with other settings is refused.
  virtual nlohmann::json config() const = 0;

  // The searched (not fixed) params of the next trial; nullopt when nothing is left (grid).
  // `history.trials.size()` is the id the proposal will get.
  virtual std::optional<Params> sample(const Space& space, const History& history) = 0;

  virtual std::vector<uint8_t> save_state() const = 0;
  virtual void restore_state(std::span<const uint8_t> state) = 0;
};

}  // namespace vkt::tune
