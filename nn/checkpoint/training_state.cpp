#include "nn/checkpoint/training_state.hpp"

#include <cstdio>
#include <cstring>

#include "nn/checkpoint/binary_io.hpp"
#include "util/error.hpp"
#include "util/file_io.hpp"

namespace vkt::nn {
namespace {

constexpr char kMagic[8] = {'V', 'K', 'T', 'S', 'T', 'A', 'T', 'E'};
constexpr size_t kPreambleBytes = sizeof kMagic + 4 + 8;  // magic, version, payload length
constexpr size_t kCrcBytes = 4;

std::string hex32(uint32_t v) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08x", v);
  return text;
}

// A tensor list: u64 count, then per tensor: name (string), shape (i64 array), data (f32 array).
void write_tensors(BinaryWriter& out, const std::vector<NamedTensor>& tensors) {
  out.u64(tensors.size());
  for (const auto& t : tensors) {
    const int64_t elements = element_count(t.shape);
    if (elements < 0 || static_cast<uint64_t>(elements) != t.data.size())
      throw Error("training state: tensor '" + t.name + "' has " + std::to_string(t.data.size()) +
                  " values but its shape holds " + std::to_string(elements));
    out.string(t.name);
    out.i64_array(t.shape);
    out.f32_array(t.data);
  }
}

std::vector<NamedTensor> read_tensors(BinaryReader& in, const std::string& what) {
  const uint64_t count = in.u64(what + " count");
  // Each tensor takes at least 24 bytes (three u64 lengths): a larger count is corrupt.
  if (count > in.remaining() / 24)
    in.fail("length past the end: " + what + " count " + std::to_string(count) + " cannot fit in the " +
            std::to_string(in.remaining()) + " bytes left");
  std::vector<NamedTensor> tensors(static_cast<size_t>(count));
  for (auto& t : tensors) {
    t.name = in.string(what + " name");
    t.shape = in.i64_array(what + " '" + t.name + "' shape");
    t.data = in.f32_array(what + " '" + t.name + "' data");
    const int64_t elements = element_count(t.shape);
    if (elements < 0 || static_cast<uint64_t>(elements) != t.data.size())
      in.fail(what + " '" + t.name + "' has " + std::to_string(t.data.size()) + " values but its shape holds " +
              std::to_string(elements));
  }
  return tensors;
}

// The payload's fields, in file order. Adding a field means a new format version.
std::vector<uint8_t> encode_payload(const TrainingState& s) {
  BinaryWriter out;
  out.string(s.config_json);
  out.u64(s.step);
  out.u32(s.epoch);
  out.u64(s.position_in_epoch);
  out.f32(s.epoch_sums.loss_sum);
  out.u32(s.epoch_sums.correct);
  out.u32(s.epoch_sums.counted);
  out.u32(s.epoch_sums.nonfinite);
  out.f64(s.plateau.lr);
  out.f64(s.plateau.best);
  out.u32(s.plateau.stale_epochs);
  out.bytes(s.rng_state);
  out.u64(s.shuffle_seed);
  out.u32_array(s.shuffle_permutation);
  write_tensors(out, s.optimizer_moments);
  write_tensors(out, s.parameters);
  return out.take();
}

TrainingState decode_payload(std::span<const uint8_t> payload, uint32_t version, const std::string& source) {
  BinaryReader in(payload, source + ": payload");
  TrainingState s;
  s.config_json = in.string("config");
  s.step = in.u64("step");
  s.epoch = in.u32("epoch");
  s.position_in_epoch = in.u64("position in epoch");
  if (version >= 2) {
    s.epoch_sums.loss_sum = in.f32("epoch loss sum");
    s.epoch_sums.correct = in.u32("epoch correct count");
    s.epoch_sums.counted = in.u32("epoch sample count");
    s.epoch_sums.nonfinite = in.u32("epoch non-finite count");
  }
  if (version >= 3) {
    s.plateau.lr = in.f64("plateau learning rate");
    s.plateau.best = in.f64("plateau best loss");
    s.plateau.stale_epochs = in.u32("plateau stale epochs");
  }
  s.rng_state = in.bytes("RNG state");
  s.shuffle_seed = in.u64("shuffle seed");
  s.shuffle_permutation = in.u32_array("shuffle permutation");
  s.optimizer_moments = read_tensors(in, "optimizer moment");
  s.parameters = read_tensors(in, "parameter");
  in.expect_end("the parameters");
  return s;
}

}  // namespace

std::vector<uint8_t> encode_training_state(const TrainingState& state) {
  const std::vector<uint8_t> payload = encode_payload(state);
  BinaryWriter out;
  out.raw({reinterpret_cast<const uint8_t*>(kMagic), sizeof kMagic});
  out.u32(kTrainingStateVersion);
  out.u64(payload.size());
  out.raw(payload);
  out.u32(crc32(payload));
  return out.take();
}

TrainingState decode_training_state(std::span<const uint8_t> file, const std::string& source) {
  BinaryReader in(file, source);
  if (file.size() < kPreambleBytes + kCrcBytes)
    in.fail("truncated: " + std::to_string(file.size()) + " bytes, too short for a training state (at least " +
            std::to_string(kPreambleBytes + kCrcBytes) + ")");
  const auto magic = in.raw(sizeof kMagic, "magic");
  if (std::memcmp(magic.data(), kMagic, sizeof kMagic) != 0) in.fail("not a vktrain training state (bad magic)");
  const uint32_t version = in.u32("format version");
  if (version < 1 || version > kTrainingStateVersion)
    throw InputError(source + ": training state format version " + std::to_string(version) + ", this build reads 1 to " +
                         std::to_string(kTrainingStateVersion),
                     "resume with the vktrain version that wrote it, or start afresh");
  const uint64_t payload_bytes = in.u64("payload length");
  const uint64_t room = file.size() - kPreambleBytes - kCrcBytes;  // what the payload can have
  if (payload_bytes > room)
    in.fail("truncated: payload length " + std::to_string(payload_bytes) + " runs past the end of the " +
            std::to_string(file.size()) + "-byte file (room for " + std::to_string(room) + ")");
  if (payload_bytes < room)
    in.fail("trailing garbage: " + std::to_string(room - payload_bytes) + " bytes after the CRC (payload length " +
            std::to_string(payload_bytes) + ")");
  const auto payload = in.raw(static_cast<size_t>(payload_bytes), "payload");
  const uint32_t stored_crc = in.u32("CRC");
  const uint32_t actual_crc = crc32(payload);
  if (stored_crc != actual_crc)
    in.fail("CRC mismatch: the file says " + hex32(stored_crc) + ", the payload gives " + hex32(actual_crc) +
            " (the file is damaged)");
  return decode_payload(payload, version, source);
}

void write_training_state(const std::filesystem::path& path, const TrainingState& state) {
  write_file_atomic(path, encode_training_state(state));
}

TrainingState read_training_state(const std::filesystem::path& path) {
  return decode_training_state(read_file(path), path.string());
}

}  // namespace vkt::nn
