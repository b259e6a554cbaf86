// Winograd F(2x2, 3x3) (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks",
// 2016): a 2x2 output tile of a 3x3, stride-1 cross-correlation from a 4x4 input tile d,
//   y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A,
// 16 multiplies per channel pair instead of 36. The sum over input channels of the
// element-wise products is 16 GEMMs (nn/ops/conv2d_winograd.hpp). Each function here is one
// transform or its adjoint (for the backward passes), applied first down the columns (along
// i, for every j) and then along the rows; a 4x4 tile is t[i * 4 + j], a 3x3 filter g[r * 3 +
// s], a 2x2 output y[a * 2 + b]. Every value is a vec4: 4 channels (or filters) at once.
//   Bᵀ = | 1  0 -1  0 |   G = | 1    0    0   |   Aᵀ = | 1  1  1  0 |
//        | 0  1  1  0 |       | 1/2  1/2  1/2 |        | 0  1 -1 -1 |
//        | 0 -1  1  0 |       | 1/2 -1/2  1/2 |
//        | 0  1  0 -1 |       | 0    0    1   |

// V = Bᵀ d B, in place.
void winograd_input(inout vec4 t[16]) {
  for (uint j = 0u; j < 4u; ++j) {
    const vec4 d0 = t[j], d1 = t[4u + j], d2 = t[8u + j], d3 = t[12u + j];
    t[j] = d0 - d2, t[4u + j] = d1 + d2, t[8u + j] = d2 - d1, t[12u + j] = d1 - d3;
  }
  for (uint i = 0u; i < 4u; ++i) {
    const vec4 d0 = t[4u * i], d1 = t[4u * i + 1u], d2 = t[4u * i + 2u], d3 = t[4u * i + 3u];
    t[4u * i] = d0 - d2, t[4u * i + 1u] = d1 + d2, t[4u * i + 2u] = d2 - d1, t[4u * i + 3u] = d1 - d3;
  }
}

// Its adjoint, dd = B dV Bᵀ, in place: the gradient of an input tile.
void winograd_input_adjoint(inout vec4 t[16]) {
  for (uint j = 0u; j < 4u; ++j) {
    const vec4 v0 = t[j], v1 = t[4u + j], v2 = t[8u + j], v3 = t[12u + j];
    t[j] = v0, t[4u + j] = v1 - v2 + v3, t[8u + j] = v1 + v2 - v0, t[12u + j] = -v3;
  }
  for (uint i = 0u; i < 4u; ++i) {
    const vec4 v0 = t[4u * i], v1 = t[4u * i + 1u], v2 = t[4u * i + 2u], v3 = t[4u * i + 3u];
    t[4u * i] = v0, t[4u * i + 1u] = v1 - v2 + v3, t[4u * i + 2u] = v1 + v2 - v0, t[4u * i + 3u] = -v3;
  }
}

// U = G g Gᵀ.
void winograd_filter(vec4 g[9], out vec4 u[16]) {
  vec4 h[12];  // G g: 4 x 3
  for (uint s = 0u; s < 3u; ++s) {
    const vec4 g0 = g[s], g1 = g[3u + s], g2 = g[6u + s];
    h[s] = g0, h[3u + s] = 0.5 * (g0 + g1 + g2), h[6u + s] = 0.5 * (g0 - g1 + g2), h[9u + s] = g2;
  }
  for (uint i = 0u; i < 4u; ++i) {
    const vec4 h0 = h[3u * i], h1 = h[3u * i + 1u], h2 = h[3u * i + 2u];
    u[4u * i] = h0, u[4u * i + 1u] = 0.5 * (h0 + h1 + h2), u[4u * i + 2u] = 0.5 * (h0 - h1 + h2), u[4u * i + 3u] = h2;
  }
}

// Its adjoint, dg = Gᵀ dU G: the gradient of a filter.
void winograd_filter_adjoint(vec4 u[16], out vec4 g[9]) {
  vec4 h[12];  // Gᵀ dU: 3 x 4
  for (uint j = 0u; j < 4u; ++j) {
    const vec4 u0 = u[j], u1 = u[4u + j], u2 = u[8u + j], u3 = u[12u + j];
    h[j] = u0 + 0.5 * (u1 + u2), h[4u + j] = 0.5 * (u1 - u2), h[8u + j] = 0.5 * (u1 + u2) + u3;
  }
  for (uint r = 0u; r < 3u; ++r) {
    const vec4 h0 = h[4u * r], h1 = h[4u * r + 1u], h2 = h[4u * r + 2u], h3 = h[4u * r + 3u];
    g[3u * r] = h0 + 0.5 * (h1 + h2), g[3u * r + 1u] = 0.5 * (h1 - h2), g[3u * r + 2u] = 0.5 * (h1 + h2) + h3;
  }
}

// y = Aᵀ m A.
void winograd_output(vec4 m[16], out vec4 y[4]) {
  vec4 h[8];  // Aᵀ m: 2 x 4
  for (uint j = 0u; j < 4u; ++j) {
    h[j] = m[j] + m[4u + j] + m[8u + j];
    h[4u + j] = m[4u + j] - m[8u + j] - m[12u + j];
  }
  for (uint a = 0u; a < 2u; ++a) {
    y[2u * a] = h[4u * a] + h[4u * a + 1u] + h[4u * a + 2u];
    y[2u * a + 1u] = h[4u * a + 1u] - h[4u * a + 2u] - h[4u * a + 3u];
  }
}

// Row i of A (= column i of Aᵀ) as the pair (A[i][0], A[i][1]), for the adjoint of the output
// transform, dm = A dY Aᵀ: with a single nonzero dY[a][b] = g (a max pool's winner),
// dm[i][j] = g · A[i][a] · A[j][b].
vec2 winograd_a_row(uint i) {
  return i == 0u ? vec2(1.0, 0.0) : i == 1u ? vec2(1.0, 1.0) : i == 2u ? vec2(1.0, -1.0) : vec2(0.0, -1.0);
}
