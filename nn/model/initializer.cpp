#include "nn/model/initializer.hpp"

#include <cmath>

#include "nn/data/permutation.hpp"
#include "util/error.hpp"

namespace vkt::nn {
namespace {

double uniform01(SplitMix64& rng) { return double(rng.next() >> 11) * 0x1.0p-53; }

double standard_normal(SplitMix64& rng) {  // Box-Muller; one value per call is enough here
  const double u1 = std::max(uniform01(rng), 1e-300), u2 = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

}  // namespace

Initializer parse_initializer(const std::string& name) {
  if (name == "glorot_uniform") return Initializer::GlorotUniform;
  if (name == "he_normal") return Initializer::HeNormal;
  throw InputError("unknown initializer '" + name + "' (known: glorot_uniform, he_normal)");
}

std::string initializer_name(Initializer init) {
  return init == Initializer::GlorotUniform ? "glorot_uniform" : "he_normal";
}

InitialValues initial_values(const Model& model, Initializer init, uint64_t seed) {
  InitialValues v{std::vector<float>(model.trained_floats(), 0.0f), std::vector<float>(model.state_floats(), 0.0f)};
  for (size_t s = 0; s < model.slots().size(); ++s) {
    const ParamSlot& slot = model.slots()[s];
    // One stream per tensor, so adding a layer does not change the others' values.
    SplitMix64 rng(seed * 0x9E3779B97F4A7C15ull + s + 1);
    float* out = (slot.trained() ? v.trained.data() : v.state.data()) + slot.offset;
    const uint64_t n = slot.info.size();
    switch (slot.info.role) {
      case ParamRole::Weight: {
        const double fan_in = slot.info.fan_in, fan_out = slot.info.fan_out;
        if (init == Initializer::GlorotUniform) {
          const double a = std::sqrt(6.0 / (fan_in + fan_out));
          for (uint64_t i = 0; i < n; ++i) out[i] = float((2.0 * uniform01(rng) - 1.0) * a);
        } else {
          const double sd = std::sqrt(2.0 / fan_in);
          for (uint64_t i = 0; i < n; ++i) {
            double z;
            do z = standard_normal(rng);
            while (std::fabs(z) > 2.0);
            out[i] = float(z * sd);
          }
        }
        break;
      }
      default:
        for (uint64_t i = 0; i < n; ++i) out[i] = slot.info.init_value;
    }
  }
  return v;
}

}  // namespace vkt::nn
