#pragma once
// A labelled image data set in memory, and the loader that turns a directory of MNIST,
// Fashion-MNIST or CIFAR-10 files into train / validation / test splits.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vkt::nn {

struct Dataset {
  uint32_t count = 0, channels = 0, height = 0, width = 0;
  std::vector<uint8_t> images;  // count*C*H*W, NCHW uint8
  std::vector<uint8_t> labels;  // count, each < classes
  uint32_t classes = 0;

  size_t image_bytes() const { return size_t{channels} * height * width; }
};

struct DataSplits {
  Dataset train, val, test;
};

enum class DatasetKind { mnist, fashion_mnist, cifar10 };

// "mnist" | "fashion-mnist" | "cifar10"; anything else -> InputError listing those names.
DatasetKind parse_dataset_kind(std::string_view name);
std::string_view dataset_kind_name(DatasetKind kind);

// Where a distribution package puts the files, if there is one: fashion-mnist ->
// /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist). Others: nullopt.
std::optional<std::filesystem::path> default_dataset_dir(DatasetKind kind);

// The seed of the validation split. It is a constant of the data set, independent of the
// training seed, so runs with different training seeds validate on the same images.
inline constexpr uint64_t kValidationSplitSeed = 0x5eed'da7a'0000'0001ull;

// Loads the training and test files of `kind` from `dir` and holds a validation set out of
// the training set.
//   mnist, fashion-mnist: train-images-idx3-ubyte, train-labels-idx1-ubyte,
//     t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each raw or with .gz appended.
//   cifar10: data_batch_1.bin .. data_batch_5.bin and test_batch.bin, in `dir` or in
//     `dir`/cifar-10-batches-bin (how the official archive unpacks).
// The validation split: the training indices 0..N-1 are shuffled by Fisher-Yates driven by
// SplitMix64(split_seed) (see permutation.hpp; portable, unlike std::shuffle); the images at
// the last V = floor(val_split * N) positions of that order form `val`, the rest `train`.
// Both keep the files' original relative order. val_split must lie in [0, 1).
// Missing directory or files, malformed files, image/label count mismatches, wrong image
// size for the kind, labels >= 10 -> InputError naming the file.
DataSplits load_dataset(DatasetKind kind, const std::filesystem::path& dir, double val_split,
                        uint64_t split_seed = kValidationSplitSeed);

// The number of validation images for N training images: floor(val_split * N), computed so
// that decimal fractions such as 0.29 * 100 give 29 and not 28.
uint32_t validation_count(uint32_t n, double val_split);

// The first n images (all of them if n >= count); for tests and quick runs.
Dataset subset(const Dataset& data, uint32_t n);

// The images at `indices`, in that order.
Dataset select(const Dataset& data, const std::vector<uint32_t>& indices);

}  // namespace vkt::nn
