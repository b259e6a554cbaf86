// The real Fashion-MNIST from Debian's dataset-fashion-mnist, where it is installed.
#include <doctest/doctest.h>

#include <filesystem>

#include "nn/data/dataset.hpp"

using namespace vkt::nn;

TEST_CASE("data: the installed Fashion-MNIST loads with a reproducible 0.1 split") {
  const auto dir = *default_dataset_dir(DatasetKind::fashion_mnist);
  if (!std::filesystem::is_directory(dir)) {
    MESSAGE("skipped: " << dir.string() << " is absent (apt-get install dataset-fashion-mnist)");
    return;
  }
  const DataSplits s = load_dataset(DatasetKind::fashion_mnist, dir, 0.1);
  CHECK(s.train.count == 54000);
  CHECK(s.val.count == 6000);
  CHECK(s.test.count == 10000);
  for (const Dataset* d : {&s.train, &s.val, &s.test}) {
    CHECK(d->channels == 1);
    CHECK(d->height == 28);
    CHECK(d->width == 28);
    CHECK(d->classes == 10);
    CHECK(d->images.size() == size_t{d->count} * 784);
  }
  // Every class appears in each split (Fashion-MNIST is balanced: 6000 per class in train).
  std::vector<int> per_class(10, 0);
  for (uint8_t label : s.val.labels) ++per_class[label];
  for (int c : per_class) CHECK(c > 400);

  const DataSplits again = load_dataset(DatasetKind::fashion_mnist, dir, 0.1);
  CHECK(again.val.labels == s.val.labels);
  CHECK(again.val.images == s.val.images);
  CHECK(again.train.labels == s.train.labels);
}
