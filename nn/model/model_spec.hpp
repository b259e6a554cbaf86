#pragma once
// Models as JSON: the built-in presets and user model files share one format:
//   {"vars": {"hidden": 128, "dropout": 0.2},
//    "layers": [{"type": "flatten"}, {"type": "dense", "units": "$hidden"}, {"type": "relu"},
//               {"type": "dropout", "rate": "$dropout"}, {"type": "dense", "units": "$classes"}]}
// A string value "$name" refers to a variable: set on the command line (--hidden, --dropout),
// by a tuning trial, or defaulted in "vars". "$classes" is the data set's class count.
// Layer types: conv2d (filters, kernel, stride, padding, bias), dense (units, bias), flatten,
// maxpool2d / avgpool2d (kernel, stride, padding), global_avgpool, relu, leaky_relu (alpha),
// sigmoid, tanh, gelu, dropout (rate), batchnorm (momentum, eps).
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "nn/model/model.hpp"

namespace vkt::nn {

using ModelVars = std::map<std::string, nlohmann::json>;

// "mlp", "cnn", "cifar-cnn"; anything else that names a readable file is parsed as JSON.
// Unknown names, unreadable or malformed files -> InputError.
nlohmann::json load_model_spec(const std::string& name_or_file);
bool is_preset_model(const std::string& name);

// Builds the model for inputs of `input` shape and `classes` classes. `vars` override the
// spec's defaults. Dropout layers get seeds derived from `seed` and their index.
// Bad specs (unknown type, missing or wrong-typed field, unset variable, impossible shape)
// -> InputError naming the layer; a `vars` entry no layer refers to -> InputError naming it.
Model build_model(const nlohmann::json& spec, SampleShape input, uint32_t classes, const ModelVars& vars,
                  uint64_t seed);

}  // namespace vkt::nn
