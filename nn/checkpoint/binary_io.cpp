#include "nn/checkpoint/binary_io.hpp"

#include <bit>
#include <cstring>

#include "util/error.hpp"

namespace vkt::nn {
namespace {

template <typename T>
void put_le(std::vector<uint8_t>& out, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * i)));
}

template <typename T>
T get_le(const uint8_t* p) {
  uint64_t v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v |= uint64_t{p[i]} << (8 * i);
  return static_cast<T>(v);
}

// Arrays of 4- or 8-byte numbers: one memcpy on little-endian hosts, byte by byte elsewhere.
template <typename T, typename Bits>
void put_array(std::vector<uint8_t>& out, std::span<const T> values) {
  static_assert(sizeof(T) == sizeof(Bits));
  if constexpr (std::endian::native == std::endian::little) {
    const size_t at = out.size();
    out.resize(at + values.size_bytes());
    if (!values.empty()) std::memcpy(out.data() + at, values.data(), values.size_bytes());
  } else {
    for (T v : values) put_le(out, std::bit_cast<Bits>(v));
  }
}

template <typename T, typename Bits>
std::vector<T> get_array(const uint8_t* p, size_t count) {
  std::vector<T> values(count);
  if constexpr (std::endian::native == std::endian::little) {
    if (count) std::memcpy(values.data(), p, count * sizeof(T));
  } else {
    for (size_t i = 0; i < count; ++i) values[i] = std::bit_cast<T>(get_le<Bits>(p + i * sizeof(T)));
  }
  return values;
}

}  // namespace

void BinaryWriter::u8(uint8_t v) { out_.push_back(v); }
void BinaryWriter::u32(uint32_t v) { put_le(out_, v); }
void BinaryWriter::u64(uint64_t v) { put_le(out_, v); }
void BinaryWriter::i64(int64_t v) { put_le(out_, static_cast<uint64_t>(v)); }
void BinaryWriter::f32(float v) { put_le(out_, std::bit_cast<uint32_t>(v)); }
void BinaryWriter::f64(double v) { put_le(out_, std::bit_cast<uint64_t>(v)); }
void BinaryWriter::raw(std::span<const uint8_t> bytes) { out_.insert(out_.end(), bytes.begin(), bytes.end()); }

void BinaryWriter::bytes(std::span<const uint8_t> bytes) {
  u64(bytes.size());
  raw(bytes);
}

void BinaryWriter::string(std::string_view text) {
  bytes({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

void BinaryWriter::u32_array(std::span<const uint32_t> values) {
  u64(values.size());
  put_array<uint32_t, uint32_t>(out_, values);
}

void BinaryWriter::i64_array(std::span<const int64_t> values) {
  u64(values.size());
  put_array<int64_t, uint64_t>(out_, values);
}

void BinaryWriter::f32_array(std::span<const float> values) {
  u64(values.size());
  put_array<float, uint32_t>(out_, values);
}

BinaryReader::BinaryReader(std::span<const uint8_t> bytes, std::string source)
    : bytes_(bytes), source_(std::move(source)) {}

void BinaryReader::fail(const std::string& problem) const { throw InputError(source_ + ": " + problem); }

const uint8_t* BinaryReader::take(size_t n, std::string_view what) {
  if (n > remaining())
    fail("truncated: " + std::string(what) + " needs " + std::to_string(n) + " bytes at offset " +
         std::to_string(offset_) + ", only " + std::to_string(remaining()) + " left");
  const uint8_t* p = bytes_.data() + offset_;
  offset_ += n;
  return p;
}

size_t BinaryReader::count(size_t element_size, std::string_view what) {
  const uint64_t n = u64(what);
  // Compare by division so a corrupt count near 2^64 cannot overflow the multiplication.
  if (n > remaining() / element_size)
    fail("length past the end: " + std::string(what) + " claims " + std::to_string(n) + " elements of " +
         std::to_string(element_size) + " bytes at offset " + std::to_string(offset_) + ", only " +
         std::to_string(remaining()) + " bytes left");
  return static_cast<size_t>(n);
}

uint8_t BinaryReader::u8(std::string_view what) { return *take(1, what); }
uint32_t BinaryReader::u32(std::string_view what) { return get_le<uint32_t>(take(4, what)); }
uint64_t BinaryReader::u64(std::string_view what) { return get_le<uint64_t>(take(8, what)); }
int64_t BinaryReader::i64(std::string_view what) { return static_cast<int64_t>(get_le<uint64_t>(take(8, what))); }
float BinaryReader::f32(std::string_view what) { return std::bit_cast<float>(get_le<uint32_t>(take(4, what))); }
double BinaryReader::f64(std::string_view what) { return std::bit_cast<double>(get_le<uint64_t>(take(8, what))); }
std::span<const uint8_t> BinaryReader::raw(size_t n, std::string_view what) { return {take(n, what), n}; }

std::vector<uint8_t> BinaryReader::bytes(std::string_view what) {
  const size_t n = count(1, what);
  const uint8_t* p = take(n, what);
  return {p, p + n};
}

std::string BinaryReader::string(std::string_view what) {
  const size_t n = count(1, what);
  const uint8_t* p = take(n, what);
  return {reinterpret_cast<const char*>(p), n};
}

std::vector<uint32_t> BinaryReader::u32_array(std::string_view what) {
  const size_t n = count(4, what);
  return get_array<uint32_t, uint32_t>(take(n * 4, what), n);
}

std::vector<int64_t> BinaryReader::i64_array(std::string_view what) {
  const size_t n = count(8, what);
  return get_array<int64_t, uint64_t>(take(n * 8, what), n);
}

std::vector<float> BinaryReader::f32_array(std::string_view what) {
  const size_t n = count(4, what);
  return get_array<float, uint32_t>(take(n * 4, what), n);
}

void BinaryReader::expect_end(std::string_view what) const {
  if (remaining() != 0)
    fail("trailing garbage: " + std::to_string(remaining()) + " bytes after " + std::string(what) + " at offset " +
         std::to_string(offset_));
}

}  // namespace vkt::nn
