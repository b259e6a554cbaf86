// CIFAR-10 binary batches: records round-trip in CHW order; malformed batches are
// InputErrors naming the file.
#include <doctest/doctest.h>

#include "nn/data/cifar10.hpp"
#include "tests/nn_data/file_test_support.hpp"
#include "tests/nn_data/synthetic_data.hpp"

using namespace vkt::nn;
using vkt::test::input_error_message;

namespace {
bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("data: CIFAR-10 batch round-trips labels and CHW pixels") {
  vkt::test::TempDir dir;
  const auto path = dir / "data_batch_1.bin";
  vkt::test::write_bytes(path, vkt::test::cifar10_batch_bytes(3, 7));
  const Dataset data = read_cifar10_batch(path);
  CHECK(data.count == 3);
  CHECK(data.channels == 3);
  CHECK(data.height == 32);
  CHECK(data.width == 32);
  CHECK(data.classes == 10);
  REQUIRE(data.images.size() == 3 * 3072);
  for (uint32_t i = 0; i < 3; ++i) {
    CHECK(data.labels[i] == vkt::test::synthetic_label(7 + i));
    for (size_t j = 0; j < 3072; j += 97) CHECK(data.images[i * 3072 + j] == vkt::test::synthetic_pixel(7 + i, j));
  }
}

TEST_CASE("data: CIFAR-10 batches concatenate in order") {
  vkt::test::TempDir dir;
  std::vector<std::filesystem::path> paths{dir / "a.bin", dir / "b.bin"};
  vkt::test::write_bytes(paths[0], vkt::test::cifar10_batch_bytes(2, 0));
  vkt::test::write_bytes(paths[1], vkt::test::cifar10_batch_bytes(3, 2));
  const Dataset data = read_cifar10_batches(paths);
  REQUIRE(data.count == 5);
  for (uint32_t i = 0; i < 5; ++i) {
    CHECK(data.labels[i] == vkt::test::synthetic_label(i));
    CHECK(data.images[i * 3072] == vkt::test::synthetic_pixel(i, 0));
  }
}

TEST_CASE("data: malformed CIFAR-10 batches are InputErrors naming the file") {
  vkt::test::TempDir dir;
  const auto path = dir / "data_batch_2.bin";
  const auto good = vkt::test::cifar10_batch_bytes(2);

  SUBCASE("size not a multiple of 3073, several sizes") {
    for (size_t size : {size_t{1}, size_t{3072}, size_t{3074}, good.size() - 1}) {
      CAPTURE(size);
      auto bad = good;
      bad.resize(size);
      vkt::test::write_bytes(path, bad);
      CHECK(contains(input_error_message([&] { read_cifar10_batch(path); }),
                     path.string() + ": size " + std::to_string(size) + " is not a multiple"));
    }
  }
  SUBCASE("label above 9") {
    auto bad = good;
    bad[3073] = 10;
    vkt::test::write_bytes(path, bad);
    CHECK(contains(input_error_message([&] { read_cifar10_batch(path); }), path.string() + ": record 1 has label 10"));
  }
  SUBCASE("empty file") {
    vkt::test::write_bytes(path, {});
    CHECK(contains(input_error_message([&] { read_cifar10_batch(path); }), path.string() + ": empty"));
  }
  SUBCASE("missing file") {
    CHECK(contains(input_error_message([&] { read_cifar10_batch(dir / "absent.bin"); }), "absent.bin"));
  }
}
