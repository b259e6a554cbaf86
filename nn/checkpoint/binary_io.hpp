#pragma once
// Explicit little-endian encoding for our own binary files: the bytes on disk never depend
// on the host's struct layout or endianness, so a file written here loads anywhere.
//
// BinaryReader never trusts a length: every read first checks that the bytes are there, so
// a corrupt file produces an InputError naming the file and the field, never a huge
// allocation or a read past the end.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vkt::nn {

class BinaryWriter {
 public:
  void u8(uint8_t v);
  void u32(uint32_t v);
  void u64(uint64_t v);
  void i64(int64_t v);
  void f32(float v);
  void f64(double v);
  void raw(std::span<const uint8_t> bytes);  // no length prefix
  // Length-prefixed (u64 count, then the elements).
  void bytes(std::span<const uint8_t> bytes);
  void string(std::string_view text);
  void u32_array(std::span<const uint32_t> values);
  void i64_array(std::span<const int64_t> values);
  void f32_array(std::span<const float> values);

  const std::vector<uint8_t>& data() const { return out_; }
  std::vector<uint8_t> take() { return std::move(out_); }

 private:
  std::vector<uint8_t> out_;
};

class BinaryReader {
 public:
  // `source` names the bytes in errors (usually the file); the bytes must outlive the reader.
  BinaryReader(std::span<const uint8_t> bytes, std::string source);

  // `what` names the field in the error if the bytes run out, e.g. "epoch".
  uint8_t u8(std::string_view what);
  uint32_t u32(std::string_view what);
  uint64_t u64(std::string_view what);
  int64_t i64(std::string_view what);
  float f32(std::string_view what);
  double f64(std::string_view what);
  std::span<const uint8_t> raw(size_t n, std::string_view what);
  std::vector<uint8_t> bytes(std::string_view what);
  std::string string(std::string_view what);
  std::vector<uint32_t> u32_array(std::string_view what);
  std::vector<int64_t> i64_array(std::string_view what);
  std::vector<float> f32_array(std::string_view what);

  size_t offset() const { return offset_; }
  size_t remaining() const { return bytes_.size() - offset_; }
  // InputError if any bytes are left: a reader that ends early has misread the format.
  void expect_end(std::string_view what) const;
  // InputError "<source>: <problem>", for checks the caller makes on decoded values.
  [[noreturn]] void fail(const std::string& problem) const;

 private:
  // The element count of an array of `element_size`-byte elements, checked against what is left.
  size_t count(size_t element_size, std::string_view what);
  const uint8_t* take(size_t n, std::string_view what);

  std::span<const uint8_t> bytes_;
  std::string source_;
  size_t offset_ = 0;
};

}  // namespace vkt::nn
