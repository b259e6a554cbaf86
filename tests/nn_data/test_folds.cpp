#include <doctest/doctest.h>

#include <set>

#include "nn/data/folds.hpp"
#include "util/error.hpp"

using namespace vkt;
using namespace vkt::nn;

namespace {

// Image i has label i % 10 and first pixel i % 256: enough to tell images apart.
Dataset numbered(uint32_t n) {
  Dataset d;
  d.count = n;
  d.channels = 1;
  d.height = d.width = 2;
  d.classes = 10;
  for (uint32_t i = 0; i < n; ++i) {
    d.images.insert(d.images.end(), {uint8_t(i % 256), uint8_t(i / 256), 0, 0});
    d.labels.push_back(uint8_t(i % 10));
  }
  return d;
}

uint32_t id_of(const Dataset& d, uint32_t k) { return d.images[k * 4] + 256u * d.images[k * 4 + 1]; }

}  // namespace

TEST_CASE("folds: K folds partition the images, sizes within one, fixed by the seed") {
  for (const uint32_t n : {10u, 101u, 1000u}) {
    for (const uint32_t k : {2u, 3u, 7u}) {
      const auto fold = fold_assignment(n, k, 42);
      REQUIRE(fold.size() == n);
      std::vector<uint32_t> size(k, 0);
      for (uint32_t f : fold) {
        REQUIRE(f < k);
        ++size[f];
      }
      for (uint32_t s : size) CHECK((s == n / k || s == n / k + 1));
      CHECK(fold_assignment(n, k, 42) == fold);  // a resumed trial gets the same folds
    }
  }
  CHECK(fold_assignment(1000, 5, 1) != fold_assignment(1000, 5, 2));
  // Shuffled, not striped: the first 100 images are spread over all 5 folds.
  const auto fold = fold_assignment(1000, 5, 7);
  CHECK(std::set<uint32_t>(fold.begin(), fold.begin() + 100).size() == 5);
  CHECK_THROWS_AS(fold_assignment(10, 1, 0), InputError);
  CHECK_THROWS_AS(fold_assignment(3, 4, 0), InputError);
}

TEST_CASE("folds: a fold's split validates on the fold, trains on the rest, keeps file order") {
  const Dataset all = numbered(300);
  const uint32_t k = 3;
  const auto fold = fold_assignment(all.count, k, 5);
  std::set<uint32_t> validated;
  for (uint32_t f = 0; f < k; ++f) {
    const DataSplits s = cv_split(all, k, f, 5);
    CHECK(s.train.count + s.val.count == all.count);
    CHECK(s.test.count == 0);  // the test set never enters
    CHECK(s.val.classes == 10);
    std::set<uint32_t> train_ids;
    for (uint32_t i = 0; i < s.train.count; ++i) {
      const uint32_t id = id_of(s.train, i);
      CHECK(fold[id] != f);
      CHECK(s.train.labels[i] == id % 10);
      if (i) CHECK(id > id_of(s.train, i - 1));  // original relative order
      train_ids.insert(id);
    }
    for (uint32_t i = 0; i < s.val.count; ++i) {
      const uint32_t id = id_of(s.val, i);
      CHECK(fold[id] == f);
      CHECK(!train_ids.count(id));
      CHECK(validated.insert(id).second);  // no image validated twice
    }
  }
  CHECK(validated.size() == all.count);  // every image validated exactly once
}
