#include "tuning/importance/fanova.hpp"

#include <algorithm>
#include <utility>

namespace vkt::tune::importance {
namespace {

// The part of one feature's domain that a node covers.
struct Range {
  double low = 0, high = 0;  // numeric
  std::vector<uint8_t> in;   // categorical: category c is covered when in[c]
};

struct Leaf {
  double value = 0;
  std::vector<Range> ranges;     // per feature
  std::vector<double> measure;   // per feature: the share of its domain the leaf covers
};

double total_weight(const FeatureDomain& domain) {
  double w = 0;
  for (double c : domain.category_weights) w += c;
  return w;
}

double share(const FeatureDomain& domain, const Range& r) {
  if (!domain.categorical()) return (r.high - r.low) / (domain.high - domain.low);
  double w = 0;
  for (size_t c = 0; c < r.in.size(); ++c)
    if (r.in[c]) w += domain.category_weights[c];
  return w / total_weight(domain);
}

// Every leaf with the sub-box it covers: the root covers the whole space, and a split cuts its
// node's range of the split feature in two.
std::vector<Leaf> leaves_of(const RegressionTree& tree, const std::vector<FeatureDomain>& features) {
  std::vector<Range> whole(features.size());
  for (size_t f = 0; f < features.size(); ++f) {
    if (features[f].categorical()) whole[f].in.assign(features[f].category_weights.size(), 1);
    else whole[f].low = features[f].low, whole[f].high = features[f].high;
  }
  std::vector<Leaf> leaves;
  std::vector<std::pair<int, std::vector<Range>>> pending;
  pending.emplace_back(0, std::move(whole));
  while (!pending.empty()) {
    auto [id, ranges] = std::move(pending.back());
    pending.pop_back();
    const TreeNode& node = tree.nodes[size_t(id)];
    if (node.leaf()) {
      Leaf leaf{node.value, std::move(ranges), {}};
      for (size_t f = 0; f < features.size(); ++f) leaf.measure.push_back(share(features[f], leaf.ranges[f]));
      leaves.push_back(std::move(leaf));
      continue;
    }
    const auto f = size_t(node.feature);
    std::vector<Range> left = ranges, right = std::move(ranges);
    if (features[f].categorical()) {
      for (size_t c = 0; c < left[f].in.size(); ++c) {
        left[f].in[c] = left[f].in[c] && node.goes_left[c];
        right[f].in[c] = right[f].in[c] && !node.goes_left[c];
      }
    } else {  // x < threshold goes left; a threshold outside the node's range leaves one side empty
      const double cut = std::clamp(node.threshold, left[f].low, left[f].high);
      left[f].high = cut;
      right[f].low = cut;
    }
    pending.emplace_back(node.left, std::move(left));
    pending.emplace_back(node.right, std::move(right));
  }
  return leaves;
}

// The marginal prediction of feature f on each of its pieces, with each piece's share of the
// domain. contribution[L] is leaf L's value times its measure in all the other features.
void marginal_pieces(const std::vector<Leaf>& leaves, const FeatureDomain& domain, size_t f,
                     const std::vector<double>& contribution, std::vector<double>& value, std::vector<double>& weight) {
  if (domain.categorical()) {
    const size_t k = domain.category_weights.size();
    value.assign(k, 0);
    weight.resize(k);
    for (size_t c = 0; c < k; ++c) weight[c] = domain.category_weights[c] / total_weight(domain);
    for (size_t l = 0; l < leaves.size(); ++l)
      for (size_t c = 0; c < k; ++c)
        if (leaves[l].ranges[f].in[c]) value[c] += contribution[l];
    return;
  }
  // Between consecutive leaf edges on f the set of leaves covering x does not change.
  std::vector<double> edges = {domain.low, domain.high};
  for (const Leaf& leaf : leaves) edges.push_back(leaf.ranges[f].low), edges.push_back(leaf.ranges[f].high);
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  const auto index = [&](double x) { return size_t(std::lower_bound(edges.begin(), edges.end(), x) - edges.begin()); };
  std::vector<double> step(edges.size(), 0);  // difference array: a leaf adds its contribution over its range
  for (size_t l = 0; l < leaves.size(); ++l) {
    step[index(leaves[l].ranges[f].low)] += contribution[l];
    step[index(leaves[l].ranges[f].high)] -= contribution[l];
  }
  value.assign(edges.size() - 1, 0);
  weight.resize(edges.size() - 1);
  double running = 0;
  for (size_t k = 0; k + 1 < edges.size(); ++k) {
    running += step[k];
    value[k] = running;
    weight[k] = (edges[k + 1] - edges[k]) / (domain.high - domain.low);
  }
}

}  // namespace

TreeVariance decompose(const RegressionTree& tree, const std::vector<FeatureDomain>& features) {
  const std::vector<Leaf> leaves = leaves_of(tree, features);
  const size_t d = features.size();
  std::vector<double> volume(leaves.size(), 1);
  for (size_t l = 0; l < leaves.size(); ++l)
    for (double m : leaves[l].measure) volume[l] *= m;

  TreeVariance out;
  double mean = 0;
  for (size_t l = 0; l < leaves.size(); ++l) mean += volume[l] * leaves[l].value;
  for (size_t l = 0; l < leaves.size(); ++l) {
    const double deviation = leaves[l].value - mean;
    out.total += volume[l] * deviation * deviation;
  }

  out.main_effect.assign(d, 0);
  std::vector<double> contribution(leaves.size()), value, weight;
  for (size_t f = 0; f < d; ++f) {
    for (size_t l = 0; l < leaves.size(); ++l) {
      double others = 1;  // a product rather than volume / measure: a measure may be 0
      for (size_t g = 0; g < d; ++g)
        if (g != f) others *= leaves[l].measure[g];
      contribution[l] = leaves[l].value * others;
    }
    marginal_pieces(leaves, features[f], f, contribution, value, weight);
    for (size_t k = 0; k < value.size(); ++k) out.main_effect[f] += weight[k] * (value[k] - mean) * (value[k] - mean);
  }
  return out;
}

}  // namespace vkt::tune::importance
