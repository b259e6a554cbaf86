#pragma once
// The numerically stable log of expected improvement's shape function, after Ament et al.,
// "Unexpected improvements to expected improvement" (2023). With z = (mean - best) / sigma,
//   EI = sigma h(z),   h(z) = phi(z) + z Phi(z),   log EI = log h(z) + log sigma.
// h(z) underflows to 0 for z below about -38 (phi(z) ~ exp(-z^2/2)), where log(EI) would be
// -inf and its gradient 0: the acquisition would be flat over most of a well-explored space.
// log_h instead stays finite and strictly increasing for every finite z:
//   z > -1:                log(phi(z) + z Phi(z)) directly (no cancellation there);
//   -1/sqrt(eps) < z <= -1: -z^2/2 - log(2 pi)/2 + log1mexp(log(erfcx(-z/sqrt2) |z|) + log(pi/2)/2),
//                          from Phi(z) = erfcx(-z/sqrt2) exp(-z^2/2) / 2;
//   z <= -1/sqrt(eps):     -z^2/2 - log(2 pi)/2 - 2 log|z|, where h(z) ~ phi(z) / z^2.
namespace vkt::tune::gp {

// exp(x^2) erfc(x), the scaled complementary error function, finite for every x >= 0.
double erfcx(double x);

// log(1 - exp(a)) for a < 0, accurate at both ends (Maechler's split at -log 2).
double log1mexp(double a);

double log_h(double z);
// d log h / dz = Phi(z) / h(z) (h' = Phi), computed in log space so it too stays finite.
double log_h_slope(double z);

}  // namespace vkt::tune::gp
