#pragma once
// The functional ANOVA of one regression tree (Hutter, Hoos & Leyton-Brown, "An Efficient
// Approach for Assessing Hyperparameter Importance", ICML 2014), computed exactly.
//
// The space is the box of the features' domains with the product of their measures (length
// for numeric features, category weights for categorical ones), normalized to 1. A tree's
// leaves partition the box into sub-boxes with constant predictions, so everything is a finite
// sum over leaves, no Monte Carlo:
//  - total variance: sum over leaves of vol(L) (v(L) - mean)^2, with mean = sum vol(L) v(L);
//  - the marginal prediction of feature f at x (the tree averaged over all other features) is
//    sum over the leaves whose f-range holds x of v(L) times the measure of L in the other
//    features; it is constant between consecutive split points of f (numeric) or per category,
//    so its variance is a weighted sum over those pieces.
// A feature's main effect is that variance; its share of the total is its importance in this
// tree. The shares sum to at most 1: the rest is interactions.
#include <vector>

#include "tuning/importance/random_forest.hpp"

namespace vkt::tune::importance {

struct TreeVariance {
  double total = 0;                 // the variance of the tree's prediction over the space
  std::vector<double> main_effect;  // per feature: the variance of its marginal prediction
};

TreeVariance decompose(const RegressionTree& tree, const std::vector<FeatureDomain>& features);

}  // namespace vkt::tune::importance
