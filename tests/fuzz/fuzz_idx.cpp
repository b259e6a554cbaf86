// IDX data files (nn/data/idx.hpp), raw or gzipped: read through the file API, since only it
// inflates gzip, bounded by what the header says. Every damaged file must be an InputError.
#include <cstdint>
#include <cstring>
#include <vector>

#include "nn/data/gzip.hpp"
#include "nn/data/idx.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "util/error.hpp"

// A mutated gzip stream almost always fails its CRC before the IDX header is looked at; so
// half the mutations of a gzipped input mutate the content and compress it again.
extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned seed) {
  if (seed % 2 == 0 && vkt::nn::is_gzip({data, size})) {
    try {
      std::vector<uint8_t> plain = vkt::nn::gunzip({data, size}, "mutator", 1u << 20);
      const size_t used = plain.size();
      plain.resize(used * 2 + 64);  // room to grow
      plain.resize(used == 0 ? 0 : LLVMFuzzerMutate(plain.data(), used, plain.size()));
      const std::vector<uint8_t> packed = vkt::fuzz::gzip(plain, max_size);
      if (used != 0 && !packed.empty()) {
        std::memcpy(data, packed.data(), packed.size());
        return packed.size();
      }
    } catch (const vkt::Error&) {
    }
  }
  return LLVMFuzzerMutate(data, size, max_size);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = vkt::fuzz::write_input(data, size, "input.idx");
  try {
    vkt::nn::read_idx_images(path);
  } catch (const vkt::Error&) {
  }
  try {
    vkt::nn::read_idx_labels(path);
  } catch (const vkt::Error&) {
  }
  return 0;
}
