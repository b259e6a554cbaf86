#include "nn/model/model.hpp"

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

  // Two passes so that every Weight precedes every other trained tensor.
  layer_slots_.resize(layers_.size());
  std::vector<std::pair<size_t, ParamInfo>> all;
  for (size_t i = 0; i < layers_.size(); ++i)
    for (auto& p : layers_[i]->params(shapes_[i])) all.push_back({i, p});
  for (int pass = 0; pass < 3; ++pass)
    for (size_t k = 0; k < all.size(); ++k) {
      const auto& [layer, info] = all[k];
      const int want = info.role == ParamRole::Weight ? 0 : info.role == ParamRole::State ? 2 : 1;
      if (want != pass) continue;
      ParamSlot slot{layer, std::to_string(layer) + "." + info.name, info, 0};
      uint64_t& end = pass == 2 ? state_floats_ : trained_floats_;
      slot.offset = end;
      end = align(end + info.size());
      if (pass == 0) regularized_floats_ = end;
      slots_.push_back(slot);
    }
  // layer_slots_ keeps each layer's own params() order.
  for (size_t i = 0; i < layers_.size(); ++i)
    for (auto& p : layers_[i]->params(shapes_[i]))
      for (size_t s = 0; s < slots_.size(); ++s)
        if (slots_[s].layer == i && slots_[s].info.name == p.name) layer_slots_[i].push_back(s);
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
