#pragma once
// The normal distribution truncated to [low, high]: the kernel of every numeric Parzen
// component (parzen_estimator.cpp computes its densities from these masses). Masses are in
// log space and tail-safe because the sampler compares log l(x) - log g(x) between mixtures
// whose far components underflow a plain erf(): the asymptotic series keeps a kernel 40
// sigmas away finite instead of -inf.
#include "tuning/rng.hpp"

namespace vkt::tune::tpe {

// log P(Z <= z) for a standard normal Z, accurate far into the left tail.
double log_normal_cdf(double z);

// log P(a <= Z <= b) for a standard normal Z; -inf when a >= b.
double log_gauss_mass(double a, double b);

// A draw from N(mu, sigma) truncated to [low, high], by rejection from Rng::normal(). Callers
// guarantee mu in [low, high] and sigma <= high - low, so the interval holds at least
// P(0 <= Z <= 1) = 0.34 of the mass: about 3 tries on average, whatever the parameters.
double sample_truncated(Rng& rng, double mu, double sigma, double low, double high);

}  // namespace vkt::tune::tpe
