#include "tuning/storage/records.hpp"

#include "tuning/storage/byte_codec.hpp"
#include "util/file_io.hpp"

namespace vkt::tune::storage {
namespace {

enum class ValueTag : uint8_t { Double = 0, Int = 1, String = 2, Bool = 3 };

void write_params(ByteWriter& w, const Params& params) {
  w.u32(uint32_t(params.size()));
  for (const auto& [name, value] : params) {
    w.str(name);
    if (const auto* d = std::get_if<double>(&value)) {
      w.u8(uint8_t(ValueTag::Double));
      w.f64(*d);
    } else if (const auto* i = std::get_if<int64_t>(&value)) {
      w.u8(uint8_t(ValueTag::Int));
      w.i64(*i);
    } else if (const auto* s = std::get_if<std::string>(&value)) {
      w.u8(uint8_t(ValueTag::String));
      w.str(*s);
    } else {
      w.u8(uint8_t(ValueTag::Bool));
      w.u8(std::get<bool>(value) ? 1 : 0);
    }
  }
}

Params read_params(ByteReader& r) {
  Params params;
  const uint32_t n = r.u32();
  for (uint32_t k = 0; k < n; ++k) {
    std::string name = r.str();
    switch (ValueTag(r.u8())) {
      case ValueTag::Double: params[name] = r.f64(); break;
      case ValueTag::Int: params[name] = r.i64(); break;
      case ValueTag::String: params[name] = r.str(); break;
      case ValueTag::Bool: params[name] = r.u8() != 0; break;
      default: throw Error("unknown value tag in params");
    }
  }
  return params;
}

struct Encoder {
  ByteWriter& w;
  RecordType operator()(const StudyCreated& r) {
    w.str(r.settings_json);
    return RecordType::StudyCreated;
  }
  RecordType operator()(const TrialStarted& r) {
    w.i64(r.trial_id);
    write_params(w, r.params);
    w.u64(r.seed);
    w.str(r.owner.host);
    w.i64(r.owner.pid);
    w.str(r.owner.worker);
    w.u8(r.resumed ? 1 : 0);
    return RecordType::TrialStarted;
  }
  RecordType operator()(const EpochReported& r) {
    w.i64(r.trial_id);
    w.u32(uint32_t(r.epoch));
    w.f64(r.value);
    w.f64(r.loss);
    return RecordType::EpochReported;
  }
  RecordType operator()(const CheckpointWritten& r) {
    w.i64(r.trial_id);
    w.u32(uint32_t(r.epoch));
    w.str(r.path);
    return RecordType::CheckpointWritten;
  }
  RecordType operator()(const TrialFinished& r) {
    w.i64(r.trial_id);
    w.u8(uint8_t(r.state));
    w.f64(r.value);
    w.str(r.reason);
    return RecordType::TrialFinished;
  }
  RecordType operator()(const SamplerState& r) {
    w.bytes(r.blob);
    return RecordType::SamplerState;
  }
  RecordType operator()(const RefitFinished& r) {
    w.i64(r.result.trial_id);
    w.u32(r.result.train_images);
    w.u32(r.result.epochs);
    w.f64(r.result.test_accuracy);
    w.f64(r.result.test_loss);
    w.f64(r.result.seconds);
    return RecordType::RefitFinished;
  }
};

uint32_t load_u32(std::span<const uint8_t> b) {
  return uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
}

}  // namespace

std::vector<uint8_t> encode_body(const Record& record) {
  ByteWriter body;
  body.u8(0);  // the type, patched below once the visitor has said which it is
  body.data()[0] = uint8_t(std::visit(Encoder{body}, record));
  return std::move(body.data());
}

std::vector<uint8_t> encode_record(const Record& record) {
  const auto b = encode_body(record);
  ByteWriter framed;
  framed.u32(uint32_t(b.size()));
  framed.u32(crc32(b));
  framed.data().insert(framed.data().end(), b.begin(), b.end());
  return std::move(framed.data());
}

Frame read_frame(std::span<const uint8_t> bytes) {
  if (bytes.size() < kFrameHeaderBytes) return {FrameStatus::Incomplete};
  const uint32_t length = load_u32(bytes);
  const uint32_t crc = load_u32(bytes.subspan(4));
  if (length == 0 || length > kMaxRecordBytes || length > bytes.size() - kFrameHeaderBytes)
    return {FrameStatus::Incomplete};
  const auto body = bytes.subspan(kFrameHeaderBytes, length);
  if (crc32(body) != crc) return {FrameStatus::BadChecksum, kFrameHeaderBytes + length};
  return {FrameStatus::Ok, kFrameHeaderBytes + length, body};
}

Record decode_body(std::span<const uint8_t> body) {
  ByteReader r(body.subspan(1));
  Record out;
  switch (RecordType(body[0])) {
    case RecordType::StudyCreated: out = StudyCreated{r.str()}; break;
    case RecordType::TrialStarted: {
      TrialStarted t;
      t.trial_id = r.i64();
      t.params = read_params(r);
      t.seed = r.u64();
      t.owner.host = r.str();
      t.owner.pid = r.i64();
      t.owner.worker = r.str();
      t.resumed = r.u8() != 0;
      out = std::move(t);
      break;
    }
    case RecordType::EpochReported: {
      EpochReported e;
      e.trial_id = r.i64();
      e.epoch = int32_t(r.u32());
      e.value = r.f64();
      e.loss = r.f64();
      out = e;
      break;
    }
    case RecordType::CheckpointWritten: {
      CheckpointWritten c;
      c.trial_id = r.i64();
      c.epoch = int32_t(r.u32());
      c.path = r.str();
      out = std::move(c);
      break;
    }
    case RecordType::TrialFinished: {
      TrialFinished f;
      f.trial_id = r.i64();
      const uint8_t state = r.u8();
      if (state < 1 || state > 4) throw Error("unknown trial state " + std::to_string(state));
      f.state = TrialState(state);
      f.value = r.f64();
      f.reason = r.str();
      out = std::move(f);
      break;
    }
    case RecordType::SamplerState: out = SamplerState{r.bytes()}; break;
    case RecordType::RefitFinished: {
      RefitFinished f;
      f.result.trial_id = r.i64();
      f.result.train_images = r.u32();
      f.result.epochs = r.u32();
      f.result.test_accuracy = r.f64();
      f.result.test_loss = r.f64();
      f.result.seconds = r.f64();
      out = f;
      break;
    }
    default: throw Error("unknown record type " + std::to_string(body[0]) + " (written by a newer vktrain?)");
  }
  if (!r.done()) throw Error("record has trailing bytes");
  return out;
}

}  // namespace vkt::tune::storage
