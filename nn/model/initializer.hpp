#pragma once
// Initial parameter values, computed on the host from a seed (the same on every device):
//   glorot_uniform (Keras' default): U(-a, a), a = sqrt(6 / (fan_in + fan_out))
//   he_normal: normal(0, sqrt(2 / fan_in)) truncated at 2 standard deviations (as Keras)
// Biases and batch-norm shifts start at 0, batch-norm scales at 1, running stats as declared.
#include <string>
#include <vector>

#include "nn/model/model.hpp"

namespace vkt::nn {

enum class Initializer { GlorotUniform, HeNormal };

Initializer parse_initializer(const std::string& name);  // InputError listing the names
std::string initializer_name(Initializer init);

struct InitialValues {
  std::vector<float> trained;  // model.trained_floats(); alignment gaps are 0
  std::vector<float> state;    // model.state_floats()
};

InitialValues initial_values(const Model& model, Initializer init, uint64_t seed);

}  // namespace vkt::nn
