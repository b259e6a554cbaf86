#pragma once
// Explicit little-endian encoding for journal records: every field is written byte by byte,
// so the file format does not depend on struct layout, padding or the host's endianness.
#include <bit>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "util/error.hpp"

namespace vkt::tune::storage {

class ByteWriter {
 public:
  void u8(uint8_t v) { out_.push_back(v); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void i64(int64_t v) { put(uint64_t(v), 8); }
  void f64(double v) { put(std::bit_cast<uint64_t>(v), 8); }
  void bytes(std::span<const uint8_t> b) {
    u32(uint32_t(b.size()));
    out_.insert(out_.end(), b.begin(), b.end());
  }
  void str(const std::string& s) { bytes({reinterpret_cast<const uint8_t*>(s.data()), s.size()}); }

  std::vector<uint8_t>& data() { return out_; }

 private:
  void put(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(uint8_t(v >> (8 * i)));
  }
  std::vector<uint8_t> out_;
};

// Reads what ByteWriter wrote; running past the end throws Error (the caller adds the offset).
class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> in) : in_(in) {}

  uint8_t u8() { return uint8_t(get(1)); }
  uint32_t u32() { return uint32_t(get(4)); }
  uint64_t u64() { return get(8); }
  int64_t i64() { return int64_t(get(8)); }
  double f64() { return std::bit_cast<double>(get(8)); }
  std::vector<uint8_t> bytes() {
    const uint32_t n = u32();
    need(n);
    std::vector<uint8_t> b(in_.begin() + pos_, in_.begin() + pos_ + n);
    pos_ += n;
    return b;
  }
  std::string str() {
    const auto b = bytes();
    return std::string(b.begin(), b.end());
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  void need(size_t n) const {
    if (in_.size() - pos_ < n) throw Error("record ends early");
  }
  uint64_t get(int n) {
    need(size_t(n));
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= uint64_t(in_[pos_ + i]) << (8 * i);
    pos_ += size_t(n);
    return v;
  }
  std::span<const uint8_t> in_;
  size_t pos_ = 0;
};

}  // namespace vkt::tune::storage
