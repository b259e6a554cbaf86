// What one proposal costs a sampler late in a study: a synthetic History of 300 finished
// trials (every 10th pruned after its first epoch, the rest complete) on a 6-parameter mixed
// space (log float, float, stepped int, int, string categorical, numeric categorical), then
// proposals made exactly as the study loop makes them (tuning/study.cpp): restore the last
// saved state, sample(), check the params, save the state. Prints per sampler the median,
// fastest and slowest of the timed proposals in ms, the first (untimed, cold) one, and the
// size of the state the journal stores with every trial. The samplers' own work dominates:
// the history is built once and not counted.
//
//   proposal_time [--trials 300] [--repeats 10] [SAMPLER ...]     (default samplers: tpe gp)
//   SAMPLER is a name or a JSON setting: proposal_time '{"name": "tpe", "multivariate": true}'
// A sampler this build does not know is reported as not available, not an error.
// Build (until it has a CMake target; it needs only the vktrain_tuning library):
//   g++ -std=c++20 -O2 -I. bench/tuning/proposal_time.cpp build/libvktrain_tuning.a -lnlopt -lz -o proposal_time
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "tuning/normalize.hpp"
#include "tuning/rng.hpp"
#include "tuning/samplers/factory.hpp"
#include "tuning/space.hpp"
#include "tuning/trial.hpp"
#include "util/error.hpp"

using namespace vkt;
using namespace vkt::tune;

namespace {

Space benchmark_space() {
  return Space::parse(nlohmann::json::parse(R"({
    "lr": {"type": "float", "low": 1e-5, "high": 1e-1, "log": true},
    "dropout": {"type": "float", "low": 0.0, "high": 0.5},
    "hidden": {"type": "int", "low": 16, "high": 512, "step": 16},
    "layers": {"type": "int", "low": 1, "high": 4},
    "optimizer": {"type": "categorical", "choices": ["adam", "sgd", "rmsprop"]},
    "batch": {"type": "categorical", "choices": [32, 64, 128, 256]}})"));
}

// An accuracy-like objective with one optimum and a categorical that matters, plus noise.
double synthetic_accuracy(const Params& p, Rng& rng) {
  const double lr = std::log10(as_double(p.at("lr"))) + 3;  // best at lr = 1e-3
  const double dropout = as_double(p.at("dropout")) - 0.2;
  const double hidden = std::log2(as_double(p.at("hidden")) / 256);
  const double layers = as_double(p.at("layers")) - 2;
  const std::string& optimizer = std::get<std::string>(p.at("optimizer"));
  const double penalty = optimizer == "adam" ? 0 : optimizer == "rmsprop" ? 0.01 : 0.03;
  return 0.9 - 0.02 * lr * lr - 0.2 * dropout * dropout - 0.01 * hidden * hidden - 0.005 * layers * layers - penalty +
         0.005 * rng.normal();
}

std::vector<Trial> synthetic_trials(const Space& space, int64_t count) {
  Rng rng(2024);
  std::vector<Trial> trials;
  for (int64_t id = 0; id < count; ++id) {
    Trial t;
    t.id = id;
    Params searched;
    for (const Parameter& p : space.parameters()) searched[p.name] = draw_value(p, rng);
    t.params = space.with_fixed(searched);
    t.seed = uint64_t(id);
    const double value = synthetic_accuracy(t.params, rng);
    t.epochs[1] = EpochReport{value - 0.05, 0.5};
    if (id % 10 == 9) {
      t.state = TrialState::Pruned;
      t.value = value - 0.05;
      t.reason = "pruned at epoch 1";
    } else {
      t.epochs[2] = EpochReport{value, 0.3};
      t.state = TrialState::Complete;
      t.value = value;
    }
    trials.push_back(std::move(t));
  }
  return trials;
}

double median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  const size_t n = xs.size();
  return n % 2 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}

struct Timing {
  double first_ms = 0;
  std::vector<double> ms;
  size_t state_bytes = 0;
};

// One proposal the way run_study makes it; returns its milliseconds.
double propose(Sampler& sampler, const Space& space, const History& history, std::vector<uint8_t>& state) {
  const auto start = std::chrono::steady_clock::now();
  if (!state.empty()) sampler.restore_state(state);
  const auto params = sampler.sample(space, history);
  if (!params) throw Error(sampler.name() + " proposed nothing");
  space.check(*params);
  state = sampler.save_state();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

Timing time_sampler(Sampler& sampler, const Space& space, const History& history, int repeats) {
  Timing t;
  std::vector<uint8_t> state;
  t.first_ms = propose(sampler, space, history, state);
  for (int i = 0; i < repeats; ++i) t.ms.push_back(propose(sampler, space, history, state));
  t.state_bytes = state.size();
  return t;
}

nlohmann::json sampler_setting(const std::string& text) {
  if (!text.empty() && text.front() == '{') return nlohmann::json::parse(text);
  return text;
}

int64_t positive(const char* flag, const char* text) {
  char* end = nullptr;
  const long long v = std::strtoll(text, &end, 10);
  if (*end != '\0' || v < 1)
    throw InputError(std::string(flag) + " must be a positive whole number, got '" + text + "'");
  return v;
}

int run(int argc, char** argv) {
  int64_t trial_count = 300, repeats = 10;
  std::vector<std::string> samplers;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--trials" || arg == "--repeats") && i + 1 < argc) {
      (arg == "--trials" ? trial_count : repeats) = positive(argv[i], argv[i + 1]);
      ++i;
    } else if (arg.rfind("--", 0) == 0) {
      throw InputError("unknown option '" + arg + "' (use --trials N, --repeats N, then sampler names)");
    } else {
      samplers.push_back(arg);
    }
  }
  if (samplers.empty()) samplers = {"tpe", "gp"};

  const Space space = benchmark_space();
  const std::vector<Trial> trials = synthetic_trials(space, trial_count);
  const History history{trials, Direction::Maximize};
  std::printf("proposal time: %lld finished trials, %zu parameters, median of %lld proposals\n",
              static_cast<long long>(trial_count), space.parameters().size(), static_cast<long long>(repeats));
  std::printf("%-40s %10s %10s %10s %10s %8s\n", "sampler", "median_ms", "min_ms", "max_ms", "first_ms", "state_B");
  int ran = 0;
  for (const std::string& text : samplers) {
    std::unique_ptr<Sampler> sampler;
    try {
      sampler = make_sampler(sampler_setting(text), space, 1);
    } catch (const std::exception& e) {  // an InputError, or bad JSON
      std::printf("%-40s not available: %s\n", text.c_str(), e.what());
      continue;
    }
    const Timing t = time_sampler(*sampler, space, history, int(repeats));
    std::printf("%-40s %10.3f %10.3f %10.3f %10.3f %8zu\n", text.c_str(), median(t.ms),
                *std::min_element(t.ms.begin(), t.ms.end()), *std::max_element(t.ms.begin(), t.ms.end()), t.first_ms,
                t.state_bytes);
    ++ran;
  }
  return ran > 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const InputError& e) {
    std::fprintf(stderr, "proposal_time: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "proposal_time: error: %s\n", e.what());
    return 1;
  }
}
