#include "nn/model/model_spec.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <set>

#include "nn/layers/activation.hpp"
#include "nn/layers/batchnorm.hpp"
#include "nn/layers/conv2d.hpp"
#include "nn/layers/dense.hpp"
#include "nn/layers/dropout.hpp"
#include "nn/layers/flatten.hpp"
#include "nn/layers/pool.hpp"
#include "util/error.hpp"
#include "util/file_io.hpp"
#include "util/json_input.hpp"

namespace vkt::nn {
namespace {

using json = nlohmann::json;

// Far beyond any model of this trainer's scale; a file with more is a mistake, and building
// it would take minutes and gigabytes before anything useful.
constexpr size_t kMaxModelLayers = 1000;

// The seed models of the user's examples (Keras layer by layer, PyTorch indices in comments).
const char* kMlp = R"({"vars": {"hidden": 128, "dropout": 0.2}, "layers": [
  {"type": "flatten"},
  {"type": "dense", "units": "$hidden"}, {"type": "relu"}, {"type": "dropout", "rate": "$dropout"},
  {"type": "dense", "units": "$classes"}]})";
const char* kCnn = R"({"vars": {"hidden": 64}, "layers": [
  {"type": "conv2d", "filters": 32, "kernel": 3}, {"type": "relu"}, {"type": "maxpool2d", "kernel": 2},
  {"type": "conv2d", "filters": 64, "kernel": 3}, {"type": "relu"}, {"type": "maxpool2d", "kernel": 2},
  {"type": "conv2d", "filters": 64, "kernel": 3}, {"type": "relu"},
  {"type": "flatten"},
  {"type": "dense", "units": "$hidden"}, {"type": "relu"},
  {"type": "dense", "units": "$classes"}]})";

// A layer field, with "$var" resolved.
class Fields {
 public:
  Fields(const json& layer, const ModelVars& vars, size_t index, std::set<std::string>& referenced)
      : layer_(layer), vars_(vars), index_(index), referenced_(referenced) {}

  json get(const std::string& key, const json& fallback = nullptr) const {
    used_.insert(key);
    if (!layer_.contains(key)) {
      if (fallback.is_null()) fail("needs \"" + key + "\"");
      return fallback;
    }
    json v = layer_.at(key);
    if (v.is_string() && v.get<std::string>().rfind('$', 0) == 0) {
      const std::string name = v.get<std::string>().substr(1);
      referenced_.insert(name);
      auto it = vars_.find(name);
      if (it == vars_.end()) fail("\"" + key + "\" refers to $" + name + ", which is not set");
      v = it->second;
    }
    return v;
  }
  uint32_t uint(const std::string& key, int64_t fallback = -1) const {
    const json v = get(key, fallback >= 0 ? json(fallback) : json(nullptr));
    if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 1000000)
      fail("\"" + key + "\" must be a non-negative integer, got " + v.dump());
    return v.get<uint32_t>();
  }
  // At least 1: a size or a stride (0 is no stride, not "the kernel's").
  uint32_t positive(const std::string& key, int64_t fallback = -1) const {
    const uint32_t v = uint(key, fallback);
    if (v == 0) fail("\"" + key + "\" must be at least 1");
    return v;
  }
  double number(const std::string& key, double fallback) const {
    const json v = get(key, fallback);
    if (!v.is_number() || !std::isfinite(v.get<double>())) fail("\"" + key + "\" must be a number, got " + v.dump());
    return v.get<double>();
  }
  // A number in [low, high], or (low, high] when low_open.
  double number_in(const std::string& key, double fallback, double low, double high, bool low_open) const {
    const double v = number(key, fallback);
    if (v < low || v > high || (low_open && v == low)) {
      char range[64];
      std::snprintf(range, sizeof range, "%s%g, %g]", low_open ? "(" : "[", low, high);
      fail("\"" + key + "\" must be in " + range + ", got " + get(key, fallback).dump());
    }
    return v;
  }
  // Every field of the layer was asked for by its factory: any other is a typo or a field of
  // another framework ("strides", "activation"), refused rather than silently ignored.
  void check_no_unknown() const {
    for (const auto& [key, value] : layer_.items()) {
      if (key == "type" || used_.count(key)) continue;
      std::string known;
      for (const std::string& k : used_) known += (known.empty() ? "" : ", ") + k;
      fail("unknown field \"" + key + "\" (" + (known.empty() ? std::string("this layer takes none") : "known: " + known) + ")");
    }
  }
  bool flag(const std::string& key, bool fallback) const {
    const json v = get(key, fallback);
    if (!v.is_boolean()) fail("\"" + key + "\" must be true or false");
    return v.get<bool>();
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError("model layer " + std::to_string(index_) + " (" + layer_.value("type", "?") + "): " + what);
  }

 private:
  const json& layer_;
  const ModelVars& vars_;
  size_t index_;
  std::set<std::string>& referenced_;  // the "$name" variables of every layer so far
  mutable std::set<std::string> used_;
};

using LayerFactory = std::function<std::unique_ptr<Layer>(const Fields&, uint64_t seed)>;

// The one table of layer types.
const std::map<std::string, LayerFactory>& layer_factories() {
  static const std::map<std::string, LayerFactory> table = {
      {"conv2d",
       [](const Fields& f, uint64_t) {
         return std::make_unique<Conv2dLayer>(f.positive("filters"), f.positive("kernel"), f.positive("stride", 1),
                                              f.uint("padding", 0), f.flag("bias", true));
       }},
      {"dense",
       [](const Fields& f, uint64_t) { return std::make_unique<DenseLayer>(f.positive("units"), f.flag("bias", true)); }},
      {"flatten", [](const Fields&, uint64_t) { return std::make_unique<FlattenLayer>(); }},
      {"maxpool2d",
       [](const Fields& f, uint64_t) {
         const uint32_t k = f.positive("kernel", 2);
         return std::make_unique<Pool2dLayer>(Pool2dLayer::Kind::Max, k, f.positive("stride", k), f.uint("padding", 0));
       }},
      {"avgpool2d",
       [](const Fields& f, uint64_t) {
         const uint32_t k = f.positive("kernel", 2);
         return std::make_unique<Pool2dLayer>(Pool2dLayer::Kind::Average, k, f.positive("stride", k), f.uint("padding", 0));
       }},
      {"global_avgpool",
       [](const Fields&, uint64_t) { return std::make_unique<Pool2dLayer>(Pool2dLayer::Kind::GlobalAverage); }},
      {"relu", [](const Fields&, uint64_t) { return std::make_unique<ActivationLayer>(Activation::ReLU); }},
      {"leaky_relu",
       [](const Fields& f, uint64_t) {
         return std::make_unique<ActivationLayer>(Activation::LeakyReLU, float(f.number("alpha", 0.01)));
       }},
      {"sigmoid", [](const Fields&, uint64_t) { return std::make_unique<ActivationLayer>(Activation::Sigmoid); }},
      {"tanh", [](const Fields&, uint64_t) { return std::make_unique<ActivationLayer>(Activation::Tanh); }},
      {"gelu", [](const Fields&, uint64_t) { return std::make_unique<ActivationLayer>(Activation::GELU); }},
      {"dropout",
       [](const Fields& f, uint64_t seed) {
         return std::make_unique<DropoutLayer>(f.number_in("rate", 0.5, 0, 0.99, false), static_cast<uint32_t>(seed));
       }},
      {"batchnorm",
       [](const Fields& f, uint64_t) {
         // PyTorch's momentum: the weight of the new batch statistics, so 0 would never learn them.
         return std::make_unique<BatchNormLayer>(float(f.number_in("momentum", 0.1, 0, 1, true)),
                                                 float(f.number_in("eps", 1e-5, 0, 1, true)));
       }},
  };
  return table;
}

}  // namespace

bool is_preset_model(const std::string& name) { return name == "mlp" || name == "cnn" || name == "cifar-cnn"; }

json load_model_spec(const std::string& name) {
  if (name == "mlp") return json::parse(kMlp);
  if (name == "cnn" || name == "cifar-cnn") return json::parse(kCnn);  // same layers; input from the data
  if (!std::filesystem::exists(name))
    throw InputError("unknown model '" + name + "': not a preset (mlp, cnn, cifar-cnn) and no such file");
  const auto bytes = read_file(name);
  json spec = parse_json(bytes, name);
  if (!spec.is_object() || !spec.contains("layers") || !spec["layers"].is_array())
    throw InputError(name + ": a model file is a JSON object with a \"layers\" array");
  return spec;
}

Model build_model(const json& spec, SampleShape input, uint32_t classes, const ModelVars& vars, uint64_t seed) {
  ModelVars all;
  if (spec.contains("vars")) {
    if (!spec["vars"].is_object()) throw InputError("model \"vars\" must be an object");
    for (auto& [k, v] : spec["vars"].items()) all[k] = v;
  }
  for (const auto& [k, v] : vars) all[k] = v;
  all["classes"] = classes;
  if (!spec.contains("layers") || !spec["layers"].is_array()) throw InputError("model spec has no \"layers\" array");
  if (spec["layers"].size() > kMaxModelLayers)
    throw InputError("the model has " + std::to_string(spec["layers"].size()) + " layers; the limit is " +
                     std::to_string(kMaxModelLayers));
  std::vector<std::unique_ptr<Layer>> layers;
  const auto& factories = layer_factories();
  size_t index = 0;
  std::set<std::string> referenced;
  bool flat = false;  // after flatten or dense: no image left for a spatial layer
  for (const auto& l : spec["layers"]) {
    if (!l.is_object() || !l.contains("type") || !l["type"].is_string())
      throw InputError("model layer " + std::to_string(index) + ": needs a \"type\" string");
    const std::string type = l["type"].get<std::string>();
    auto it = factories.find(type);
    if (it == factories.end()) {
      std::string names;
      for (const auto& [n, f] : factories) names += (names.empty() ? "" : ", ") + n;
      throw InputError("model layer " + std::to_string(index) + ": unknown type '" + type + "' (known: " + names + ")");
    }
    const bool spatial = type == "conv2d" || type == "maxpool2d" || type == "avgpool2d" || type == "global_avgpool";
    if (spatial && flat)
      throw InputError("model layer " + std::to_string(index) + " (" + type +
                       ") comes after flatten or dense: it needs an image (channels x height x width)");
    flat = flat || type == "flatten" || type == "dense";
    const Fields fields(l, all, index, referenced);
    layers.push_back(it->second(fields, seed * 1000003u + index));
    fields.check_no_unknown();
    ++index;
  }
  // A value given for a variable no layer refers to would change nothing: a typo, or an
  // option (--dropout) or search-space key this model does not have.
  for (const auto& [name, value] : vars)
    if (!referenced.count(name)) {
      std::string known;
      for (const std::string& r : referenced)
        if (r != "classes") {
          known += known.empty() ? "$" : ", $";
          known += r;
        }
      throw InputError("the model has no variable $" + name + " (given " + value.dump() + "); it would have no effect (" +
                       (known.empty() ? std::string("this model has none") : "this model's: " + known) + ")");
    }
  return Model(input, classes, std::move(layers));
}

}  // namespace vkt::nn
