// safetensors: exact bytes for a tiny file, round trips of awkward shapes, and an
// InputError naming the file for every kind of damage.
#include <doctest/doctest.h>

#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "nn/checkpoint/safetensors.hpp"
#include "tests/nn_data/file_test_support.hpp"
#include "util/error.hpp"
#include "util/file_io.hpp"

using namespace vkt::nn;
using vkt::test::input_error_message;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::vector<NamedTensor> awkward_tensors() {
  std::vector<NamedTensor> t;
  t.push_back({"z.scalar", {}, {3.25f}});
  t.push_back({"b.one", {1}, {-1.0f}});
  t.push_back({"a.odd", {3, 5, 7}, {}});
  for (int i = 0; i < 105; ++i) t.back().data.push_back(static_cast<float>(i) * 0.5f - 7.0f);
  t.push_back({"m.empty", {0, 4}, {}});
  t.push_back({"special", {4}, {std::numeric_limits<float>::infinity(), -0.0f, 1e-45f,
                                 std::numeric_limits<float>::max()}});
  t.push_back({"unicode.é", {2}, {1.0f, 2.0f}});
  t.push_back({"1.num_batches_tracked", {}, {}, true, {INT64_C(1) << 40}});  // I64, as PyTorch's batch norm
  t.push_back({"ints", {3}, {}, true, {-1, 0, INT64_MAX}});
  return t;
}

// A valid file built by hand from a header string and data bytes.
std::vector<uint8_t> file_with_header(const std::string& header, std::vector<uint8_t> data) {
  std::vector<uint8_t> out(8);
  const uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(n >> (8 * i));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::string header_text(const std::vector<uint8_t>& file) {
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= uint64_t{file[i]} << (8 * i);
  return {file.begin() + 8, file.begin() + 8 + static_cast<std::ptrdiff_t>(n)};
}

}  // namespace

TEST_CASE("checkpoint: safetensors bytes are exactly the spec for a tiny file") {
  const std::vector<NamedTensor> tensors{{"w", {2}, {1.0f, -2.0f}}, {"b", {}, {0.5f}}};
  const auto file = encode_safetensors(tensors, {{"format", "pt"}});
  const std::string header =
      R"({"__metadata__":{"format":"pt"},"b":{"dtype":"F32","shape":[],"data_offsets":[0,4]},)"
      R"("w":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})";
  std::string padded = header;
  padded.append((8 - padded.size() % 8) % 8, ' ');
  // b = 0.5 (0x3f000000), w = 1 (0x3f800000), -2 (0xc0000000), all little-endian.
  CHECK(file == file_with_header(padded, {0, 0, 0, 0x3f, 0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0}));
}

TEST_CASE("checkpoint: safetensors header is JSON, padded to 8, sorted by name") {
  const auto file = encode_safetensors(awkward_tensors());
  const std::string header = header_text(file);
  CHECK(header.size() % 8 == 0);
  CHECK(header.front() == '{');
  const auto json = nlohmann::json::parse(header);
  CHECK_FALSE(json.contains("__metadata__"));  // omitted when empty, like the reference
  uint64_t previous_end = 0;
  // Offsets ascend in name order (nlohmann::json keeps keys sorted) and tile the data section.
  for (const auto& [name, info] : json.items()) {
    CHECK(info["dtype"] == (name == "ints" || name.ends_with("num_batches_tracked") ? "I64" : "F32"));
    CHECK(info["data_offsets"][0].get<uint64_t>() == previous_end);
    previous_end = info["data_offsets"][1].get<uint64_t>();
  }
  CHECK(8 + header.size() + previous_end == file.size());
}

TEST_CASE("checkpoint: safetensors round trip (scalar, 1 element, odd and empty shapes, metadata)") {
  vkt::test::TempDir dir;
  const auto path = dir / "model.safetensors";
  const auto tensors = awkward_tensors();
  const SafetensorsMetadata metadata{{"format", "pt"}, {"step", "1200"}, {"note", "line\nbreak \"quoted\""}};
  write_safetensors(path, tensors, metadata);
  const auto read = read_safetensors(path);
  CHECK(read.metadata == metadata);
  REQUIRE(read.tensors.size() == tensors.size());
  for (const auto& original : tensors) {
    CAPTURE(original.name);
    const auto it = std::find_if(read.tensors.begin(), read.tensors.end(),
                                 [&](const NamedTensor& t) { return t.name == original.name; });
    REQUIRE(it != read.tensors.end());
    CHECK(it->shape == original.shape);
    REQUIRE(it->data.size() == original.data.size());
    if (!original.data.empty())  // memcmp of an empty vector's null data is undefined
      CHECK(std::memcmp(it->data.data(), original.data.data(), original.data.size() * 4) == 0);  // bitwise
    CHECK(it->is_int == original.is_int);
    CHECK(it->ints == original.ints);
  }
  // Read back in file order, which is name order.
  CHECK(std::is_sorted(read.tensors.begin(), read.tensors.end(),
                       [](const NamedTensor& a, const NamedTensor& b) { return a.name < b.name; }));
  // An empty checkpoint is a valid file too.
  CHECK(decode_safetensors(encode_safetensors({}), "empty").tensors.empty());
}

TEST_CASE("checkpoint: safetensors writes leave no temporary files and replace the old file") {
  vkt::test::TempDir dir;
  const auto path = dir / "ckpt.safetensors";
  write_safetensors(path, std::vector<NamedTensor>{{"a", {1}, {1.0f}}});
  write_safetensors(path, std::vector<NamedTensor>{{"a", {1}, {2.0f}}});
  CHECK(read_safetensors(path).tensors.at(0).data == std::vector<float>{2.0f});
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    ++files;
    CHECK(entry.path().filename() == "ckpt.safetensors");
  }
  CHECK(files == 1);
}

TEST_CASE("checkpoint: safetensors writer rejects caller bugs with Error, not InputError") {
  auto rejected = [](std::vector<NamedTensor> t) {
    try {
      encode_safetensors(t);
    } catch (const vkt::InputError&) {
      return false;
    } catch (const vkt::Error&) {
      return true;
    }
    return false;
  };
  CHECK(rejected({{"a", {2}, {1.0f}}}));                    // shape disagrees with data
  CHECK(rejected({{"a", {1}, {1.0f}}, {"a", {1}, {1.0f}}}));  // duplicate name
  CHECK(rejected({{"__metadata__", {1}, {1.0f}}}));
  CHECK(rejected({{"", {1}, {1.0f}}}));
  CHECK(rejected({{"a", {-1}, {}}}));
  CHECK(rejected({{"bad\xff utf8", {1}, {1.0f}}}));
}

TEST_CASE("checkpoint: safetensors truncated at every offset is an InputError naming the file") {
  vkt::test::TempDir dir;
  const auto path = dir / "cut.safetensors";
  const auto file = encode_safetensors(std::vector<NamedTensor>{{"w", {3, 3}, std::vector<float>(9, 1.0f)},
                                                                {"b", {3}, {1.0f, 2.0f, 3.0f}}});
  for (size_t size = 0; size < file.size(); ++size) {
    CAPTURE(size);
    std::vector<uint8_t> cut(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(size));
    vkt::test::write_bytes(path, cut);
    CHECK(contains(input_error_message([&] { read_safetensors(path); }), path.string() + ": "));
  }
  // One byte too many is not a valid file either.
  auto longer = file;
  longer.push_back(0);
  CHECK(contains(input_error_message([&] { decode_safetensors(longer, "f"); }), "f: trailing garbage"));
}

TEST_CASE("checkpoint: safetensors with a damaged header length is an InputError") {
  const auto file = encode_safetensors(std::vector<NamedTensor>{{"w", {4}, {1.0f, 2.0f, 3.0f, 4.0f}}});
  for (size_t byte = 0; byte < 8; ++byte)
    for (uint8_t flip : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xff}}) {
      CAPTURE(byte);
      CAPTURE(int{flip});
      auto bad = file;
      bad[byte] ^= flip;
      CHECK(contains(input_error_message([&] { decode_safetensors(bad, "m.st"); }), "m.st: "));
    }
}

TEST_CASE("checkpoint: safetensors header problems are named") {
  const std::vector<uint8_t> four_floats(16, 0);
  auto message = [&](const std::string& header, std::vector<uint8_t> data) {
    return input_error_message([&] { decode_safetensors(file_with_header(header, data), "h.st"); });
  };
  CHECK(contains(message(R"({"w":{"dtype":"F16","shape":[8],"data_offsets":[0,16]}})", four_floats),
                 "h.st: tensor \"w\" has dtype F16; only F32 and I64 are supported"));
  CHECK(contains(message(R"({"w":{"dtype":"I64","shape":[4],"data_offsets":[0,16]}})", four_floats),
                 "shape [4] of I64 needs 32"));
  CHECK(contains(message(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]})", four_floats),
                 "h.st: bad header: not valid JSON"));
  CHECK(contains(message(R"([1,2])", {}), "h.st: bad header"));
  CHECK(contains(message(R"(  {})", {}), "h.st: bad header"));
  CHECK(contains(message(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}})", four_floats),
                 "needs 12"));
  CHECK(contains(message(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[4,20]}})", four_floats), "gap"));
  CHECK(contains(message(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                         R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                         four_floats),
                 "overlaps"));
  CHECK(contains(message(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", four_floats),
                 "trailing garbage"));
  CHECK(contains(message(R"({"w":{"dtype":"F32","shape":[8],"data_offsets":[0,32]}})", four_floats),
                 "truncated"));
  CHECK(contains(message(R"({"w":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}})", four_floats),
                 "not a non-negative integer"));
  CHECK(contains(message(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[16,0]}})", four_floats),
                 "end before they begin"));
  CHECK(contains(message(R"({"w":{"dtype":"F32","shape":[4]}})", four_floats), "has no \"data_offsets\""));
  CHECK(contains(message(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,16]}})",
                         four_floats),
                 "too large"));
  CHECK(contains(message(R"({"__metadata__":{"step":5}})", {}), "__metadata__ value of \"step\" is not a string"));
  // Names with control characters stay on one line in the message.
  CHECK(contains(message(R"({"a\nb":{"dtype":"I8","shape":[1],"data_offsets":[0,1]}})", {0}), R"("a\nb")"));
}

TEST_CASE("checkpoint: a safetensors header nested 100000 deep or holding 1e999 is one line naming the file") {
  const std::string deep = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  const std::string big = R"({"t": {"dtype": "F32", "shape": [1e999], "data_offsets": [0, 4]}})";
  for (const std::string& header : {deep, big, std::string("{\"t\": ")}) {
    std::string message;
    try {
      decode_safetensors(file_with_header(header, {0, 0, 0, 0}), "w.safetensors");
    } catch (const vkt::InputError& e) {
      message = e.what();
    }
    CAPTURE(message);
    CHECK(message.rfind("w.safetensors", 0) == 0);
    CHECK(message.find("bad header") != std::string::npos);
    CHECK(message.find("[json.exception") == std::string::npos);
    CHECK(message.find('\n') == std::string::npos);
  }
}
