// BinaryWriter/BinaryReader: the exact little-endian layout, round trips, and that a reader
// refuses to run past the end or trust a corrupt length.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "nn/checkpoint/binary_io.hpp"
#include "tests/nn_data/file_test_support.hpp"

using namespace vkt::nn;
using vkt::test::input_error_message;

namespace {
bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("checkpoint: BinaryWriter writes little-endian whatever the host") {
  BinaryWriter w;
  w.u32(0x01020304);
  w.u64(0x0102030405060708ull);
  w.f32(1.0f);  // 0x3f800000
  w.string("hi");
  CHECK(w.data() == std::vector<uint8_t>{4, 3, 2, 1, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0, 0x80, 0x3f,
                                         2, 0, 0, 0, 0, 0, 0, 0, 'h', 'i'});
}

TEST_CASE("checkpoint: BinaryWriter/BinaryReader round-trip every type") {
  BinaryWriter w;
  w.u8(200);
  w.u32(0xdeadbeef);
  w.u64(UINT64_MAX);
  w.i64(-5);
  w.f32(-0.0f);
  w.f32(std::numeric_limits<float>::quiet_NaN());
  w.bytes(std::vector<uint8_t>{0, 1, 255});
  w.string("");
  w.string(std::string("a\0b", 3));
  w.u32_array(std::vector<uint32_t>{7, 0, UINT32_MAX});
  w.i64_array(std::vector<int64_t>{-1, 3});
  w.f32_array(std::vector<float>{1.5f, std::numeric_limits<float>::infinity(), 1e-45f});
  w.f32_array(std::vector<float>{});

  BinaryReader r(w.data(), "mem");
  CHECK(r.u8("a") == 200);
  CHECK(r.u32("b") == 0xdeadbeef);
  CHECK(r.u64("c") == UINT64_MAX);
  CHECK(r.i64("d") == -5);
  const float negative_zero = r.f32("e");
  CHECK((negative_zero == 0.0f && std::signbit(negative_zero)));
  CHECK(std::isnan(r.f32("f")));
  CHECK(r.bytes("g") == std::vector<uint8_t>{0, 1, 255});
  CHECK(r.string("h").empty());
  CHECK(r.string("i") == std::string("a\0b", 3));
  CHECK(r.u32_array("j") == std::vector<uint32_t>{7, 0, UINT32_MAX});
  CHECK(r.i64_array("k") == std::vector<int64_t>{-1, 3});
  CHECK(r.f32_array("l") == std::vector<float>{1.5f, std::numeric_limits<float>::infinity(), 1e-45f});
  CHECK(r.f32_array("m").empty());
  CHECK(r.remaining() == 0);
  r.expect_end("everything");
}

TEST_CASE("checkpoint: BinaryReader names the source and field when bytes run out") {
  BinaryWriter w;
  w.u32(1);
  BinaryReader r(w.data(), "state.bin");
  const auto m = input_error_message([&] { r.u64("step"); });
  CHECK(m == "state.bin: truncated: step needs 8 bytes at offset 0, only 4 left");
}

TEST_CASE("checkpoint: BinaryReader refuses lengths past the end without allocating them") {
  for (uint64_t claimed : {uint64_t{5}, uint64_t{1} << 40, UINT64_MAX, UINT64_MAX / 4 + 1}) {
    CAPTURE(claimed);
    BinaryWriter w;
    w.u64(claimed);
    w.raw(std::vector<uint8_t>{1, 2, 3, 4});
    BinaryReader strings(w.data(), "f");
    CHECK(contains(input_error_message([&] { strings.string("name"); }), "f: length past the end: name claims"));
    BinaryReader floats(w.data(), "f");
    CHECK(contains(input_error_message([&] { floats.f32_array("weights"); }), "f: length past the end: weights"));
  }
}

TEST_CASE("checkpoint: BinaryReader::expect_end reports trailing bytes") {
  const std::vector<uint8_t> bytes{1, 2, 3};
  BinaryReader r(bytes, "f");
  r.u8("x");
  CHECK(contains(input_error_message([&] { r.expect_end("the record"); }), "f: trailing garbage: 2 bytes after the record"));
}
