#pragma once
// K-fold cross-validation splits of a training set. The test set never enters: folds are cut
// from the training images alone, and fold k's split validates on fold k and trains on the
// other K - 1 folds.
//
// Image i belongs to fold floor(K * pos(i) / N), where pos is its position in a seeded
// permutation (permutation.hpp, the same on every platform): folds differ in size by at most
// one image, and the same seed (the study's, or `train --seed`) gives the same folds, so a
// resumed trial continues on exactly the images it started with. Both halves of a split keep
// the images' original relative order.
#include <cstdint>
#include <vector>

#include "nn/data/dataset.hpp"

namespace vkt::nn {

// The fold of each of n images. InputError unless 2 <= folds <= n.
std::vector<uint32_t> fold_assignment(uint32_t n, uint32_t folds, uint64_t seed);

// train = every image not in fold `fold`, val = fold `fold`, test empty.
DataSplits cv_split(const Dataset& training, uint32_t folds, uint32_t fold, uint64_t seed);

}  // namespace vkt::nn
