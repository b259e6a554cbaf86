#pragma once
// CIFAR-10's binary batches: each record is 1 label byte (0..9) then 3072 pixel bytes,
// 1024 red, 1024 green, 1024 blue, each a 32x32 row-major plane (so CHW already).
#include <filesystem>
#include <span>
#include <string>

#include "nn/data/dataset.hpp"

namespace vkt::nn {

inline constexpr uint32_t kCifar10Side = 32;
inline constexpr uint32_t kCifar10RecordBytes = 1 + 3 * kCifar10Side * kCifar10Side;  // 3073

// One batch file. Missing file, empty file, a size that is not a multiple of 3073, a label
// above 9 -> InputError naming the file (and the record, for a bad label).
Dataset read_cifar10_batch(const std::filesystem::path& path);
Dataset parse_cifar10_batch(std::span<const uint8_t> bytes, const std::string& source);

// Several batches one after the other, e.g. data_batch_1.bin .. data_batch_5.bin.
Dataset read_cifar10_batches(std::span<const std::filesystem::path> paths);

}  // namespace vkt::nn
