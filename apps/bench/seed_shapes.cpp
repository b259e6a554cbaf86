#include "apps/bench/seed_shapes.hpp"

namespace vkt::app {

std::vector<NamedConv> seed_convolutions() {
  std::vector<NamedConv> out;
  auto add = [&](const std::string& model, uint32_t batch, uint32_t channels, uint32_t side) {
    // conv 3x3 -> pool 2 -> conv 3x3 -> pool 2 -> conv 3x3, valid padding (Keras default).
    // The first two carry their pool, fused as training runs them (nn/ops/conv2d.hpp).
    const uint32_t s1 = side - 2, s2 = s1 / 2 - 2;
    const std::string b = " b" + std::to_string(batch);
    out.push_back({model + ".conv1+pool" + b, {batch, channels, side, side, 32, 3, 3, 1, 1, 0, 0, 2}, true, false, true});
    out.push_back({model + ".conv2+pool" + b, {batch, 32, s1 / 2, s1 / 2, 64, 3, 3, 1, 1, 0, 0, 2}, false, true, true});
    out.push_back({model + ".conv3" + b, {batch, 64, s2 / 2, s2 / 2, 64, 3, 3, 1, 1, 0, 0}, false, true, false});
  };
  add("cnn", 64, 1, 28);
  add("cnn", 256, 1, 28);
  add("cifar-cnn", 64, 3, 32);
  return out;
}

std::vector<NamedDense> seed_dense_layers() {
  return {{"cnn.dense1 b64", {64, 576, 64}},   {"cnn.dense2 b64", {64, 64, 10}},
          {"cnn.dense1 b256", {256, 576, 64}}, {"cnn.dense2 b256", {256, 64, 10}},
          {"mlp.dense1 b128", {128, 784, 128}}, {"mlp.dense2 b128", {128, 128, 10}}};
}

}  // namespace vkt::app
