#include "tests/reference/augment.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>

#include "tests/reference/dropout.hpp"

namespace vkt::ref {
namespace {

double unit(uint32_t h) { return double(h >> 8) * 0x1p-24; }

}  // namespace

AugmentDraw augment_draw(const nn::Augment& a, uint32_t seed, uint32_t step, uint32_t position) {
  auto draw = [&](uint32_t k) { return dropout_hash(seed, step, position * 8u + k); };
  AugmentDraw d;
  const uint32_t range = 2 * a.crop + 1;
  d.dx = int(draw(0) % range) - int(a.crop);
  d.dy = int(draw(1) % range) - int(a.crop);
  d.flip = a.flip && (draw(2) >> 31) == 1;
  d.angle = a.rotate * std::numbers::pi / 180.0 * (2 * unit(draw(3)) - 1);
  d.scale = 1 + a.scale * (2 * unit(draw(4)) - 1);
  return d;
}

void augment_image(std::span<double> out, std::span<const uint8_t> image, uint32_t channels, uint32_t height,
                   uint32_t width, const nn::Augment& a, uint32_t seed, uint32_t step, uint32_t position) {
  const size_t plane = size_t(height) * width;
  if (out.size() != plane * channels || image.size() != plane * channels)
    throw std::invalid_argument("augment_image: sizes do not match (C, H, W)");
  const AugmentDraw d = augment_draw(a, seed, step, position);
  auto at = [&](uint32_t c, long x, long y) -> double {
    if (x < 0 || y < 0 || x >= long(width) || y >= long(height)) return 0.0;
    return image[c * plane + size_t(y) * width + size_t(x)];
  };
  const double cx = 0.5 * (width - 1.0), cy = 0.5 * (height - 1.0);
  for (uint32_t oy = 0; oy < height; ++oy)
    for (uint32_t ox = 0; ox < width; ++ox) {
      const long f = d.flip ? long(width - 1 - ox) : long(ox);
      for (uint32_t c = 0; c < channels; ++c) {
        double v;
        if (!a.affine()) {
          v = at(c, f + d.dx, long(oy) + d.dy);
        } else {
          const double qx = f - cx, qy = oy - cy;
          const double sx = cx + (std::cos(d.angle) * qx + std::sin(d.angle) * qy) / d.scale + d.dx;
          const double sy = cy + (std::cos(d.angle) * qy - std::sin(d.angle) * qx) / d.scale + d.dy;
          const double x0 = std::floor(sx), y0 = std::floor(sy), wx = sx - x0, wy = sy - y0;
          const long ix = long(x0), iy = long(y0);
          v = (at(c, ix, iy) * (1 - wx) + at(c, ix + 1, iy) * wx) * (1 - wy) +
              (at(c, ix, iy + 1) * (1 - wx) + at(c, ix + 1, iy + 1) * wx) * wy;
        }
        out[c * plane + size_t(oy) * width + ox] = v / 255.0;
      }
    }
}

}  // namespace vkt::ref
