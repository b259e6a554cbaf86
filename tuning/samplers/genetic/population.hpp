#pragma once
// Which finished trials may parent generation g (trials g*P .. g*P+P-1):
//  - the Complete trials of generation g-1, and
//  - the `elite` best Complete trials of all earlier generations, unchanged (elitism): a good
//    point found long ago is never lost, and is not re-run (that would spend a trial on it).
// Generation membership comes from the trial id, so it needs no state and survives resumes.
// With parallel workers generation g-1 may still be running; if fewer than 2 of its trials are
// complete the pool falls back to every Complete trial so far.
#include <vector>

#include "tuning/space.hpp"
#include "tuning/samplers/genetic/individual.hpp"
#include "tuning/trial.hpp"

namespace vkt::tune::genetic {

std::vector<Individual> parent_pool(const Space& space, const History& history, int64_t generation,
                                    size_t population_size, size_t elite);

}  // namespace vkt::tune::genetic
