// 2-D pooling geometry shared by the maxpool2d_* and avgpool2d_* shaders; mirrors nn/ops/pool.cpp:
// PoolPush. x is (planes, H, W) with planes = N*C, y is (planes, OH, OW); windows kh x kw,
// stride sh x sw, padding ph, pw on each side (padded cells never count as values).
layout(push_constant) uniform Push {
  uint planes, H, W, OH, OW;
  uint kh, kw, sh, sw, ph, pw;
  float inv_area;  // 1 / (kh * kw), avg pool's divisor (count_include_pad)
} p;

// The window rows [lo, hi) of output row o that fall inside the input (extent n, stride s,
// padding pad, kernel k), as offsets into the window.
void window_range(uint o, uint s, uint pad, uint k, uint n, out uint lo, out uint hi) {
  const int start = int(o * s) - int(pad);
  lo = uint(max(0, -start));
  hi = uint(min(int(k), int(n) - start));
}

// The outputs [lo, hi] (inclusive; empty when lo > hi) whose windows contain input row i:
// o*s - pad <= i <= o*s - pad + k - 1, and o < n_out.
void covering_outputs(uint i, uint s, uint pad, uint k, uint n_out, out int lo, out int hi) {
  const int a = int(i + pad) - int(k) + 1;  // o*s >= a
  lo = a <= 0 ? 0 : (a + int(s) - 1) / int(s);
  hi = min(int(i + pad) / int(s), int(n_out) - 1);
}
