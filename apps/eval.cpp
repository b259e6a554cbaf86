// `vktrain eval`: test accuracy of saved weights.
#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/commands.hpp"
#include "apps/train_options.hpp"
#include "nn/checkpoint/safetensors.hpp"
#include "nn/train/trainer.hpp"
#include "runtime/context.hpp"

namespace vkt::app {
namespace {

struct EvalCommand {
  TrainOptions o;
  std::string weights;
  bool json = false;
};

void run_eval(const EvalCommand& c) {
  const auto data = std::make_shared<const nn::DataSplits>(c.o.data.load());
  const auto contents = nn::read_safetensors(c.weights);
  Context ctx(context_options(c.o));
  nn::TrainConfig cfg = c.o.config(1);
  cfg.batch = std::min<uint32_t>(cfg.batch, data->train.count);
  nn::Trainer trainer(ctx, cfg, std::make_shared<const nn::DeviceData>(ctx, data, c.o.data.placement()));
  trainer.load_weights(contents.tensors, c.weights);
  const nn::EvalStats test = trainer.evaluate_test();
  if (c.json)
    std::cout << nlohmann::json{{"test_acc", test.accuracy}, {"test_loss", test.loss}, {"count", test.count}}.dump()
              << "\n";
  else
    std::printf("test_acc %.4f  test_loss %.4f  (%u images)\n", test.accuracy, test.loss, test.count);
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("eval", "Test accuracy of saved weights");
  auto c = std::make_shared<EvalCommand>();
  add_model_options(*cmd, c->o);
  add_data_options(*cmd, c->o.data);
  cmd->add_option("--weights", c->weights, "A .safetensors file written by `vktrain train --save`")->required();
  cmd->add_flag("--json", c->json, "Print {\"test_acc\": ...}");
  cmd->callback([c] { run_eval(*c); });
}

}  // namespace vkt::app
