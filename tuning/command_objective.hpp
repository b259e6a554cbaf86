#pragma once
// Any program as a study's objective (`vktrain tune --command 'prog --lr {lr}'`): a trial runs
// the command with its parameters, the command prints its results as JSON lines.
//
// The template: `{name}` becomes the value of the space key `name` as to_string prints it
// (0.001, 128, adam, true), unquoted: the template decides the shell quoting. A conditional
// parameter that is inactive in a trial becomes an empty string. `{{` and `}}` are literal
// braces; any other brace is kept as it is, so `awk '{print $1}'` or `echo "{\"value\": {x}}"`
// need no escaping (only `}}` always means one brace). A name is letters, digits and _ . -,
// not starting with a digit; one that is not a key of the space is an InputError.
//
// The environment: ours, plus VKTRAIN_TRIAL_ID, VKTRAIN_TRIAL_SEED, VKTRAIN_EPOCHS and
// VKTRAIN_PARAM_<key> for every searched and fixed value (characters of the key other than
// letters, digits and _ become _; an inactive parameter is unset).
//
// The protocol, on stdout: `{"epoch": e, "value": v}` reports epoch e (e = 1, 2, ... strictly
// increasing; an optional "loss" is kept for curves), and the last `{"value": v}` without an
// "epoch" is the result. Other lines, JSON objects without "value" included, are ignored, so
// programs may log freely. NaN and Infinity (as Python's json writes them) pass through: the
// study marks the trial diverged. A bad "value", "epoch" or "loss" fails the trial.
//
// Why stderr is not passed through: with several workers, and next to the study's one line per
// trial, the commands' logs would interleave into noise. Its last line is what a failure
// needs, and it goes into the trial's journaled reason; a user who wants the whole log can
// redirect it in the template (`prog 2>>log`).
#include <string>
#include <vector>

#include "tuning/objective.hpp"
#include "tuning/space.hpp"

namespace vkt::tune {

struct CommandOptions {
  double timeout_seconds = 0;     // per trial; 0: none
  double kill_grace_seconds = 5;  // between SIGTERM and SIGKILL when a trial is stopped
};

class CommandObjective : public Objective {
 public:
  // Throws InputError (one line, naming the key) if the template names a key the space lacks.
  CommandObjective(std::string command_template, const Space& space, CommandOptions options = {});
  // Throws (the study records the trial failed, with the message as its reason) when the
  // command exits non-zero, dies by a signal, prints no result, prints a bad value or passes
  // the timeout. Pruned (report() said stop): the command's process group is ended, and the
  // last reported value returned.
  TrialResult run(const TrialContext& context) override;

 private:
  std::string template_;
  CommandOptions options_;
};

// The names `{...}` refers to in the template, in order of appearance, repeats included.
std::vector<std::string> template_names(const std::string& command_template);

// The command with `params` put in (see the file comment); names absent from `params`
// become empty strings.
std::string substitute(const std::string& command_template, const Params& params);

// InputError unless every name of the template is a parameter or fixed key of `space`.
// Returns the conditional parameters it names (they may be empty in a trial: worth a note).
std::vector<std::string> check_command_template(const std::string& command_template, const Space& space);

}  // namespace vkt::tune
