#include "tuning/normalize.hpp"

#include <algorithm>
#include <cmath>

#include "util/error.hpp"

namespace vkt::tune {

double to_unit(const Parameter& p, const Value& v) {
  if (p.type == ParamType::Categorical) {
    for (size_t i = 0; i < p.choices.size(); ++i)
      if (values_equal(p.choices[i], v)) return (double(i) + 0.5) / double(p.choices.size());
    throw Error("internal: " + to_string(v) + " is not a choice of " + p.name);
  }
  const double x = as_double(v);
  const double u = p.log ? (std::log(x) - std::log(p.low)) / (std::log(p.high) - std::log(p.low))
                         : (x - p.low) / (p.high - p.low);
  return std::clamp(u, 0.0, 1.0);
}

Value from_unit(const Parameter& p, double u) {
  u = std::clamp(std::isnan(u) ? 0.5 : u, 0.0, 1.0);
  switch (p.type) {
    case ParamType::Categorical: {
      const auto n = p.choices.size();
      return p.choices[std::min(n - 1, size_t(u * double(n)))];
    }
    case ParamType::Float: {
      const double x = p.log ? std::exp(std::log(p.low) + u * (std::log(p.high) - std::log(p.low)))
                             : p.low + u * (p.high - p.low);
      return std::clamp(x, p.low, p.high);  // exp/log round-off must not step outside
    }
    case ParamType::Int: {
      if (p.log) {
        const double x = std::exp(std::log(p.low) + u * (std::log(p.high) - std::log(p.low)));
        return int64_t(std::clamp(std::round(x), p.low, p.high));
      }
      const auto steps = int64_t((p.high - p.low) / double(p.step));
      const auto k = std::clamp(int64_t(std::llround(u * double(steps))), int64_t(0), steps);
      return int64_t(p.low) + k * p.step;
    }
  }
  throw Error("internal: unknown parameter type");
}

Value draw_value(const Parameter& p, Rng& rng) {
  switch (p.type) {
    case ParamType::Categorical:
      return p.choices[rng.below(p.choices.size())];
    case ParamType::Float:
      return from_unit(p, rng.uniform());
    case ParamType::Int: {
      if (p.log) {
        // Widen by half a unit at each end so the end values are as likely as their neighbours.
        const double x = std::exp(rng.uniform(std::log(p.low - 0.5 > 0 ? p.low - 0.5 : p.low), std::log(p.high + 0.5)));
        return int64_t(std::clamp(std::round(x), p.low, p.high));
      }
      const auto steps = uint64_t((p.high - p.low) / double(p.step));
      return int64_t(p.low) + int64_t(rng.below(steps + 1)) * p.step;
    }
  }
  throw Error("internal: unknown parameter type");
}

Params resolve_conditions(const Space& space, const Params& proposal, Rng& rng) {
  Params out;
  for (const auto& p : space.parameters()) {
    if (!space.is_active(p, out)) continue;
    const auto it = proposal.find(p.name);
    out[p.name] = (it != proposal.end() && is_legal(p, it->second)) ? it->second : draw_value(p, rng);
  }
  return out;
}

}  // namespace vkt::tune
