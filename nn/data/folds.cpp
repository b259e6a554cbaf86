#include "nn/data/folds.hpp"

#include <string>

#include "nn/data/permutation.hpp"
#include "util/error.hpp"

namespace vkt::nn {

namespace {
// Keeps the fold permutation apart from the other uses of the training seed (shuffling,
// initialization), so changing how one is drawn cannot change the other.
constexpr uint64_t kFoldSeedSalt = 0xf01d'5eed'0000'0003ull;
}  // namespace

std::vector<uint32_t> fold_assignment(uint32_t n, uint32_t folds, uint64_t seed) {
  if (folds < 2) throw InputError("--cv needs at least 2 folds, got " + std::to_string(folds));
  if (folds > n)
    throw InputError("--cv " + std::to_string(folds) + " needs at least as many training images, got " +
                     std::to_string(n));
  const std::vector<uint32_t> order = seeded_permutation(n, seed ^ kFoldSeedSalt);
  std::vector<uint32_t> fold(n);
  for (uint32_t pos = 0; pos < n; ++pos) fold[order[pos]] = uint32_t(uint64_t(folds) * pos / n);
  return fold;
}

DataSplits cv_split(const Dataset& training, uint32_t folds, uint32_t fold, uint64_t seed) {
  if (fold >= folds) throw Error("internal: fold " + std::to_string(fold) + " of " + std::to_string(folds));
  const std::vector<uint32_t> of = fold_assignment(training.count, folds, seed);
  std::vector<uint32_t> train, val;
  for (uint32_t i = 0; i < training.count; ++i) (of[i] == fold ? val : train).push_back(i);
  DataSplits s;
  s.train = select(training, train);
  s.val = select(training, val);
  s.test = select(training, {});
  return s;
}

}  // namespace vkt::nn
