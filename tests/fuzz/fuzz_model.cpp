// Model files (nn/model/model_spec.hpp), as `vktrain train --model FILE` reads them: the file
// is loaded and built for Fashion-MNIST's 1x28x28 images and 10 classes (no device needed).
// A bad model must be an InputError naming the problem.
#include <cstdint>

#include "nn/model/model_spec.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A file, since a preset name is the only other thing load_model_spec takes.
  const auto path = vkt::fuzz::write_input(data, size, "model.json");
  try {
    const auto spec = vkt::nn::load_model_spec(path.string());
    const auto model = vkt::nn::build_model(spec, vkt::nn::SampleShape{1, 28, 28}, 10, {}, 1);
    // What --print-model and checkpoints' metadata show of it.
    (void)model.summary();
    (void)model.to_json().dump();
  } catch (const vkt::Error&) {
  }
  return 0;
}
