#pragma once
// The layer shapes of the user's seed models, the shapes `vktrain bench` measures.
#include <string>
#include <vector>

#include "nn/ops/conv2d.hpp"
#include "nn/ops/dense.hpp"

namespace vkt::app {

struct NamedConv {
  std::string name;
  nn::Conv2dShape shape;
  bool first = false;  // a model's first layer: training computes no dx for it
  // Its input comes from a convolution with a fused pool / its pooled output goes into one:
  // the boundaries training may keep channels-last (nn/model/graph.cpp).
  bool x_from_conv = false, y_to_conv = false;
};
struct NamedDense {
  std::string name;
  nn::DenseShape shape;
};

// cnn (28x28x1) at batch 64 and 256, cifar-cnn (32x32x3) at batch 64: conv1..conv3, the first
// two with their fused 2x2 max pool.
std::vector<NamedConv> seed_convolutions();
// cnn dense layers (576-64-10) at batch 64 and 256, mlp (784-128-10) at batch 128.
std::vector<NamedDense> seed_dense_layers();

}  // namespace vkt::app
