#pragma once
// A self-contained HTML page for a study (no scripts, no network): the ranked trial table and
// four inline SVG plots — best value so far against trial number, each parameter against the
// objective, parallel coordinates over all parameters, and the learning curves of the top
// trials.
#include <string>

#include "tuning/trial.hpp"

namespace vkt::tune {

std::string report_html(const StudyState& state, Direction direction, const std::string& title);

}  // namespace vkt::tune
