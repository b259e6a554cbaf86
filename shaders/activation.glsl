// Elementwise activations on vec4s, chosen by specialization constant 3 (ACT); mirrors
// nn/ops/activation.hpp: Activation. Semantics as tests/reference/activation.hpp:
//   0 relu        y = x > 0 ? x : 0                 f' = x > 0 ? 1 : 0
//   1 leaky relu  y = x > 0 ? x : alpha x           f' = x > 0 ? 1 : alpha
//   2 sigmoid     y = 1 / (1 + e^-x)                f' = y (1 - y)
//   3 tanh                                          f' = 1 - tanh^2
//   4 gelu        y = x Phi(x) (exact, erf-based)   f' = Phi(x) + x phi(x)
// The forms below avoid overflow and the cancellations of the textbook formulas: sigmoid and
// tanh are evaluated through e = exp(-|x|) <= 1, and their derivatives as e / (1 + e)^2 (not
// y (1 - y), which loses all digits once y rounds to 1).
layout(constant_id = 3) const uint ACT = 0;

const uint ACT_RELU = 0, ACT_LEAKY_RELU = 1, ACT_SIGMOID = 2, ACT_TANH = 3, ACT_GELU = 4;

// Phi(-|x|) = 0.5 erfc(|x| / sqrt 2), the normal CDF's lower tail, and phi(x) in `pdf`.
// GLSL has no erf, so two fits of our own (mpmath chebyfit, coefficients rounded to fp32):
//   z = |x| / sqrt 2 < 1:  erf(z) = z P(z^2)                   P degree 6, fit error 1.2e-9
//   z >= 1:               erfc(z) = exp(-z^2) G(1 / (1 + 0.4 z))  G degree 11, fit error 2.3e-9
// Evaluated in fp32, |Phi - Phi_exact| <= 9.1e-8 over all fp32 x (checked on a 40,001-point
// sweep of [-14, 14] in simulated fp32; beyond that Phi is 0 or 1 to fp32 precision); the
// lower tail keeps its relative accuracy (no 1 - erf cancellation) because the large-z branch
// computes erfc directly.
vec4 normal_lower_tail(vec4 x, out vec4 pdf) {
  const vec4 z = abs(x) * 0.70710678118654752;
  const vec4 ex = exp(-0.5 * x * x);  // exp(-z^2)
  pdf = ex * 0.39894228040143268;     // 1 / sqrt(2 pi)
  const vec4 u = z * z;
  vec4 ps = vec4(7.875875063e-5);
  ps = ps * u - 0.0008016864287;
  ps = ps * u + 0.005189087423;
  ps = ps * u - 0.02685421201;
  ps = ps * u + 0.1128359472;
  ps = ps * u - 0.3761262667;
  ps = ps * u + 1.128379166;
  const vec4 small_tail = 0.5 - 0.5 * (z * ps);
  const vec4 t = 1.0 / (1.0 + 0.4 * z);
  vec4 pl = vec4(-0.02573526207);
  pl = pl * t + 0.1220335307;
  pl = pl * t - 0.1936245192;
  pl = pl * t + 0.0839279708;
  pl = pl * t - 0.004505193891;
  pl = pl * t + 0.06253561031;
  pl = pl * t + 0.1258795041;
  pl = pl * t + 0.1703757524;
  pl = pl * t + 0.2077697292;
  pl = pl * t + 0.2256668419;
  pl = pl * t + 0.2256760342;
  pl = pl * t - 7.053932852e-10;
  const vec4 large_tail = 0.5 * (ex * pl);
  return mix(large_tail, small_tail, lessThan(z, vec4(1.0)));
}

vec4 normal_cdf(vec4 x, out vec4 pdf) {
  const vec4 lower = normal_lower_tail(x, pdf);
  return mix(1.0 - lower, lower, lessThan(x, vec4(0.0)));
}

vec4 act_forward(vec4 x, float alpha) {
  const bvec4 pos = greaterThan(x, vec4(0.0));
  if (ACT == ACT_RELU) return mix(vec4(0.0), x, pos);
  if (ACT == ACT_LEAKY_RELU) return mix(alpha * x, x, pos);
  if (ACT == ACT_SIGMOID) {
    const vec4 e = exp(-abs(x));
    const vec4 s = 1.0 / (1.0 + e);
    return mix(e * s, s, greaterThanEqual(x, vec4(0.0)));
  }
  if (ACT == ACT_TANH) {
    const vec4 e = exp(-2.0 * abs(x));
    return sign(x) * ((1.0 - e) / (1.0 + e));
  }
  vec4 pdf;
  return x * normal_cdf(x, pdf);  // ACT_GELU
}

// f'(x)
vec4 act_derivative(vec4 x, float alpha) {
  const bvec4 pos = greaterThan(x, vec4(0.0));
  if (ACT == ACT_RELU) return mix(vec4(0.0), vec4(1.0), pos);
  if (ACT == ACT_LEAKY_RELU) return mix(vec4(alpha), vec4(1.0), pos);
  if (ACT == ACT_SIGMOID) {
    const vec4 e = exp(-abs(x));
    const vec4 s = 1.0 / (1.0 + e);
    return e * s * s;
  }
  if (ACT == ACT_TANH) {
    const vec4 e = exp(-2.0 * abs(x));
    const vec4 s = 1.0 / (1.0 + e);
    return 4.0 * e * s * s;
  }
  vec4 pdf;
  const vec4 cdf = normal_cdf(x, pdf);  // ACT_GELU
  return cdf + x * pdf;
}
