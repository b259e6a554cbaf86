#include "tuning/direction.hpp"

#include <cmath>

#include "util/error.hpp"

namespace vkt::tune {

Direction parse_direction(const std::string& text) {
  if (text == "maximize" || text == "max") return Direction::Maximize;
  if (text == "minimize" || text == "min") return Direction::Minimize;
  throw InputError("unknown objective direction '" + text + "'", "use maximize or minimize");
}

const char* direction_name(Direction d) { return d == Direction::Maximize ? "maximize" : "minimize"; }

bool is_better(double a, double b, Direction d) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  return d == Direction::Maximize ? a > b : a < b;
}

}  // namespace vkt::tune
