#pragma once
// TensorBoard event files (`train --tensorboard DIR`, `tune --tensorboard DIR`): scalars per
// epoch in the files TensorBoard's EventAccumulator reads. Each file is a sequence of
// records, each record
//   u64 length | u32 masked CRC-32C of those 8 bytes | data | u32 masked CRC-32C of data
// (little-endian; nn/log/crc32c.hpp), whose data is one serialized Event (nn/log/event.proto):
// first the file version "brain.Event:2", then one Event per step with its scalars.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vkt::nn {

// One record around `data`.
std::string tensorboard_record(std::string_view data);

class TensorBoardWriter {
 public:
  // Creates `dir` (and its parents) and a new events.out.tfevents.<seconds>.<host>.<pid> in it,
  // with the version record. InputError if that cannot be done.
  explicit TensorBoardWriter(const std::filesystem::path& dir);
  // One Event at `step` holding every (tag, value), appended and flushed so that TensorBoard
  // sees it while the run goes on. Error when the write fails (a full disk is not silent).
  void scalars(int64_t step, const std::vector<std::pair<std::string, double>>& values);
  const std::filesystem::path& path() const { return path_; }

 private:
  void append(const std::string& event_bytes);
  std::filesystem::path path_;
};

// The run folder of one tuning trial: "trial-<id>" and its parameters, "lr=0.001,hidden=64",
// with characters a path should not hold replaced by '_'.
std::string tensorboard_trial_folder(int64_t id, const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace vkt::nn
