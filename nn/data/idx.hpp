#pragma once
// The IDX format of MNIST and Fashion-MNIST: a big-endian header (two zero bytes, an element
// type, the number of dimensions, then one u32 per dimension) followed by the elements.
// We read unsigned-byte files only: 0x00000803 (images: count, rows, cols) and 0x00000801
// (labels: count). Raw or gzipped, detected by content.
//
// Every problem is an InputError whose message is one line: the file, then what is wrong,
// e.g. "train-images-idx3-ubyte.gz: truncated: header says 60000 images of 28x28
// (47040000 bytes), file holds 1234".
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace vkt::nn {

struct IdxImages {
  uint32_t count = 0, rows = 0, cols = 0;
  std::vector<uint8_t> pixels;  // count * rows * cols, row-major per image
};

IdxImages read_idx_images(const std::filesystem::path& path);
std::vector<uint8_t> read_idx_labels(const std::filesystem::path& path);

// The same, on bytes already in memory (decompressed); `source` names them in errors.
IdxImages parse_idx_images(std::span<const uint8_t> bytes, const std::string& source);
std::vector<uint8_t> parse_idx_labels(std::span<const uint8_t> bytes, const std::string& source);

}  // namespace vkt::nn
