#pragma once
// Everything needed to resume training exactly where it stopped, in one binary file:
//   "VKTSTATE" | u32 format version | u64 payload length | payload | u32 CRC-32 of payload
// all little-endian. The payload (see training_state.cpp for the field order) is written
// field by field with BinaryWriter, never as a struct dump. Any damage — bad magic, another
// version, a length that disagrees with the file size, a CRC mismatch, a field running past
// the end — is an InputError naming the file and the problem.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "nn/checkpoint/named_tensor.hpp"
#include "nn/optim/plateau.hpp"

namespace vkt::nn {

// Version 2 added the epoch's loss sums so far (a state written mid-epoch), version 3 the
// plateau schedule's state. Older files are still read: version 1 was always written at
// epoch ends, and neither could hold a plateau run.
inline constexpr uint32_t kTrainingStateVersion = 3;

// The training loss and accuracy sums of the epoch in progress, as the device holds them, so
// that an epoch resumed mid-way reports the same means as an uninterrupted one. Between epochs
// they are the finished epoch's (zero before the first, and in version 1 files).
struct EpochSums {
  float loss_sum = 0;
  uint32_t correct = 0, counted = 0, nonfinite = 0;
  bool operator==(const EpochSums&) const = default;
};

struct TrainingState {
  std::string config_json;         // the run's configuration, as given
  uint64_t step = 0;               // optimizer steps taken
  uint32_t epoch = 0;              // current epoch, 0-based
  uint64_t position_in_epoch = 0;  // samples of this epoch already consumed
  EpochSums epoch_sums;            // of those samples; between epochs, of the finished epoch
  // The plateau schedule's rate, best loss and count (unused by other schedules; in older
  // files: lr 0, which the trainer reads as "not recorded").
  PlateauState plateau;
  std::vector<uint8_t> rng_state;  // the trainer's RNG, serialized by its owner (opaque here)
  uint64_t shuffle_seed = 0;                    // the seed that made this epoch's order
  std::vector<uint32_t> shuffle_permutation;    // this epoch's order; may be empty if the seed suffices
  std::vector<NamedTensor> optimizer_moments;   // e.g. "fc1.weight.m", "fc1.weight.v"
  std::vector<NamedTensor> parameters;
};

std::vector<uint8_t> encode_training_state(const TrainingState& state);
TrainingState decode_training_state(std::span<const uint8_t> file, const std::string& source);

// encode + write_file_atomic: a crash while saving leaves the previous file intact.
void write_training_state(const std::filesystem::path& path, const TrainingState& state);
TrainingState read_training_state(const std::filesystem::path& path);

}  // namespace vkt::nn
