#pragma once
// A self-contained HTML page for a study (no scripts, no network): the ranked trial table and
// inline SVG plots — best value so far against trial number, each parameter against the
// objective, parallel coordinates over all parameters, the learning curves (each pruned trial's
// marked where it was cut), and the parameters' fANOVA importances.
#include <string>

#include "tuning/trial.hpp"

namespace vkt::tune {

std::string report_html(const StudyState& state, Direction direction, const std::string& title);

}  // namespace vkt::tune
