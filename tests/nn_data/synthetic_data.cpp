#include "tests/nn_data/synthetic_data.hpp"

#include <random>
#include <string>

#include "tests/nn_data/file_test_support.hpp"

namespace vkt::test {

uint8_t synthetic_pixel(uint32_t image, size_t j) {
  // The first two bytes spell the image number, so images up to 65535 are all different.
  if (j == 0) return static_cast<uint8_t>(image);
  if (j == 1) return static_cast<uint8_t>(image >> 8);
  return static_cast<uint8_t>(image * 31 + j * 7);
}

uint8_t synthetic_label(uint32_t image) { return static_cast<uint8_t>((image * 3 + 1) % 10); }

static void put_be32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

std::vector<uint8_t> idx_images_bytes(uint32_t count, uint32_t rows, uint32_t cols) {
  std::vector<uint8_t> out;
  put_be32(out, 0x00000803);
  put_be32(out, count);
  put_be32(out, rows);
  put_be32(out, cols);
  for (uint32_t i = 0; i < count; ++i)
    for (size_t j = 0; j < size_t{rows} * cols; ++j) out.push_back(synthetic_pixel(i, j));
  return out;
}

std::vector<uint8_t> idx_labels_bytes(uint32_t count) {
  std::vector<uint8_t> out;
  put_be32(out, 0x00000801);
  put_be32(out, count);
  for (uint32_t i = 0; i < count; ++i) out.push_back(synthetic_label(i));
  return out;
}

std::vector<uint8_t> cifar10_batch_bytes(uint32_t count, uint32_t first) {
  std::vector<uint8_t> out;
  for (uint32_t i = first; i < first + count; ++i) {
    out.push_back(synthetic_label(i));
    for (size_t j = 0; j < 3072; ++j) out.push_back(synthetic_pixel(i, j));
  }
  return out;
}

void write_mnist_files(const std::filesystem::path& dir, uint32_t train_count, uint32_t test_count, bool gzip) {
  auto put = [&](const std::string& name, const std::vector<uint8_t>& raw) {
    if (gzip)
      write_bytes(dir / (name + ".gz"), gzip_bytes(raw));
    else
      write_bytes(dir / name, raw);
  };
  put("train-images-idx3-ubyte", idx_images_bytes(train_count, 28, 28));
  put("train-labels-idx1-ubyte", idx_labels_bytes(train_count));
  put("t10k-images-idx3-ubyte", idx_images_bytes(test_count, 28, 28));
  put("t10k-labels-idx1-ubyte", idx_labels_bytes(test_count));
}

void write_cifar10_files(const std::filesystem::path& dir, uint32_t per_batch, uint32_t test_count) {
  for (uint32_t b = 0; b < 5; ++b)
    write_bytes(dir / ("data_batch_" + std::to_string(b + 1) + ".bin"), cifar10_batch_bytes(per_batch, b * per_batch));
  write_bytes(dir / "test_batch.bin", cifar10_batch_bytes(test_count, 50000));
}

namespace {

std::vector<uint8_t> learnable_cifar10_batch(uint32_t count, std::mt19937_64& rng) {
  std::vector<uint8_t> out;
  out.reserve(size_t(count) * 3073);
  std::uniform_int_distribution<int> noise(0, 120), label_of(0, 9);
  for (uint32_t i = 0; i < count; ++i) {
    const int c = label_of(rng);
    out.push_back(uint8_t(c));
    const int top = 4 + (c / 5) * 16, left = (c % 5) * 6;  // ten places, two rows of five
    for (int ch = 0; ch < 3; ++ch)  // CHW, as in the real files
      for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) {
          const bool patch = y >= top && y < top + 8 && x >= left && x < left + 8;
          out.push_back(uint8_t(patch && ch == c % 3 ? 255 : noise(rng)));
        }
  }
  return out;
}

}  // namespace

void write_learnable_cifar10_files(const std::filesystem::path& dir, uint32_t per_batch, uint32_t test_count,
                                   uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (uint32_t b = 0; b < 5; ++b)
    write_bytes(dir / ("data_batch_" + std::to_string(b + 1) + ".bin"), learnable_cifar10_batch(per_batch, rng));
  write_bytes(dir / "test_batch.bin", learnable_cifar10_batch(test_count, rng));
}

}  // namespace vkt::test
