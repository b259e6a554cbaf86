#pragma once
// The journal's record types and their framing:
//   u32 length (of type + payload) | u32 CRC-32 (of type + payload) | u8 type | payload
// A record is self-checking, so a reader can tell a torn or corrupt record from a good one.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "tuning/trial.hpp"

namespace vkt::tune::storage {

enum class RecordType : uint8_t {
  StudyCreated = 1,
  TrialStarted = 2,
  EpochReported = 3,
  CheckpointWritten = 4,
  TrialFinished = 5,
  SamplerState = 6,
  RefitFinished = 7,
};

struct StudyCreated {
  std::string settings_json;
};
struct TrialStarted {
  int64_t trial_id = 0;
  Params params;
  uint64_t seed = 0;
  Owner owner;
  bool resumed = false;  // a new owner taking over an orphaned trial, same params and seed
};
struct EpochReported {
  int64_t trial_id = 0;
  int32_t epoch = 0;
  double value = 0, loss = 0;
};
struct CheckpointWritten {
  int64_t trial_id = 0;
  int32_t epoch = 0;
  std::string path;
};
struct TrialFinished {
  int64_t trial_id = 0;
  TrialState state = TrialState::Complete;
  double value = 0;
  std::string reason;
};
struct SamplerState {
  std::vector<uint8_t> blob;
};
// `tune --refit`: the best trial's setting trained on the whole training set, then tested.
struct RefitFinished {
  RefitResult result;
};

using Record = std::variant<StudyCreated, TrialStarted, EpochReported, CheckpointWritten, TrialFinished, SamplerState,
                            RefitFinished>;

constexpr size_t kFrameHeaderBytes = 8;  // length + CRC
constexpr uint32_t kMaxRecordBytes = 64u << 20;

// The whole framed record, ready to append.
std::vector<uint8_t> encode_record(const Record& record);
// Only its body (type + payload, what the frame's CRC covers): what a database row holds.
std::vector<uint8_t> encode_body(const Record& record);

// Outcome of looking at the bytes at some offset.
enum class FrameStatus { Ok, Incomplete, BadChecksum };
struct Frame {
  FrameStatus status;
  size_t size = 0;                   // framed size when Ok or BadChecksum
  std::span<const uint8_t> body;     // type + payload when Ok
};
Frame read_frame(std::span<const uint8_t> bytes);

// Decodes type + payload of a frame whose checksum matched; Error if it does not parse.
Record decode_body(std::span<const uint8_t> body);

}  // namespace vkt::tune::storage
