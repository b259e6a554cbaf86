#include "tuning/pruners/factory.hpp"

#include "tuning/pruners/asha_pruner.hpp"
#include "tuning/pruners/hyperband_pruner.hpp"
#include "tuning/pruners/median_pruner.hpp"
#include "util/error.hpp"
#include "util/format.hpp"

namespace vkt::tune {

std::unique_ptr<Pruner> make_pruner(const nlohmann::json& config_in, int study_epochs) {
  const nlohmann::json config = config_in.is_string() ? nlohmann::json{{"name", config_in}} : config_in;
  if (!config.is_object() || !config.contains("name") || !config["name"].is_string())
    throw InputError("pruner: expected a name (none, median, asha, hyperband) or {\"name\": ...}");
  const std::string name = config["name"].get<std::string>();
  auto reject_unknown = [&](std::initializer_list<const char*> allowed) {
    for (const auto& item : config.items()) {  // not a structured binding: clang 14 cannot capture one
      const std::string& key = item.key();
      if (key != "name" && std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; }))
        throw InputError("pruner " + name + ": unknown option \"" + shortened(key) + "\"");
    }
  };
  try {
    if (name == "none") {
      reject_unknown({});
      return std::make_unique<NoPruner>();
    }
    if (name == "median") {
      reject_unknown({"n_startup_trials", "n_warmup_epochs"});
      MedianOptions o;
      o.n_startup_trials = config.value("n_startup_trials", o.n_startup_trials);
      o.n_warmup_epochs = config.value("n_warmup_epochs", o.n_warmup_epochs);
      return std::make_unique<MedianPruner>(o);
    }
    if (name == "asha") {
      reject_unknown({"min_epochs", "eta"});
      AshaOptions o;
      o.min_epochs = config.value("min_epochs", o.min_epochs);
      o.eta = config.value("eta", o.eta);
      return std::make_unique<AshaPruner>(o);
    }
    if (name == "hyperband") {
      reject_unknown({"min_epochs", "max_epochs", "eta"});
      HyperbandOptions o;
      o.min_epochs = config.value("min_epochs", o.min_epochs);
      o.max_epochs = config.value("max_epochs", study_epochs);
      o.eta = config.value("eta", o.eta);
      return std::make_unique<HyperbandPruner>(o);
    }
  } catch (const nlohmann::json::exception& e) {
    throw InputError("pruner " + name + ": bad option value (" + e.what() + ")");
  }
  throw InputError("unknown pruner \"" + shortened(name) + "\"", "use none, median, asha or hyperband");
}

}  // namespace vkt::tune
