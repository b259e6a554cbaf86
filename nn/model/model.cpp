#include "nn/model/model.hpp"

#include <algorithm>
#include <cstdio>

#include "util/error.hpp"

namespace vkt::nn {
namespace {

uint64_t align(uint64_t v) { return (v + kParamAlignFloats - 1) / kParamAlignFloats * kParamAlignFloats; }

}  // namespace

Model::Model(SampleShape input, uint32_t classes, std::vector<std::unique_ptr<Layer>> layers)
    : layers_(std::move(layers)), classes_(classes) {
  if (layers_.empty()) throw InputError("model has no layers");
  shapes_.push_back(input);
  for (size_t i = 0; i < layers_.size(); ++i) {
    try {
      shapes_.push_back(layers_[i]->output_shape(shapes_.back()));
    } catch (const InputError& e) {
      throw InputError("layer " + std::to_string(i) + " (" + layers_[i]->type() + "): " + e.what());
    }
  }
  if (output().h != 1 || output().w != 1 || output().c != classes)
    throw InputError("model output is " + output().str() + ", the data set has " + std::to_string(classes) +
                     " classes (the last layer must be dense with " + std::to_string(classes) + " units)");

  lay_out();
}

void Model::lay_out() {
  // Passes so that the trained weights precede the trained biases, and both precede the
  // frozen layers' tensors: the optimizer's prefix, and within it the L1/L2 prefix.
  slots_.clear();
  layer_slots_.assign(layers_.size(), {});
  trained_floats_ = regularized_floats_ = state_floats_ = optimized_floats_ = 0;
  std::vector<std::pair<size_t, ParamInfo>> all;
  for (size_t i = 0; i < layers_.size(); ++i)
    for (auto& p : layers_[i]->params(shapes_[i])) all.push_back({i, p});
  enum Pass { kWeights, kOthers, kFrozen, kState, kPasses };
  for (int pass = 0; pass < kPasses; ++pass) {
    for (size_t k = 0; k < all.size(); ++k) {
      const auto& [layer, info] = all[k];
      const int want = info.role == ParamRole::State ? kState
                       : frozen(layer)               ? kFrozen
                       : info.role == ParamRole::Weight ? kWeights
                                                        : kOthers;
      if (want != pass) continue;
      ParamSlot slot{layer, std::to_string(layer) + "." + info.name, info, 0};
      uint64_t& end = pass == kState ? state_floats_ : trained_floats_;
      slot.offset = end;
      end = align(end + info.size());
      slots_.push_back(slot);
    }
    if (pass == kWeights) regularized_floats_ = trained_floats_;
    if (pass == kOthers) optimized_floats_ = trained_floats_;
  }
  // layer_slots_ keeps each layer's own params() order.
  for (size_t i = 0; i < layers_.size(); ++i)
    for (auto& p : layers_[i]->params(shapes_[i]))
      for (size_t s = 0; s < slots_.size(); ++s)
        if (slots_[s].layer == i && slots_[s].info.name == p.name) layer_slots_[i].push_back(s);
}

void Model::freeze(const std::vector<size_t>& layers) {
  if (layers.empty()) return;
  auto trains = [&](size_t i) {
    for (const auto& p : layers_[i]->params(shapes_[i]))
      if (p.role != ParamRole::State) return true;
    return false;
  };
  size_t last = 0;
  for (const size_t i : layers) {
    if (i >= layers_.size())
      throw InputError("--freeze " + std::to_string(i) + ": the model has layers 0 to " +
                       std::to_string(layers_.size() - 1));
    if (!trains(i))
      throw InputError("--freeze " + std::to_string(i) + ": layer " + std::to_string(i) + " (" + layers_[i]->type() +
                       ") has no parameters to freeze");
    last = std::max(last, i);
  }
  for (size_t i = 0; i < last; ++i)
    if (trains(i) && std::find(layers.begin(), layers.end(), i) == layers.end())
      throw InputError("--freeze: layer " + std::to_string(i) + " (" + layers_[i]->type() +
                       ") trains below frozen layer " + std::to_string(last) +
                       "; only leading layers can be frozen (add " + std::to_string(i) + ")");
  size_t from = last + 1;
  while (from < layers_.size() && !trains(from)) ++from;  // the first trained layer
  if (from == layers_.size()) throw InputError("--freeze: every layer with parameters is frozen: nothing would train");
  backward_from_ = from;
  lay_out();
}

uint64_t Model::parameter_count() const {
  uint64_t n = 0;
  for (const auto& s : slots_)
    if (s.trained()) n += s.info.size();
  return n;
}

std::string Model::summary() const {
  std::string out;
  char line[160];
  std::snprintf(line, sizeof line, "%-5s %-14s %-14s %10s\n", "#", "layer", "output", "params");
  out += line;
  std::snprintf(line, sizeof line, "%-5s %-14s %-14s %10s\n", "", "input", input().str().c_str(), "");
  out += line;
  for (size_t i = 0; i < layers_.size(); ++i) {
    uint64_t n = 0;
    for (size_t s : layer_slots_[i])
      if (slots_[s].trained()) n += slots_[s].info.size();
    std::snprintf(line, sizeof line, "%-5zu %-14s %-14s %10llu\n", i, layers_[i]->type().c_str(),
                  shapes_[i + 1].str().c_str(), static_cast<unsigned long long>(n));
    out += line;
  }
  std::snprintf(line, sizeof line, "total trainable parameters: %llu\n",
                static_cast<unsigned long long>(parameter_count()));
  out += line;
  return out;
}

nlohmann::json Model::to_json() const {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : layers_) layers.push_back(l->to_json());
  return {{"input", {input().c, input().h, input().w}}, {"classes", classes_}, {"layers", layers}};
}

}  // namespace vkt::nn
