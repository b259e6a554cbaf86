#pragma once
// Every combination of the grid, in a fixed order (parameters in dependency order, values
// ascending as listed), one per trial. Conditional parameters multiply only the branches
// where their condition holds. Floats need "values" or "count" in the space.
#include "tuning/samplers/sampler.hpp"

namespace vkt::tune {

// All grid points; InputError naming the key for a float without a grid, or a grid too large.
std::vector<Params> enumerate_grid(const Space& space, size_t max_points = 1'000'000);

class GridSampler : public Sampler {
 public:
  std::string name() const override { return "grid"; }
  nlohmann::json config() const override { return {{"name", "grid"}}; }
  // nullopt once every point has been proposed.
  std::optional<Params> sample(const Space& space, const History& history) override;
  std::vector<uint8_t> save_state() const override;
  void restore_state(std::span<const uint8_t> state) override;

  uint64_t next_index() const { return next_; }

 private:
  uint64_t next_ = 0;  // the state: how many points were handed out
  std::vector<Params> points_;
  uint64_t points_for_space_ = 0;  // space_hash the cached points belong to (0 = none)
};

}  // namespace vkt::tune
