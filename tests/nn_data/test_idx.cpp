// IDX (MNIST format) reading: values round-trip raw and gzipped, and every malformed file
// is an InputError whose one-line message names the file.
#include <doctest/doctest.h>

#include "nn/data/gzip.hpp"
#include "nn/data/idx.hpp"
#include "tests/nn_data/file_test_support.hpp"
#include "tests/nn_data/synthetic_data.hpp"

using namespace vkt::nn;
using vkt::test::input_error_message;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::vector<uint8_t> truncated(std::vector<uint8_t> bytes, size_t size) {
  bytes.resize(size);
  return bytes;
}

}  // namespace

TEST_CASE("data: IDX images and labels round-trip, raw and gzipped") {
  vkt::test::TempDir dir;
  const auto images = vkt::test::idx_images_bytes(5, 3, 4);
  const auto labels = vkt::test::idx_labels_bytes(5);
  for (bool gz : {false, true}) {
    CAPTURE(gz);
    // Deliberately misleading names: the format is detected by content, not the extension.
    const auto image_path = dir / (gz ? "images.bin" : "images.gz");
    const auto label_path = dir / (gz ? "labels.bin" : "labels.gz");
    vkt::test::write_bytes(image_path, gz ? vkt::test::gzip_bytes(images) : images);
    vkt::test::write_bytes(label_path, gz ? vkt::test::gzip_bytes(labels) : labels);

    const IdxImages read = read_idx_images(image_path);
    CHECK(read.count == 5);
    CHECK(read.rows == 3);
    CHECK(read.cols == 4);
    REQUIRE(read.pixels.size() == 60);
    for (uint32_t i = 0; i < 5; ++i)
      for (size_t j = 0; j < 12; ++j) CHECK(read.pixels[i * 12 + j] == vkt::test::synthetic_pixel(i, j));
    const auto read_labels = read_idx_labels(label_path);
    REQUIRE(read_labels.size() == 5);
    for (uint32_t i = 0; i < 5; ++i) CHECK(read_labels[i] == vkt::test::synthetic_label(i));
  }
}

TEST_CASE("data: IDX with zero images is valid") {
  const auto read = parse_idx_images(vkt::test::idx_images_bytes(0, 28, 28), "empty");
  CHECK(read.count == 0);
  CHECK(read.pixels.empty());
}

TEST_CASE("data: IDX header errors name the file and the problem") {
  const auto images = vkt::test::idx_images_bytes(2, 28, 28);
  const auto labels = vkt::test::idx_labels_bytes(2);

  SUBCASE("labels given where images are expected: wrong dimension count") {
    const auto m = input_error_message([&] { parse_idx_images(labels, "x/train-images-idx3-ubyte"); });
    CHECK(contains(m, "x/train-images-idx3-ubyte: wrong dimension count"));
  }
  SUBCASE("images given where labels are expected") {
    const auto m = input_error_message([&] { parse_idx_labels(images, "lbl"); });
    CHECK(contains(m, "lbl: wrong dimension count"));
  }
  SUBCASE("wrong magic") {
    auto bad = images;
    bad[0] = 0x50;  // e.g. a PNG or text file
    const auto m = input_error_message([&] { parse_idx_images(bad, "img"); });
    CHECK(contains(m, "img: not an IDX file: magic 0x50000803"));
  }
  SUBCASE("element type other than unsigned byte") {
    auto bad = images;
    bad[2] = 0x0D;  // float
    CHECK(contains(input_error_message([&] { parse_idx_images(bad, "img"); }), "img: unsupported IDX element type"));
  }
  SUBCASE("dimension product beyond 64 bits is truncated, not an overflow") {
    auto bad = images;
    for (size_t i = 4; i < 16; ++i) bad[i] = 0xff;
    CHECK(contains(input_error_message([&] { parse_idx_images(bad, "img"); }), "img: truncated"));
  }
}

TEST_CASE("data: IDX truncated at every interesting offset and with trailing garbage") {
  vkt::test::TempDir dir;
  const auto images = vkt::test::idx_images_bytes(3, 28, 28);  // 16 + 2352 bytes
  for (size_t size : {size_t{0}, size_t{2}, size_t{4}, size_t{7}, size_t{15}, size_t{16}, size_t{17}, size_t{800},
                      images.size() - 1}) {
    CAPTURE(size);
    const auto path = dir / "train-images-idx3-ubyte";
    vkt::test::write_bytes(path, truncated(images, size));
    const auto m = input_error_message([&] { read_idx_images(path); });
    CHECK(contains(m, path.string() + ": truncated"));
    // The same bytes gzipped: the gzip stream is whole, the IDX inside it is short.
    const auto gz_path = dir / "train-images-idx3-ubyte.gz";
    vkt::test::write_bytes(gz_path, vkt::test::gzip_bytes(truncated(images, size)));
    CHECK(contains(input_error_message([&] { read_idx_images(gz_path); }), gz_path.string() + ": truncated"));
  }
  SUBCASE("the message says what the header promised and what the file holds") {
    const auto m = input_error_message([&] { parse_idx_images(truncated(images, 16 + 1234), "t.gz"); });
    CHECK(m == "t.gz: truncated: header says 3 images of 28x28 (2352 bytes), file holds 1234");
  }
  SUBCASE("trailing garbage") {
    auto longer = images;
    longer.push_back(0);
    const auto path = dir / "img";
    vkt::test::write_bytes(path, longer);
    CHECK(contains(input_error_message([&] { read_idx_images(path); }), path.string() + ": trailing garbage"));
    auto labels = vkt::test::idx_labels_bytes(4);
    labels.insert(labels.end(), {1, 2, 3});
    CHECK(contains(input_error_message([&] { parse_idx_labels(labels, "lbl"); }), "lbl: trailing garbage"));
  }
}

TEST_CASE("data: damaged gzip files are InputErrors naming the file") {
  vkt::test::TempDir dir;
  const auto gz = vkt::test::gzip_bytes(vkt::test::idx_images_bytes(4, 28, 28));
  const auto path = dir / "t10k-images-idx3-ubyte.gz";

  SUBCASE("compressed stream cut short, at several offsets") {
    for (size_t size : {size_t{2}, size_t{10}, gz.size() / 2, gz.size() - 8, gz.size() - 1}) {
      CAPTURE(size);
      vkt::test::write_bytes(path, truncated(gz, size));
      const auto m = input_error_message([&] { read_idx_images(path); });
      CHECK(contains(m, path.string() + ": "));
    }
  }
  SUBCASE("corrupt CRC in the gzip trailer") {
    auto bad = gz;
    bad[bad.size() - 6] ^= 0x55;
    vkt::test::write_bytes(path, bad);
    CHECK(contains(input_error_message([&] { read_idx_images(path); }), path.string() + ": corrupt gzip data"));
  }
  SUBCASE("garbage after the gzip stream") {
    auto bad = gz;
    bad.insert(bad.end(), {'j', 'u', 'n', 'k'});
    vkt::test::write_bytes(path, bad);
    CHECK(contains(input_error_message([&] { read_idx_images(path); }), path.string() + ": trailing garbage"));
  }
  SUBCASE("two concatenated gzip members are one file, as gzip(1) reads them") {
    const auto raw = vkt::test::idx_images_bytes(4, 28, 28);
    const std::vector<uint8_t> first(raw.begin(), raw.begin() + 100), second(raw.begin() + 100, raw.end());
    auto joined = vkt::test::gzip_bytes(first);
    const auto tail = vkt::test::gzip_bytes(second);
    joined.insert(joined.end(), tail.begin(), tail.end());
    CHECK(gunzip(joined, "joined") == raw);
  }
  SUBCASE("a decompression limit stops gzip bombs") {
    const std::vector<uint8_t> zeros(1 << 20, 0);
    CHECK(contains(input_error_message([&] { gunzip(vkt::test::gzip_bytes(zeros), "bomb", 1 << 16); }),
                   "bomb: decompresses to more than"));
  }
}

TEST_CASE("data: a missing IDX file is an InputError naming it") {
  vkt::test::TempDir dir;
  const auto path = dir / "nope-idx3-ubyte";
  CHECK(contains(input_error_message([&] { read_idx_images(path); }), path.string()));
}

TEST_CASE("data: a gzip bomb is refused once past the bytes its IDX header announces") {
  vkt::test::TempDir dir;
  // The header says 10 images of 28x28 (7,856 bytes in all); the stream inflates to 64 MiB.
  std::vector<uint8_t> raw(size_t{64} << 20, 0);
  const uint8_t header[16] = {0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28};
  std::copy(std::begin(header), std::end(header), raw.begin());
  const auto path = dir / "bomb-images-idx3-ubyte.gz";
  vkt::test::write_bytes(path, vkt::test::gzip_bytes(raw));
  const std::string message = vkt::test::input_error_message([&] { vkt::nn::read_idx_images(path); });
  CHECK(message.find(path.string()) != std::string::npos);
  CHECK(message.find("more than 7857 bytes") != std::string::npos);  // stopped there, not at 64 MiB
}
