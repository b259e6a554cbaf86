#include "nn/train/train_config.hpp"

#include "util/error.hpp"

namespace vkt::nn {

LossKind parse_loss(std::string_view name) {
  if (name == "cross_entropy") return LossKind::CrossEntropy;
  if (name == "mse") return LossKind::MSE;
  throw InputError("unknown loss '" + std::string(name) + "': valid names are cross_entropy, mse");
}

std::string loss_name(LossKind kind) { return kind == LossKind::MSE ? "mse" : "cross_entropy"; }

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
  // Written only where they mean something, so states saved before they existed still match.
  if (loss != LossKind::CrossEntropy) j["loss"] = loss_name(loss);
  if (augment.any()) j["augment"] = augment.str();
  if (!init_from.empty()) j["init_from"] = init_from;
  if (!freeze.empty()) j["freeze"] = freeze;
  const auto& sc = schedule;
  if (sc.kind == ScheduleKind::Linear || (sc.kind == ScheduleKind::Cosine && sc.min_ratio != 0))
    j["final_lr_ratio"] = sc.min_ratio;
  if (sc.kind == ScheduleKind::Plateau)
    j["plateau"] = {{"patience", sc.plateau.patience},
                    {"factor", sc.plateau.factor},
                    {"min_lr", sc.plateau.min_lr},
                    {"min_delta", sc.plateau.min_delta}};
  return j;
}

}  // namespace vkt::nn
