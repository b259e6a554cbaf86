#include "tuning/samplers/tpe/model_space.hpp"

#include <algorithm>
#include <cmath>

#include "util/error.hpp"

namespace vkt::tune::tpe {
namespace {

int64_t grid_steps(const Parameter& p) { return (int64_t(p.high) - int64_t(p.low)) / p.step; }

}  // namespace

Dimension dimension_of(const Parameter& p) {
  Dimension d;
  switch (p.type) {
    case ParamType::Categorical:
      d.kind = Dimension::Kind::Categorical;
      d.choices = p.choices.size();
      break;
    case ParamType::Float:
      d.kind = Dimension::Kind::Continuous;
      d.low = p.log ? std::log(p.low) : p.low;
      d.high = p.log ? std::log(p.high) : p.high;
      break;
    case ParamType::Int:
      if (p.log) {
        d.kind = Dimension::Kind::LogInteger;
        d.low = std::log(p.low - 0.5);  // low >= 1 for a log int, so this is finite
        d.high = std::log(p.high + 0.5);
      } else {
        d.kind = Dimension::Kind::Stepped;
        d.step = 1;
        d.low = -0.5;
        d.high = double(grid_steps(p)) + 0.5;
      }
      break;
  }
  return d;
}

double to_model(const Parameter& p, const Value& v) {
  switch (p.type) {
    case ParamType::Categorical:
      for (size_t i = 0; i < p.choices.size(); ++i)
        if (values_equal(p.choices[i], v)) return double(i);
      throw Error("internal: " + to_string(v) + " is not a choice of " + p.name);
    case ParamType::Float:
      return p.log ? std::log(as_double(v)) : as_double(v);
    case ParamType::Int:
      return p.log ? std::log(as_double(v)) : (as_double(v) - p.low) / double(p.step);
  }
  throw Error("internal: unknown parameter type");
}

Value from_model(const Parameter& p, double x) {
  switch (p.type) {
    case ParamType::Categorical: {
      const auto last = double(p.choices.size() - 1);
      return p.choices[size_t(std::clamp(std::round(x), 0.0, last))];
    }
    case ParamType::Float:
      return std::clamp(p.log ? std::exp(x) : x, p.low, p.high);
    case ParamType::Int: {
      if (p.log) return int64_t(std::clamp(std::round(std::exp(x)), p.low, p.high));
      const auto k = std::clamp(int64_t(std::llround(x)), int64_t(0), grid_steps(p));
      return int64_t(p.low) + k * p.step;
    }
  }
  throw Error("internal: unknown parameter type");
}

std::vector<Point> observations_of(const std::vector<const Parameter*>& params,
                                   const std::vector<const Trial*>& group) {
  std::vector<Point> out;
  for (const Trial* t : group) {
    Point x;
    for (const Parameter* p : params) {
      const auto it = t->params.find(p->name);
      if (it == t->params.end() || !is_legal(*p, it->second)) break;
      x.push_back(to_model(*p, it->second));
    }
    if (x.size() == params.size()) out.push_back(std::move(x));
  }
  return out;
}

}  // namespace vkt::tune::tpe
