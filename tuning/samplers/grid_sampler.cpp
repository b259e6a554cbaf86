#include "tuning/samplers/grid_sampler.hpp"

#include "util/error.hpp"

namespace vkt::tune {
namespace {

std::vector<Value> grid_values(const Parameter& p) {
  std::vector<Value> out;
  switch (p.type) {
    case ParamType::Categorical:
      return p.choices;
    case ParamType::Float:
      if (p.grid_values.empty())
        throw InputError("search space: '" + p.name + "': the grid sampler needs \"values\" or \"count\" for a float",
                         "add e.g. \"count\": 5 to the parameter");
      for (double v : p.grid_values) out.push_back(v);
      return out;
    case ParamType::Int:
      if (p.log) {
        for (auto v = int64_t(p.low); v <= int64_t(p.high); ++v) out.push_back(v);
      } else {
        for (auto v = int64_t(p.low); v <= int64_t(p.high); v += p.step) out.push_back(v);
      }
      return out;
  }
  return out;
}

void expand(const Space& space, size_t index, Params& partial, std::vector<Params>& out, size_t max_points) {
  const auto& params = space.parameters();
  if (index == params.size()) {
    if (out.size() >= max_points)
      throw InputError("search space: the grid has more than " + std::to_string(max_points) + " points",
                       "use fewer grid values or the random/genetic sampler");
    out.push_back(partial);
    return;
  }
  const Parameter& p = params[index];
  if (!space.is_active(p, partial)) {
    expand(space, index + 1, partial, out, max_points);
    return;
  }
  for (const Value& v : grid_values(p)) {
    partial[p.name] = v;
    expand(space, index + 1, partial, out, max_points);
  }
  partial.erase(p.name);
}

}  // namespace

std::vector<Params> enumerate_grid(const Space& space, size_t max_points) {
  for (const auto& p : space.parameters()) grid_values(p);  // report a missing grid even in an unreached branch
  std::vector<Params> out;
  Params partial;
  expand(space, 0, partial, out, max_points);
  return out;
}

std::optional<Params> GridSampler::sample(const Space& space, const History&) {
  if (points_for_space_ != space.space_hash() || points_.empty()) {
    points_ = enumerate_grid(space);
    points_for_space_ = space.space_hash();
  }
  if (next_ >= points_.size()) return std::nullopt;
  return points_[next_++];
}

std::vector<uint8_t> GridSampler::save_state() const {
  std::vector<uint8_t> out;
  for (int b = 0; b < 8; ++b) out.push_back(uint8_t(next_ >> (8 * b)));
  return out;
}

void GridSampler::restore_state(std::span<const uint8_t> state) {
  if (state.size() != 8) throw Error("grid sampler state has " + std::to_string(state.size()) + " bytes, expected 8");
  next_ = 0;
  for (int b = 0; b < 8; ++b) next_ |= uint64_t(state[b]) << (8 * b);
}

}  // namespace vkt::tune
