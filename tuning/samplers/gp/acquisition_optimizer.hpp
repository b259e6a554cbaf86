#pragma once
// Maximizes the acquisition over the encoded space: score every candidate (one batched
// posterior), then refine the best kRefineStarts distinct ones by L-BFGS in [0,1] over their
// movable coordinates (encoding.hpp; one-hot and condition-naming coordinates held at the
// candidate's values) with the acquisition's analytic x-gradient. The result is the best point
// scored, candidate or refined.
#include <vector>

#include "tuning/samplers/gp/acquisition.hpp"
#include "tuning/samplers/gp/encoding.hpp"
#include "tuning/samplers/gp/gaussian_process.hpp"

namespace vkt::tune::gp {

inline constexpr size_t kRefineStarts = 5;

struct Maximum {
  std::vector<double> x;
  double value = 0;
};

// candidates must not be empty.
Maximum maximize_acquisition(const GaussianProcess& gp, const Acquisition& acquisition, const Encoding& encoding,
                             const Points& candidates);

}  // namespace vkt::tune::gp
