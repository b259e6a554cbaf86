#include "nn/checkpoint/safetensors.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "nn/checkpoint/binary_io.hpp"
#include "util/error.hpp"
#include "util/file_io.hpp"
#include "util/json_input.hpp"

namespace vkt::nn {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr const char* kMetadataKey = "__metadata__";
// The reference implementation refuses larger headers; so do we, before parsing them.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

// A name as it appears in the JSON, quoted and escaped, so an error stays on one line.
std::string quoted(const std::string& name) { return json(name).dump(-1, ' ', false, json::error_handler_t::replace); }

void check_tensors_to_write(std::span<const NamedTensor> tensors) {
  std::set<std::string> seen;
  for (const auto& t : tensors) {
    if (t.name.empty() || t.name == kMetadataKey)
      throw Error("safetensors: cannot store a tensor named " + quoted(t.name));
    if (!seen.insert(t.name).second) throw Error("safetensors: two tensors are named " + quoted(t.name));
    const int64_t elements = element_count(t.shape);
    if (elements < 0 || static_cast<uint64_t>(elements) != t.size() || (t.is_int && !t.data.empty()))
      throw Error("safetensors: tensor " + quoted(t.name) + " has " + std::to_string(t.size()) +
                  " values but its shape holds " + std::to_string(elements));
  }
}

}  // namespace

std::vector<uint8_t> encode_safetensors(std::span<const NamedTensor> tensors, const SafetensorsMetadata& metadata) {
  check_tensors_to_write(tensors);
  std::vector<const NamedTensor*> sorted;
  for (const auto& t : tensors) sorted.push_back(&t);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->name < b->name; });

  ordered_json header = ordered_json::object();
  if (!metadata.empty()) header[kMetadataKey] = metadata;
  uint64_t offset = 0;
  for (const NamedTensor* t : sorted) {
    const uint64_t end = offset + (t->is_int ? t->ints.size() * 8 : t->data.size() * 4);
    header[t->name] = {{"dtype", t->is_int ? "I64" : "F32"}, {"shape", t->shape}, {"data_offsets", {offset, end}}};
    offset = end;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const json::type_error& e) {  // a name or metadata string that is not UTF-8
    throw Error(std::string("safetensors: cannot encode the header: ") + e.what());
  }
  text.append((8 - text.size() % 8) % 8, ' ');  // the data then starts 8-byte aligned

  BinaryWriter out;
  out.u64(text.size());
  out.raw({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  for (const NamedTensor* t : sorted) {
    for (float v : t->data) out.f32(v);
    for (int64_t v : t->ints) out.i64(v);
  }
  return out.take();
}

void write_safetensors(const std::filesystem::path& path, std::span<const NamedTensor> tensors,
                       const SafetensorsMetadata& metadata) {
  write_file_atomic(path, encode_safetensors(tensors, metadata));
}

namespace {

struct TensorEntry {
  std::string name;
  std::vector<int64_t> shape;
  bool is_int = false;  // I64, else F32
  uint64_t begin = 0, end = 0;
};

uint64_t unsigned_field(const json& value, const std::string& what, const BinaryReader& in) {
  if (!value.is_number_unsigned()) in.fail("bad header: " + what + " is " + value.dump() + ", not a non-negative integer");
  return value.get<uint64_t>();
}

TensorEntry parse_tensor_entry(const std::string& name, const json& info, const BinaryReader& in) {
  const std::string where = "tensor " + quoted(name);
  if (!info.is_object()) in.fail("bad header: " + where + " is not an object");
  for (const char* key : {"dtype", "shape", "data_offsets"})
    if (!info.contains(key)) in.fail("bad header: " + where + " has no \"" + key + "\"");
  const json& dtype = info["dtype"];
  if (!dtype.is_string()) in.fail("bad header: " + where + " has a dtype that is not a string");
  if (dtype.get<std::string>() != "F32" && dtype.get<std::string>() != "I64")
    in.fail(where + " has dtype " + dtype.get<std::string>() + "; only F32 and I64 are supported");

  TensorEntry entry{name, {}, dtype.get<std::string>() == "I64", 0, 0};
  const uint64_t element_bytes = entry.is_int ? 8 : 4;
  const json& shape = info["shape"];
  if (!shape.is_array()) in.fail("bad header: " + where + " has a shape that is not an array");
  for (const json& d : shape) {
    const uint64_t dim = unsigned_field(d, where + " shape dimension", in);
    if (dim > static_cast<uint64_t>(INT64_MAX)) in.fail("bad header: " + where + " has dimension " + std::to_string(dim));
    entry.shape.push_back(static_cast<int64_t>(dim));
  }
  const int64_t elements = element_count(entry.shape);
  if (elements < 0 || static_cast<uint64_t>(elements) > UINT64_MAX / element_bytes)
    in.fail("bad header: " + where + " has a shape " + shape.dump() + " too large to exist");

  const json& offsets = info["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2)
    in.fail("bad header: " + where + " data_offsets is " + offsets.dump() + ", not [begin, end]");
  entry.begin = unsigned_field(offsets[0], where + " data_offsets begin", in);
  entry.end = unsigned_field(offsets[1], where + " data_offsets end", in);
  if (entry.end < entry.begin) in.fail(where + " data_offsets " + offsets.dump() + " end before they begin");
  const uint64_t expected = static_cast<uint64_t>(elements) * element_bytes;
  if (entry.end - entry.begin != expected)
    in.fail(where + " data_offsets " + offsets.dump() + " span " + std::to_string(entry.end - entry.begin) +
            " bytes but shape " + shape.dump() + " of " + dtype.get<std::string>() + " needs " +
            std::to_string(expected));
  return entry;
}

SafetensorsMetadata parse_metadata(const json& value, const BinaryReader& in) {
  if (!value.is_object()) in.fail("bad header: __metadata__ is not an object");
  SafetensorsMetadata metadata;
  for (const auto& [key, v] : value.items()) {
    if (!v.is_string()) in.fail("bad header: __metadata__ value of " + quoted(key) + " is not a string");
    metadata[key] = v.get<std::string>();
  }
  return metadata;
}

// The tensors must tile the data section exactly: sorted by offset, each begins where the
// previous ended, the first at 0 and the last at the end of the file.
void check_layout(std::vector<TensorEntry>& entries, uint64_t data_bytes, const BinaryReader& in) {
  std::sort(entries.begin(), entries.end(), [](const TensorEntry& a, const TensorEntry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t cursor = 0;
  const TensorEntry* previous = nullptr;
  for (const TensorEntry& e : entries) {
    if (e.begin < cursor)
      in.fail("tensor " + quoted(e.name) + " data [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
              ") overlaps tensor " + quoted(previous->name));
    if (e.begin > cursor)
      in.fail("gap in the data: no tensor covers bytes [" + std::to_string(cursor) + ", " + std::to_string(e.begin) +
              ") before tensor " + quoted(e.name));
    if (e.end > data_bytes)
      in.fail("truncated: tensor " + quoted(e.name) + " ends at data offset " + std::to_string(e.end) +
              " but the file holds " + std::to_string(data_bytes) + " data bytes");
    cursor = e.end;
    previous = &e;
  }
  if (cursor != data_bytes)
    in.fail("trailing garbage: the tensors cover " + std::to_string(cursor) + " data bytes but the file holds " +
            std::to_string(data_bytes));
}

}  // namespace

SafetensorsContents decode_safetensors(std::span<const uint8_t> file, const std::string& source) {
  BinaryReader in(file, source);
  const uint64_t header_bytes = in.u64("the header length");
  if (header_bytes > kMaxHeaderBytes)
    in.fail("header length " + std::to_string(header_bytes) + " exceeds the 100000000-byte limit (corrupt length?)");
  if (header_bytes > in.remaining())
    in.fail("truncated: header length " + std::to_string(header_bytes) + " reaches past the end of the " +
            std::to_string(file.size()) + "-byte file");
  const auto header_text = in.raw(static_cast<size_t>(header_bytes), "the header");
  if (header_text.empty() || header_text[0] != '{') in.fail("bad header: it does not start with '{'");
  json header;
  try {
    header = parse_json(header_text, "header");
  } catch (const InputError& e) {
    in.fail(std::string("bad ") + e.what());  // "bad header: ..."
  }
  if (!header.is_object()) in.fail("bad header: not a JSON object");

  SafetensorsContents contents;
  std::vector<TensorEntry> entries;
  for (const auto& [key, value] : header.items()) {
    if (key == kMetadataKey)
      contents.metadata = parse_metadata(value, in);
    else
      entries.push_back(parse_tensor_entry(key, value, in));
  }
  const uint64_t data_bytes = in.remaining();
  check_layout(entries, data_bytes, in);

  const auto data = in.raw(in.remaining(), "the tensor data");
  for (TensorEntry& e : entries) {
    BinaryReader tensor_bytes(data.subspan(e.begin, e.end - e.begin), source);
    NamedTensor t{std::move(e.name), std::move(e.shape), {}, e.is_int, {}};
    if (e.is_int) {
      t.ints.resize((e.end - e.begin) / 8);
      for (int64_t& v : t.ints) v = tensor_bytes.i64("tensor data");
    } else {
      t.data.resize((e.end - e.begin) / 4);
      for (float& v : t.data) v = tensor_bytes.f32("tensor data");
    }
    contents.tensors.push_back(std::move(t));
  }
  return contents;
}

SafetensorsContents read_safetensors(const std::filesystem::path& path) {
  return decode_safetensors(read_file(path), path.string());
}

}  // namespace vkt::nn
