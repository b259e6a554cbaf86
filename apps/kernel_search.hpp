#pragma once
// What `vktrain tune-kernels`' two searches share (apps/tune_kernels.cpp: a GEMM kernel's
// shapes; apps/tune_conv_width.cpp: a convolution route's width): the sampler's loop, the
// objective (a proposal's time over the rule's, the two timed in turns), the rows and the
// best it reports, and the closing line.
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "apps/tune_kernels.hpp"
#include "tuning/space.hpp"

namespace vkt::app {

// One proposal, measured: its name, and either both times or why it failed.
struct KernelProposal {
  std::string name;
  double ms = -1, rule_ms = -1;
  std::string failure;  // empty: complete
};

struct KernelSearch {
  nlohmann::json trials = nlohmann::json::array();  // {trial, variant, state, ms, rule_ms, ratio}
  nlohmann::json best;                              // null, or {variant, ms, ratio, trial}
  tune::Params best_params;
};

// Runs o.trials proposals of `o.sampler` over `space`, each measured by `measure` (which
// throws where the rule itself fails); prints a line per trial unless o.json.
KernelSearch search_against_rule(const TuneKernelsOptions& o, const tune::Space& space,
                                 const std::function<KernelProposal(const tune::Params&)>& measure);
// "best: texel 8x2 8x8, 1.340 ms, 1.108 x the rule's (trial 3)", or that none completed.
void print_best(const KernelSearch& s);

}  // namespace vkt::app
