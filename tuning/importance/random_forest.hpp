#pragma once
// A plain CART regression forest: the model whose trees fANOVA (fanova.hpp) decomposes. It is
// our own, not a library's, because fANOVA reads every tree's exact structure (split features,
// thresholds, category sets), and because the forest must be reproducible from tuning/rng.hpp
// alone: the same seed gives the same trees on any build.
//
// Each tree is grown on a bootstrap sample (n draws with replacement) and tries a random subset
// of the features at every split (all of them by default, like Optuna's forest), in random
// order: a tie goes to the first, so no feature wins ties by its position. Splits maximize the
// reduction of the squared error:
//  - numeric features send x < threshold left, cutting at the midpoint between neighbouring
//    sorted values, except that a cut never straddles a feature's `boundary`: there it cuts at
//    the boundary itself (importance.cpp encodes inactive conditional values below 0 and active
//    ones in [0, 1], and a leaf must not stretch the active prediction over inactive ground);
//  - categorical features send a subset of categories left: categories sorted by their mean
//    target, best of the K-1 prefix splits, which is the optimal subset split for squared error
//    (Breiman et al. 1984). Categories absent from a node go to the child with more samples,
//    so every leaf covers a well-defined region of the whole space.
#include <cstdint>
#include <optional>
#include <vector>

namespace vkt::tune::importance {

// What one feature's values are, and the measure fANOVA integrates over.
struct FeatureDomain {
  // Numeric (no categories): values lie in [low, high], measured by length.
  double low = 0, high = 1;
  std::optional<double> boundary;  // numeric: no cut between values on both sides of it but at it
  // Categorical: values are 0..K-1 and category c has measure category_weights[c] (> 0).
  std::vector<double> category_weights;

  bool categorical() const { return !category_weights.empty(); }
};

struct TreeNode {
  int feature = -1;               // the split feature; -1 for a leaf
  double threshold = 0;           // numeric split: x < threshold goes left
  std::vector<uint8_t> goes_left;  // categorical split: category c goes left when goes_left[c]
  int left = -1, right = -1;      // child node indices
  double value = 0;               // the mean target of the node's training samples

  bool leaf() const { return feature < 0; }
};

struct RegressionTree {
  std::vector<TreeNode> nodes;  // nodes[0] is the root; every child comes after its parent

  // Is the value x of this node's split feature sent to the left child?
  static bool sends_left(const TreeNode& node, double x);
  double predict(const std::vector<double>& row) const;  // row[f]: feature f's value
};

struct ForestOptions {
  size_t trees = 64;
  size_t max_depth = 64;
  size_t min_samples_split = 2;
  size_t min_samples_leaf = 1;
  double max_features = 1.0;  // share of the features tried at each split, in (0, 1]
  bool bootstrap = true;      // false: every tree sees all samples (then trees differ only by max_features)
  uint64_t seed = 0;
};

// columns[f][i] is sample i's value of feature f; targets[i] its value to predict. InputError
// (naming the option) for zero trees, a max_features outside (0, 1] or a min_samples_leaf of 0;
// Error for columns that do not match the features or the targets.
std::vector<RegressionTree> fit_forest(const std::vector<std::vector<double>>& columns,
                                       const std::vector<double>& targets, const std::vector<FeatureDomain>& features,
                                       const ForestOptions& options);

}  // namespace vkt::tune::importance
