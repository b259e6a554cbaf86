#include "tuning/importance/random_forest.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <utility>

#include "tuning/rng.hpp"
#include "util/error.hpp"

namespace vkt::tune::importance {
namespace {

struct Split {
  int feature = -1;
  double threshold = 0;
  std::vector<uint8_t> goes_left;
  // sum_left^2 / n_left + sum_right^2 / n_right of the node's mean-centred targets: exactly the
  // reduction of the squared error, since the centred sum over the whole node is zero.
  double score = -1;

  // Only a clearly larger score replaces the best: candidates that cut the samples the same
  // way score the same up to their sums' round-off, and the first in the node's random feature
  // order must win, not the round-off. Ties are common: the last cut between two samples
  // scores the same on every feature that separates them, and a conditional parameter's
  // activity splits the trials exactly as its condition's key does.
  bool beaten_by(double candidate) const { return candidate > score + 1e-9 * std::fabs(score); }
};

// Where a numeric split between sorted neighbours a < b cuts: the midpoint, or the feature's
// boundary when it lies in (a, b]. Always a < cut <= b, so exactly the values <= a go left.
double cut_between(double a, double b, const FeatureDomain& domain) {
  if (domain.boundary && a < *domain.boundary && *domain.boundary <= b) return *domain.boundary;
  const double mid = a + (b - a) / 2;
  return mid > a ? mid : b;  // a and b adjacent doubles: the midpoint rounds down onto a
}

class TreeBuilder {
 public:
  TreeBuilder(const std::vector<std::vector<double>>& columns, const std::vector<double>& targets,
              const std::vector<FeatureDomain>& features, const ForestOptions& options, Rng& rng)
      : columns_(columns), targets_(targets), features_(features), options_(options), rng_(rng) {}

  RegressionTree build(std::vector<size_t> samples) {
    samples_ = std::move(samples);
    tree_ = {};
    grow(0, samples_.size(), 0);
    return std::move(tree_);
  }

 private:
  // Grows the subtree of samples_[begin, end) and returns its root's index.
  int grow(size_t begin, size_t end, size_t depth) {
    const int id = int(tree_.nodes.size());
    tree_.nodes.emplace_back();
    const size_t n = end - begin;
    double sum = 0, lo = targets_[samples_[begin]], hi = lo;
    for (size_t k = begin; k < end; ++k) {
      const double y = targets_[samples_[k]];
      sum += y, lo = std::min(lo, y), hi = std::max(hi, y);
    }
    const double mean = sum / double(n);
    tree_.nodes[id].value = mean;
    if (depth >= options_.max_depth || n < options_.min_samples_split || n < 2 * options_.min_samples_leaf || lo == hi)
      return id;

    double centred_total = 0;
    for (size_t k = begin; k < end; ++k) centred_total += targets_[samples_[k]] - mean;
    Split best;
    for (size_t f : candidate_features()) {
      if (features_[f].categorical()) best_categorical_split(int(f), begin, end, mean, best);
      else best_numeric_split(int(f), begin, end, mean, centred_total, best);
    }
    if (best.feature < 0) return id;

    TreeNode& node = tree_.nodes[id];
    node.feature = best.feature;
    node.threshold = best.threshold;
    node.goes_left = std::move(best.goes_left);
    const auto& column = columns_[size_t(node.feature)];
    const auto first = samples_.begin() + std::ptrdiff_t(begin), last = samples_.begin() + std::ptrdiff_t(end);
    const auto mid =
        std::stable_partition(first, last, [&](size_t s) { return RegressionTree::sends_left(node, column[s]); });
    const size_t split_at = size_t(mid - samples_.begin());
    const int left = grow(begin, split_at, depth + 1);  // may reallocate nodes: no reference kept
    tree_.nodes[id].left = left;
    const int right = grow(split_at, end, depth + 1);
    tree_.nodes[id].right = right;
    return id;
  }

  // A random max_features share of the features (all by default) in random order: the order
  // breaks ties, so credit for a cut that several features make equally well is shared at
  // random rather than always given to the first name.
  std::vector<size_t> candidate_features() {
    const size_t d = features_.size();
    std::vector<size_t> order(d);
    std::iota(order.begin(), order.end(), size_t(0));
    const size_t k = std::min(d, std::max<size_t>(1, size_t(options_.max_features * double(d))));
    for (size_t j = 0; j + 1 < d && j < k; ++j) std::swap(order[j], order[j + rng_.below(d - j)]);
    order.resize(k);
    return order;
  }

  void best_numeric_split(int f, size_t begin, size_t end, double mean, double centred_total, Split& best) {
    const auto& column = columns_[size_t(f)];
    sorted_.clear();
    for (size_t k = begin; k < end; ++k) sorted_.emplace_back(column[samples_[k]], targets_[samples_[k]] - mean);
    // (value, target) pairs are totally ordered, so the running sums below add in the same
    // order whatever the sort algorithm does with ties.
    std::sort(sorted_.begin(), sorted_.end());
    const size_t n = sorted_.size(), min_leaf = options_.min_samples_leaf;
    double left_sum = 0;
    for (size_t i = 1; i < n; ++i) {
      left_sum += sorted_[i - 1].second;
      if (sorted_[i - 1].first == sorted_[i].first || i < min_leaf || n - i < min_leaf) continue;
      const double right_sum = centred_total - left_sum;
      const double score = left_sum * left_sum / double(i) + right_sum * right_sum / double(n - i);
      if (best.beaten_by(score)) {
        best.feature = f;
        best.threshold = cut_between(sorted_[i - 1].first, sorted_[i].first, features_[size_t(f)]);
        best.goes_left.clear();
        best.score = score;
      }
    }
  }

  void best_categorical_split(int f, size_t begin, size_t end, double mean, Split& best) {
    const auto& column = columns_[size_t(f)];
    const size_t categories = features_[size_t(f)].category_weights.size();
    std::vector<size_t> count(categories, 0);
    std::vector<double> sum(categories, 0);
    for (size_t k = begin; k < end; ++k) {
      const auto c = size_t(column[samples_[k]]);
      ++count[c];
      sum[c] += targets_[samples_[k]] - mean;
    }
    std::vector<size_t> present;
    for (size_t c = 0; c < categories; ++c)
      if (count[c]) present.push_back(c);
    std::sort(present.begin(), present.end(), [&](size_t a, size_t b) {
      const double ma = sum[a] / double(count[a]), mb = sum[b] / double(count[b]);
      return ma != mb ? ma < mb : a < b;
    });
    const size_t n = end - begin, min_leaf = options_.min_samples_leaf;
    size_t left_n = 0;
    double left_sum = 0, total = 0;
    for (size_t c : present) total += sum[c];
    for (size_t j = 0; j + 1 < present.size(); ++j) {
      left_n += count[present[j]];
      left_sum += sum[present[j]];
      const size_t right_n = n - left_n;
      if (left_n < min_leaf || right_n < min_leaf) continue;
      const double right_sum = total - left_sum;
      const double score = left_sum * left_sum / double(left_n) + right_sum * right_sum / double(right_n);
      if (best.beaten_by(score)) {
        best.feature = f;
        best.goes_left.assign(categories, left_n >= right_n ? 1 : 0);  // absent categories: the larger side
        for (size_t i = 0; i < present.size(); ++i) best.goes_left[present[i]] = i <= j ? 1 : 0;
        best.score = score;
      }
    }
  }

  const std::vector<std::vector<double>>& columns_;
  const std::vector<double>& targets_;
  const std::vector<FeatureDomain>& features_;
  const ForestOptions& options_;
  Rng& rng_;
  std::vector<size_t> samples_;  // this tree's sample indices, partitioned node by node
  std::vector<std::pair<double, double>> sorted_;
  RegressionTree tree_;
};

void check_inputs(const std::vector<std::vector<double>>& columns, const std::vector<double>& targets,
                  const std::vector<FeatureDomain>& features, const ForestOptions& options) {
  if (options.trees == 0) throw InputError("trees: a forest needs at least 1 tree");
  if (!(options.max_features > 0 && options.max_features <= 1))
    throw InputError("max_features: must be in (0, 1], got " + std::to_string(options.max_features));
  if (options.min_samples_leaf == 0) throw InputError("min_samples_leaf: must be at least 1");
  if (targets.empty()) throw Error("internal: a forest needs at least one sample");
  if (columns.size() != features.size()) throw Error("internal: forest columns do not match its features");
  for (double y : targets)
    if (!std::isfinite(y)) throw Error("internal: a forest target is not finite");
  for (size_t f = 0; f < features.size(); ++f) {
    const FeatureDomain& domain = features[f];
    if (columns[f].size() != targets.size())
      throw Error("internal: forest column " + std::to_string(f) + " has a wrong length");
    for (double w : domain.category_weights)
      if (!(w > 0 && std::isfinite(w))) throw Error("internal: category weights must be positive");
    if (!domain.categorical() && !(domain.low < domain.high)) throw Error("internal: an empty numeric feature domain");
    for (double x : columns[f]) {
      const bool ok = domain.categorical()
                          ? x >= 0 && x < double(domain.category_weights.size()) && x == std::floor(x)
                          : x >= domain.low && x <= domain.high;
      if (!ok) throw Error("internal: forest feature " + std::to_string(f) + " has a value outside its domain");
    }
  }
}

}  // namespace

bool RegressionTree::sends_left(const TreeNode& node, double x) {
  return node.goes_left.empty() ? x < node.threshold : node.goes_left[size_t(x)] != 0;
}

double RegressionTree::predict(const std::vector<double>& row) const {
  size_t i = 0;
  while (!nodes[i].leaf()) {
    const TreeNode& n = nodes[i];
    i = size_t(sends_left(n, row[size_t(n.feature)]) ? n.left : n.right);
  }
  return nodes[i].value;
}

std::vector<RegressionTree> fit_forest(const std::vector<std::vector<double>>& columns,
                                       const std::vector<double>& targets, const std::vector<FeatureDomain>& features,
                                       const ForestOptions& options) {
  check_inputs(columns, targets, features, options);
  Rng rng(options.seed);
  TreeBuilder builder(columns, targets, features, options, rng);
  std::vector<RegressionTree> forest;
  const size_t n = targets.size();
  for (size_t t = 0; t < options.trees; ++t) {
    std::vector<size_t> samples(n);
    for (size_t i = 0; i < n; ++i) samples[i] = options.bootstrap ? size_t(rng.below(n)) : i;
    forest.push_back(builder.build(std::move(samples)));
  }
  return forest;
}

}  // namespace vkt::tune::importance
