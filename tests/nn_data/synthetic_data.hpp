#pragma once
// Small synthetic MNIST-style (IDX) and CIFAR-10 files whose every byte is predictable, so
// a test can tell which image ended up where.
#include <cstdint>
#include <filesystem>
#include <vector>

namespace vkt::test {

// Pixel j of image i; label of image i (0..9). Distinct images differ in their first bytes.
uint8_t synthetic_pixel(uint32_t image, size_t j);
uint8_t synthetic_label(uint32_t image);

std::vector<uint8_t> idx_images_bytes(uint32_t count, uint32_t rows, uint32_t cols);
std::vector<uint8_t> idx_labels_bytes(uint32_t count);
// One CIFAR-10 batch; image numbers start at `first` so batches hold different images.
std::vector<uint8_t> cifar10_batch_bytes(uint32_t count, uint32_t first = 0);

// The four MNIST files in `dir`, gzipped or raw, with train_count/test_count 28x28 images.
void write_mnist_files(const std::filesystem::path& dir, uint32_t train_count, uint32_t test_count, bool gzip);
// data_batch_1..5.bin (per_batch images each) and test_batch.bin (test_count images).
void write_cifar10_files(const std::filesystem::path& dir, uint32_t per_batch, uint32_t test_count);
// The same files with images a network can learn: label c puts a bright 8x8 patch in one of
// ten places, in one of three colours (c % 3), over uniform noise from `seed`, so a model that
// learns shows it in its accuracy (chance is 0.1).
void write_learnable_cifar10_files(const std::filesystem::path& dir, uint32_t per_batch, uint32_t test_count,
                                   uint64_t seed);

}  // namespace vkt::test
