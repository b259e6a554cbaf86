#pragma once
// Data augmentation of one image, in double: what shaders/gather_batch_augment.comp must
// compute. All draws are integers from the counter hash of tests/reference/dropout.hpp:
//
//   draw(k) = dropout_hash(seed, step, position * 8 + k)     position: the image's place in the batch
//   dx = draw(0) % (2 crop + 1) - crop,  dy = draw(1) % (2 crop + 1) - crop
//   flip = flip_on && (draw(2) >> 31) == 1
//   angle = radians(rotate) * (2 u(draw(3)) - 1),  s = 1 + scale * (2 u(draw(4)) - 1)
//   u(h) = (h >> 8) * 2^-24
//
// Output pixel (ox, oy) of every channel reads the source at
//   f = flip ? W-1-ox : ox,  (qx, qy) = (f - cx, oy - cy),  (cx, cy) = ((W-1)/2, (H-1)/2)
//   sx = cx + (cos(angle) qx + sin(angle) qy) / s + dx
//   sy = cy + (cos(angle) qy - sin(angle) qx) / s + dy
// bilinearly (pixels outside the image are 0) when rotate or scale is on; otherwise at the whole
// pixel (f + dx, oy + dy). Values are bytes / 255.
#include <cstdint>
#include <span>

#include "nn/data/augment.hpp"

namespace vkt::ref {

struct AugmentDraw {
  int dx = 0, dy = 0;
  bool flip = false;
  double angle = 0, scale = 1;  // radians; size factor
};

AugmentDraw augment_draw(const nn::Augment& a, uint32_t seed, uint32_t step, uint32_t position);

void augment_image(std::span<double> out,          // (C, H, W) overwritten
                   std::span<const uint8_t> image,  // (C, H, W)
                   uint32_t channels, uint32_t height, uint32_t width, const nn::Augment& a, uint32_t seed,
                   uint32_t step, uint32_t position);

}  // namespace vkt::ref
