#include "nn/model/layer.hpp"

namespace vkt::nn {

std::string SampleShape::str() const {
  if (h == 1 && w == 1) return std::to_string(c);
  return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
}

uint64_t ParamInfo::size() const {
  uint64_t n = 1;
  for (auto d : shape) n *= static_cast<uint64_t>(d);
  return n;
}

}  // namespace vkt::nn
