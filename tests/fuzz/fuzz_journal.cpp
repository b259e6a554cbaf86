// Study journals (tuning/storage/journal.hpp), opened read-only as `vktrain study report`
// opens them: a damaged journal must be an InputError (or a torn tail skipped with a warning).
#include <cstdint>
#include <iostream>

#include "tests/fuzz/fuzz_support.hpp"
#include "tuning/storage/journal.hpp"
#include "util/error.hpp"

namespace {

// "VKTSTUDY" | u32 version | u64 fingerprint, then frames: u32 length | u32 CRC-32 | body.
constexpr size_t kHeader = 8 + 4 + 8, kFrameHeader = 8;

}  // namespace

// Repairs every whole frame's CRC after libFuzzer's mutation, so that most inputs reach the
// record decoders and the replay instead of stopping at the first checksum.
extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned seed) {
  size = LLVMFuzzerMutate(data, size, max_size);
  if (!vkt::fuzz::repair_this_time(seed)) return size;
  for (size_t pos = kHeader; pos + kFrameHeader <= size;) {
    const uint32_t length = vkt::fuzz::load_le32(data + pos);
    if (length == 0 || length > size - pos - kFrameHeader) break;
    vkt::fuzz::store_le32(data + pos + 4, vkt::crc32({data + pos + kFrameHeader, length}));
    pos += kFrameHeader + length;
  }
  return size;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The torn-tail warning, once per input, would drown libFuzzer's own output.
  static const bool quiet = (std::cerr.rdbuf(nullptr), true);
  (void)quiet;
  const auto path = vkt::fuzz::write_input(data, size, "study.vkts");
  try {
    const vkt::tune::storage::Journal journal(path);
    (void)journal.state();
  } catch (const vkt::Error&) {
  }
  return 0;
}
