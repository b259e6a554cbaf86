// The input x as the Winograd input transforms read it (winograd_input.glsl for F(2x2, 3x3),
// winograd33_input.comp for F(3x3, 3x3)), after winograd_common.glsl: binding 0, and 4
// channels of one pixel per call.
layout(binding = 0) uniform samplerBuffer x;  // R32F: (N, C, H, W); RGBA32F with X_NHWC

// Channels c0 .. c0+3 of pixel (yy, xx) of image n, 0 outside the image (zero padding).
// Branch-free: the pixel is clamped into the image, the value selected. One fetch when x is
// channels-last, else 4.
vec4 input_quad(uint n, uint c0, int yy, int xx) {
  const bool inside = yy >= 0 && yy < int(H) && xx >= 0 && xx < int(W);
  const uint pixel = uint(clamp(yy, 0, int(H) - 1)) * W + uint(clamp(xx, 0, int(W) - 1));
  vec4 q;
  if (X_NHWC)
    q = texelFetch(x, int(((n * H * W + pixel) * C + c0) >> 2u));
  else
    for (uint c = 0u; c < 4u; ++c) q[c] = texelFetch(x, int((n * C + c0 + c) * H * W + pixel)).x;
  return inside ? q : vec4(0.0);
}
