#pragma once
// Which way the objective goes: val_acc is maximized, val_loss minimized.
#include <string>

namespace vkt::tune {

enum class Direction { Maximize, Minimize };

// "maximize"/"minimize" (also "max"/"min"); InputError otherwise.
Direction parse_direction(const std::string& text);
const char* direction_name(Direction d);

// Strictly better. NaN is never better than anything, and anything finite beats NaN.
bool is_better(double a, double b, Direction d);

// The value turned so that larger is always better (fitness for the genetic sampler).
inline double oriented(double value, Direction d) { return d == Direction::Maximize ? value : -value; }

}  // namespace vkt::tune
