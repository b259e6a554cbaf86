#pragma once
// Data augmentation of training batches (train --augment): which random transforms the batch
// gather applies, parsed from "crop:4,flip,rotate:10,scale:0.1". The transforms run on the
// device inside the gather (shaders/gather_batch_augment.comp), from the uint8 data set, drawn
// per image and step from the run's seed; evaluation never augments.
#include <cstdint>
#include <string>
#include <string_view>

namespace vkt::nn {

struct Augment {
  uint32_t crop = 0;    // crop:N  random crop of the image padded by N zero pixels on each side
  bool flip = false;    // flip    horizontal flip of half of the images
  double rotate = 0;    // rotate:DEG  rotation by an angle uniform in [-DEG, DEG] degrees
  double scale = 0;     // scale:S     scaling by a factor uniform in [1 - S, 1 + S]

  bool any() const { return crop > 0 || flip || affine(); }
  // Rotation or scaling: bilinear sampling; otherwise every pixel comes from one source pixel.
  bool affine() const { return rotate > 0 || scale > 0; }
  // "crop:4,flip", canonical order; "none" when nothing is on.
  std::string str() const;
  // InputError unless the transforms suit an h x w image (a crop of at least the image size
  // leaves nothing).
  void check_image(uint32_t height, uint32_t width) const;
  bool operator==(const Augment&) const = default;
};

// "" or "none": no augmentation; else a comma list of crop:N (0-64), flip, rotate:DEG
// (0-180), scale:S (0-0.5), each at most once. InputError naming the bad item otherwise.
Augment parse_augment(std::string_view text);

}  // namespace vkt::nn
