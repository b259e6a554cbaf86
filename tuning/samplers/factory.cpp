#include "tuning/samplers/factory.hpp"

#include "tuning/samplers/genetic_sampler.hpp"
#include "tuning/samplers/gp_sampler.hpp"
#include "tuning/samplers/grid_sampler.hpp"
#include "tuning/samplers/random_sampler.hpp"
#include "tuning/samplers/tpe_sampler.hpp"
#include "util/error.hpp"
#include "util/format.hpp"

namespace vkt::tune {
namespace {

void only_options(const nlohmann::json& config, const std::string& name, std::initializer_list<const char*> allowed) {
  for (const auto& item : config.items()) {  // not a structured binding: clang 14 cannot capture one
    const std::string& key = item.key();
    if (key == "name") continue;
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; }))
      throw InputError("sampler " + name + ": unknown option \"" + shortened(key) + "\"");
  }
}

}  // namespace

std::unique_ptr<Sampler> make_sampler(const nlohmann::json& config_in, const Space& space, uint64_t seed) {
  const nlohmann::json config = config_in.is_string() ? nlohmann::json{{"name", config_in}} : config_in;
  if (!config.is_object() || !config.contains("name") || !config["name"].is_string())
    throw InputError("sampler: expected a name (random, grid, genetic, tpe, gp) or {\"name\": ...}");
  const std::string name = config["name"].get<std::string>();
  try {
    if (name == "random") {
      only_options(config, name, {});
      return std::make_unique<RandomSampler>(seed);
    }
    if (name == "grid") {
      only_options(config, name, {});
      enumerate_grid(space);
      return std::make_unique<GridSampler>();
    }
    if (name == "genetic") {
      only_options(config, name, {"population", "elite", "tournament", "sigma", "alpha", "swap_probability"});
      GeneticOptions o;
      o.population = config.value("population", o.population);
      o.elite = config.value("elite", o.elite);
      o.tournament = config.value("tournament", o.tournament);
      o.mutation.sigma = config.value("sigma", o.mutation.sigma);
      o.crossover.alpha = config.value("alpha", o.crossover.alpha);
      o.crossover.swap_probability = config.value("swap_probability", o.crossover.swap_probability);
      return std::make_unique<GeneticSampler>(o, seed);
    }
    if (name == "tpe") {
      only_options(config, name,
                   {"n_startup", "n_candidates", "multivariate", "prior_weight", "constant_liar",
                    "consider_endpoints"});
      return std::make_unique<TpeSampler>(tpe_options_from_json(config), seed);
    }
    if (name == "gp") {
      only_options(config, name, {"n_startup", "kernel", "acquisition", "beta", "n_candidates", "n_restarts"});
      return std::make_unique<GpSampler>(gp_options_from_json(config), seed);
    }
  } catch (const nlohmann::json::exception& e) {
    throw InputError("sampler " + name + ": bad option value (" + e.what() + ")");
  }
  throw InputError("unknown sampler \"" + shortened(name) + "\"", "use random, grid, genetic, tpe or gp");
}

}  // namespace vkt::tune
