// load_dataset on small synthetic MNIST and CIFAR-10 directories: shapes, the validation
// split's rule, and the errors for missing or inconsistent files.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "nn/data/dataset.hpp"
#include "tests/nn_data/file_test_support.hpp"
#include "tests/nn_data/synthetic_data.hpp"

using namespace vkt::nn;
using vkt::test::input_error_message;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Which synthetic image each entry is (the first two pixel bytes spell its number).
std::vector<uint32_t> image_ids(const Dataset& d) {
  std::vector<uint32_t> ids;
  for (uint32_t i = 0; i < d.count; ++i)
    ids.push_back(d.images[i * d.image_bytes()] | uint32_t{d.images[i * d.image_bytes() + 1]} << 8);
  return ids;
}

void check_labels_follow_images(const Dataset& d) {
  const auto ids = image_ids(d);
  for (uint32_t i = 0; i < d.count; ++i) CHECK(d.labels[i] == vkt::test::synthetic_label(ids[i]));
}

}  // namespace

TEST_CASE("data: parse_dataset_kind accepts the three names and lists them on error") {
  CHECK(parse_dataset_kind("mnist") == DatasetKind::mnist);
  CHECK(parse_dataset_kind("fashion-mnist") == DatasetKind::fashion_mnist);
  CHECK(parse_dataset_kind("cifar10") == DatasetKind::cifar10);
  for (auto kind : {DatasetKind::mnist, DatasetKind::fashion_mnist, DatasetKind::cifar10})
    CHECK(parse_dataset_kind(dataset_kind_name(kind)) == kind);
  const auto m = input_error_message([] { parse_dataset_kind("cifar100"); });
  CHECK(contains(m, "cifar100"));
  CHECK(contains(m, "mnist, fashion-mnist, cifar10"));
  CHECK(default_dataset_dir(DatasetKind::fashion_mnist) == std::filesystem::path("/usr/share/datasets/fashion-mnist"));
}

TEST_CASE("data: validation_count rounds down, exactly for decimal fractions") {
  CHECK(validation_count(100, 0.29) == 29);  // 0.29 * 100 == 28.999999999999996 in binary
  CHECK(validation_count(60000, 0.1) == 6000);
  CHECK(validation_count(10, 0.15) == 1);
  CHECK(validation_count(0, 0.5) == 0);
  CHECK(validation_count(5, 0.0) == 0);
  CHECK(validation_count(3, 0.9999999999999) == 2);  // never the whole training set
  for (double bad : {-0.1, 1.0, 1.5, std::nan("")}) {
    CAPTURE(bad);
    CHECK(contains(input_error_message([&] { validation_count(10, bad); }), "outside [0, 1)"));
  }
}

TEST_CASE("data: MNIST directory loads raw or gzipped, split deterministic and disjoint") {
  vkt::test::TempDir dir;
  for (bool gz : {false, true}) {
    CAPTURE(gz);
    vkt::test::TempDir data_dir;
    vkt::test::write_mnist_files(data_dir.path(), 50, 7, gz);
    const DataSplits s = load_dataset(DatasetKind::mnist, data_dir.path(), 0.2);
    CHECK(s.train.count == 40);
    CHECK(s.val.count == 10);
    CHECK(s.test.count == 7);
    for (const Dataset* d : {&s.train, &s.val, &s.test}) {
      CHECK(d->channels == 1);
      CHECK(d->height == 28);
      CHECK(d->width == 28);
      CHECK(d->classes == 10);
      CHECK(d->images.size() == size_t{d->count} * 784);
      CHECK(d->labels.size() == d->count);
      check_labels_follow_images(*d);
    }
    // train and val partition the training file, each in file order.
    const auto train_ids = image_ids(s.train), val_ids = image_ids(s.val);
    CHECK(std::is_sorted(train_ids.begin(), train_ids.end()));
    CHECK(std::is_sorted(val_ids.begin(), val_ids.end()));
    std::set<uint32_t> all(train_ids.begin(), train_ids.end());
    all.insert(val_ids.begin(), val_ids.end());
    CHECK(all.size() == 50);
    CHECK(*all.rbegin() == 49);
    // The same call gives the same split; another split seed gives another.
    CHECK(image_ids(load_dataset(DatasetKind::mnist, data_dir.path(), 0.2).val) == val_ids);
    CHECK(image_ids(load_dataset(DatasetKind::mnist, data_dir.path(), 0.2, 99).val) != val_ids);
    // No validation split: the training file as it is.
    const DataSplits whole = load_dataset(DatasetKind::fashion_mnist, data_dir.path(), 0.0);
    CHECK(whole.train.count == 50);
    CHECK(whole.val.count == 0);
  }
}

TEST_CASE("data: CIFAR-10 directory loads, also from cifar-10-batches-bin inside it") {
  vkt::test::TempDir dir;
  const auto inner = dir.path() / "cifar-10-batches-bin";
  std::filesystem::create_directory(inner);
  vkt::test::write_cifar10_files(inner, 4, 3);
  for (const auto& where : {dir.path(), inner}) {
    const DataSplits s = load_dataset(DatasetKind::cifar10, where, 0.25);
    CHECK(s.train.count == 15);
    CHECK(s.val.count == 5);
    CHECK(s.test.count == 3);
    CHECK(s.train.channels == 3);
    CHECK(s.train.height == 32);
    check_labels_follow_images(s.train);
    check_labels_follow_images(s.test);  // test images are numbered from 50000
  }
}

TEST_CASE("data: load_dataset errors name the directory or the file") {
  vkt::test::TempDir dir;

  SUBCASE("missing directory") {
    const auto missing = dir / "nowhere";
    const auto m = input_error_message([&] { load_dataset(DatasetKind::fashion_mnist, missing, 0.1); });
    CHECK(contains(m, missing.string() + ": fashion-mnist data directory does not exist"));
  }
  SUBCASE("missing file") {
    vkt::test::write_mnist_files(dir.path(), 4, 2, true);
    std::filesystem::remove(dir / "t10k-labels-idx1-ubyte.gz");
    const auto m = input_error_message([&] { load_dataset(DatasetKind::mnist, dir.path(), 0.1); });
    CHECK(contains(m, (dir / "t10k-labels-idx1-ubyte").string() + ": missing"));
  }
  SUBCASE("missing CIFAR-10 batch") {
    vkt::test::write_cifar10_files(dir.path(), 1, 1);
    std::filesystem::remove(dir / "data_batch_4.bin");
    const auto m = input_error_message([&] { load_dataset(DatasetKind::cifar10, dir.path(), 0.1); });
    CHECK(contains(m, (dir / "data_batch_4.bin").string() + ": missing"));
  }
  SUBCASE("image and label counts disagree") {
    vkt::test::write_mnist_files(dir.path(), 6, 2, false);
    vkt::test::write_bytes(dir / "train-labels-idx1-ubyte", vkt::test::idx_labels_bytes(5));
    const auto m = input_error_message([&] { load_dataset(DatasetKind::mnist, dir.path(), 0.1); });
    CHECK(contains(m, (dir / "train-labels-idx1-ubyte").string() + ": holds 5 labels but"));
    CHECK(contains(m, "holds 6 images"));
  }
  SUBCASE("wrong image size for the kind") {
    vkt::test::write_mnist_files(dir.path(), 3, 2, false);
    vkt::test::write_bytes(dir / "t10k-images-idx3-ubyte", vkt::test::idx_images_bytes(2, 32, 32));
    const auto m = input_error_message([&] { load_dataset(DatasetKind::mnist, dir.path(), 0.1); });
    CHECK(contains(m, (dir / "t10k-images-idx3-ubyte").string() + ": images are 32x32; this data set has 28x28"));
  }
  SUBCASE("label out of range") {
    vkt::test::write_mnist_files(dir.path(), 3, 2, false);
    auto labels = vkt::test::idx_labels_bytes(3);
    labels.back() = 10;
    vkt::test::write_bytes(dir / "train-labels-idx1-ubyte", labels);
    const auto m = input_error_message([&] { load_dataset(DatasetKind::mnist, dir.path(), 0.1); });
    CHECK(contains(m, (dir / "train-labels-idx1-ubyte").string() + ": label 2 is 10"));
  }
  SUBCASE("bad validation split, before any file is read") {
    CHECK(contains(input_error_message([&] { load_dataset(DatasetKind::mnist, dir / "x", 1.0); }), "validation split"));
  }
}

TEST_CASE("data: subset keeps the first n images") {
  vkt::test::TempDir dir;
  vkt::test::write_mnist_files(dir.path(), 9, 1, false);
  const DataSplits s = load_dataset(DatasetKind::mnist, dir.path(), 0.0);
  const Dataset first = subset(s.train, 4);
  CHECK(first.count == 4);
  CHECK(image_ids(first) == std::vector<uint32_t>{0, 1, 2, 3});
  CHECK(first.labels.size() == 4);
  CHECK(subset(s.train, 100).count == 9);
}
