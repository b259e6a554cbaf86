#pragma once
// Params <-> the GP's input vector in [0,1]^d, one slot per searched parameter in the space's
// order:
//  - float and int: one coordinate, normalize.hpp's to_unit (log parameters linear in log
//    space). Ints are continuous to the model; decoding rounds them onto their step grid.
//  - categorical with k choices: k one-hot coordinates, so no order is imposed on the choices
//    and each gets its own length scale.
//  - an inactive (conditional) parameter: a fixed value, 0.5 for a number and all zeros for a
//    categorical. Two trials where it is inactive then agree on it, as they should; against a
//    trial where it is active it adds at most half the range (numbers: 0.5 is the centre, the
//    value nearest on average to any active one) or one unit (categoricals: equally far from
//    every choice), on top of the difference in the categorical that switched it, which the
//    one-hot coordinates already count. Any constant would be consistent; this one adds the
//    least spurious distance.
//
// A local optimizer must not change which parameters are active (that would jump between
// subspaces the gradient knows nothing about), so it moves only the `movable` coordinates:
// numbers that are active and that no parameter's condition names. One-hot coordinates stay
// at the starting point's choice.
#include <span>
#include <vector>

#include "tuning/space.hpp"

namespace vkt::tune::gp {

inline constexpr double kInactiveNumber = 0.5;

class Encoding {
 public:
  explicit Encoding(const Space& space);  // keeps a reference to space

  size_t dims() const { return dims_; }

  // Params holding a searched parameter's name treat it as active; others as inactive.
  std::vector<double> encode(const Params& params) const;

  // The active parameters, in dependency order: numbers by from_unit (clamped, rounded onto
  // the int grid), categoricals by their largest one-hot coordinate. A categorical whose
  // coordinates are all zero (inactive in x, yet active by the decoded values) is left out,
  // for resolve_conditions to draw.
  Params decode(std::span<const double> x) const;

  std::vector<bool> movable(std::span<const double> x) const;

 private:
  struct Slot {
    const Parameter* parameter;
    size_t offset;          // first coordinate
    bool names_condition;   // some parameter's `when` refers to it
  };

  const Space& space_;
  std::vector<Slot> slots_;
  size_t dims_ = 0;
};

}  // namespace vkt::tune::gp
