#pragma once
// Folding records into the in-memory StudyState. The same function serves replay on open,
// records other processes appended, and our own appends, so all three always agree.
#include "tuning/storage/records.hpp"

namespace vkt::tune::storage {

// Throws Error (without offset; the journal adds it) for a record that contradicts the state,
// e.g. a trial id that skips ahead or an epoch for an unknown trial.
void apply_record(StudyState& state, const Record& record);

}  // namespace vkt::tune::storage
