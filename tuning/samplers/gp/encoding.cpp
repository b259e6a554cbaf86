#include "tuning/samplers/gp/encoding.hpp"

#include <algorithm>
#include <set>

#include "tuning/normalize.hpp"

namespace vkt::tune::gp {

Encoding::Encoding(const Space& space) : space_(space) {
  std::set<std::string> condition_keys;
  for (const Parameter& p : space.parameters())
    for (const Condition& c : p.when) condition_keys.insert(c.key);
  for (const Parameter& p : space.parameters()) {
    slots_.push_back({&p, dims_, condition_keys.count(p.name) > 0});
    dims_ += p.numeric() ? 1 : p.choices.size();
  }
}

std::vector<double> Encoding::encode(const Params& params) const {
  std::vector<double> x(dims_, 0.0);
  for (const Slot& s : slots_) {
    const Parameter& p = *s.parameter;
    const auto it = params.find(p.name);
    if (p.numeric()) {
      x[s.offset] = it == params.end() ? kInactiveNumber : to_unit(p, it->second);
    } else if (it != params.end()) {
      const double u = to_unit(p, it->second);  // the middle of the choice's slot
      x[s.offset + size_t(u * double(p.choices.size()))] = 1.0;
    }
  }
  return x;
}

Params Encoding::decode(std::span<const double> x) const {
  Params out;
  for (const Slot& s : slots_) {
    const Parameter& p = *s.parameter;
    if (!space_.is_active(p, out)) continue;
    if (p.numeric()) {
      out[p.name] = from_unit(p, x[s.offset]);
      continue;
    }
    const auto first = x.begin() + std::ptrdiff_t(s.offset);
    const auto chosen = std::max_element(first, first + std::ptrdiff_t(p.choices.size()));
    if (*chosen > 0) out[p.name] = p.choices[size_t(chosen - first)];
  }
  return out;
}

std::vector<bool> Encoding::movable(std::span<const double> x) const {
  const Params active = decode(x);
  std::vector<bool> out(dims_, false);
  for (const Slot& s : slots_)
    if (s.parameter->numeric() && !s.names_condition && active.count(s.parameter->name)) out[s.offset] = true;
  return out;
}

}  // namespace vkt::tune::gp
