// safetensors weights (nn/checkpoint/safetensors.hpp): decode_safetensors must refuse a
// damaged file with an InputError; what it accepts must survive encode + decode unchanged.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "nn/checkpoint/safetensors.hpp"
#include "util/error.hpp"

namespace {

bool same(const vkt::nn::NamedTensor& a, const vkt::nn::NamedTensor& b) {
  // Bitwise for the floats: NaN payloads are data too.
  return a.name == b.name && a.shape == b.shape && a.is_int == b.is_int && a.ints == b.ints &&
         a.data.size() == b.data.size() &&
         (a.data.empty() || std::memcmp(a.data.data(), b.data.data(), a.data.size() * sizeof(float)) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vkt::nn::SafetensorsContents file;
  try {
    file = vkt::nn::decode_safetensors({data, size}, "fuzz input");
  } catch (const vkt::Error&) {
    return 0;
  }
  // The writer orders tensors by name and the reader by offset, so a valid file written by
  // another tool may come back reordered; compare by name. Errors here escape: findings.
  const auto again = vkt::nn::decode_safetensors(vkt::nn::encode_safetensors(file.tensors, file.metadata), "re-encoded");
  if (again.metadata != file.metadata || again.tensors.size() != file.tensors.size()) std::abort();
  for (const auto& t : file.tensors) {
    bool found = false;
    for (const auto& u : again.tensors) found = found || same(t, u);
    if (!found) std::abort();
  }
  return 0;
}
