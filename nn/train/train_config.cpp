#include "nn/train/train_config.hpp"

namespace vkt::nn {

nlohmann::json TrainConfig::to_json() const {
  nlohmann::json vars_json = nlohmann::json::object();
  for (const auto& [k, v] : vars) vars_json[k] = v;
  const auto& o = optimizer;
  nlohmann::json j = {{"model", model},
                      {"vars", vars_json},
                      {"epochs", epochs},
                      {"batch", batch},
                      {"optimizer", optimizer_name(o)},
                      {"lr", o.lr},
                      {"eps", o.eps},
                      {"momentum", o.momentum},
                      {"weight_decay", o.weight_decay},
                      {"l1", o.l1},
                      {"l2", o.l2},
                      {"clip_norm", o.clip_norm},
                      {"schedule", schedule_name(schedule.kind)},
                      {"warmup", schedule.warmup},
                      {"init", initializer_name(init)},
                      {"seed", seed},
                      {"patience", patience}};
  if (o.kind == OptimizerKind::Adagrad) j["initial_accumulator"] = o.initial_accumulator;
  return j;
}

}  // namespace vkt::nn
