// Training state files (nn/checkpoint/training_state.hpp): decode_training_state must refuse
// damage with an InputError; what it accepts must encode to a file that decodes to the same.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "nn/checkpoint/training_state.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "util/error.hpp"

namespace {

// "VKTSTATE" | u32 version | u64 payload length | payload | u32 CRC-32 of payload.
constexpr size_t kPreamble = 8 + 4 + 8, kCrc = 4;

}  // namespace

// Repairs the payload length and the CRC after libFuzzer's mutation, so that most inputs get
// past the checksum into the payload's fields.
extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned seed) {
  size = LLVMFuzzerMutate(data, size, max_size);
  if (size < kPreamble + kCrc || !vkt::fuzz::repair_this_time(seed)) return size;
  const uint64_t payload = size - kPreamble - kCrc;
  for (int i = 0; i < 8; ++i) data[12 + i] = uint8_t(payload >> (8 * i));
  vkt::fuzz::store_le32(data + size - kCrc, vkt::crc32({data + kPreamble, size_t(payload)}));
  return size;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vkt::nn::TrainingState state;
  try {
    state = vkt::nn::decode_training_state({data, size}, "fuzz input");
  } catch (const vkt::Error&) {
    return 0;
  }
  // Older versions decode into the current one, so compare re-encodings, not the input.
  // Errors here escape: the writer refusing what the reader accepted is a finding.
  const auto once = vkt::nn::encode_training_state(state);
  const auto twice = vkt::nn::encode_training_state(vkt::nn::decode_training_state(once, "re-encoded"));
  if (once != twice) std::abort();
  return 0;
}
