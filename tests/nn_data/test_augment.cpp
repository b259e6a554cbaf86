// train --augment: the option's parser, and DeviceDataset::record_gather_augmented
// (shaders/gather_batch_augment.comp) against the double reference of tests/reference/augment.hpp
// for crops, flips, rotations and scalings of odd-sized, one- and three-channel images, batch 1
// and a partial grid, several steps, one chunk and several; the identity gives the plain gather's
// batch bit for bit; the draws cover their ranges.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nn/data/augment.hpp"
#include "nn/data/device_dataset.hpp"
#include "nn/ops/step_block.hpp"
#include "runtime/context.hpp"
#include "tests/reference/augment.hpp"
#include "tests/nn_data/patterned_set.hpp"
#include "tests/test_support.hpp"
#include "util/error.hpp"

using namespace vkt;
using namespace vkt::nn;

namespace {

struct Batch {
  std::vector<float> x;
  std::vector<int32_t> y;
};

// One batch of `order` from position `start` at optimizer step `step`: augmented, or through
// the plain gather when `augment` is null.
Batch gather(Context& ctx, const DeviceDataset& dev, const std::vector<uint32_t>& order, uint32_t start,
             uint32_t batch, uint32_t step, const Augment* augment, uint32_t seed = 7) {
  const size_t ib = dev.image_bytes();
  Buffer x(ctx, batch * ib * 4, "x"), y(ctx, batch * 4, "y");
  Buffer block_buffer(ctx, sizeof(StepBlock), "step", MemoryUse::Shared);
  StepBlock block{};
  block.step = step;
  block.batch_start = start;
  block_buffer.upload(&block, sizeof(block));
  Buffer indices(ctx, order.size() * 4, "indices");
  indices.upload(order);
  const DeviceSpan span(block_buffer, 0, sizeof(StepBlock) / 4);
  Stream s(ctx);
  if (augment)
    dev.record_gather_augmented(s, x, y, indices, span, batch, *augment, seed);
  else
    dev.record_gather(s, x, y, &indices, span, batch);
  s.run();
  return {x.download_as<float>(batch * ib), y.download_as<int32_t>(batch)};
}

// The device's batch against the reference, image by image. Whole-pixel transforms differ only
// by float's rounding of byte / 255 (below 6e-8); bilinear ones also by float coordinates and
// sin/cos (about 1e-5 pixel at 32 pixels, so 1e-5 of the range at most): 1e-4 leaves a margin
// for devices with coarser sin/cos.
void check_against_reference(Context& ctx, const nn::Dataset& d, const std::vector<uint32_t>& order, uint32_t start,
                             uint32_t batch, uint32_t step, const Augment& a) {
  CAPTURE(a.str());
  CAPTURE(d.channels);
  CAPTURE(d.height);
  CAPTURE(d.width);
  CAPTURE(batch);
  CAPTURE(step);
  const DeviceDataset dev(ctx, d, "test");
  const uint32_t seed = 0xC0FFEE;
  const Batch got = gather(ctx, dev, order, start, batch, step, &a, seed);
  const size_t ib = d.image_bytes();
  const double tolerance = a.affine() ? 1e-4 : 1e-6;
  std::vector<double> want(ib);
  size_t bad_labels = 0, bad_pixels = 0;
  double worst = 0;
  for (uint32_t b = 0; b < batch; ++b) {
    const uint32_t image = order[start + b];
    bad_labels += got.y[b] != d.labels[image];
    ref::augment_image(want, std::span(d.images).subspan(size_t(image) * ib, ib), d.channels, d.height, d.width, a,
                       seed, step, b);
    for (size_t j = 0; j < ib; ++j) {
      const double err = std::abs(double(got.x[b * ib + j]) - want[j]);
      worst = std::max(worst, err);
      bad_pixels += err > tolerance;
    }
  }
  CAPTURE(worst);
  CHECK(bad_labels == 0);
  CHECK(bad_pixels == 0);
}

}  // namespace

TEST_CASE("augment: parse, print, refuse") {
  const Augment a = parse_augment("crop:4,flip,rotate:10,scale:0.1");
  CHECK(a.crop == 4);
  CHECK(a.flip);
  CHECK(a.rotate == 10);
  CHECK(a.scale == 0.1);
  CHECK(a.str() == "crop:4,flip,rotate:10,scale:0.1");
  CHECK(parse_augment(a.str()) == a);
  CHECK(parse_augment("flip,crop:2").str() == "crop:2,flip");
  CHECK(!parse_augment("none").any());
  CHECK(!parse_augment("").any());
  CHECK(!parse_augment("crop:0,rotate:0,scale:0").any());
  CHECK(parse_augment("rotate:5").affine());
  CHECK(!parse_augment("crop:3,flip").affine());
  CHECK(Augment{}.str() == "none");
  for (const char* bad : {"crop", "crop:-1", "crop:65", "crop:1.5", "crop:x", "flip:1", "rotate:181", "rotate:nan",
                          "scale:0.6", "scale:1e999", "spin:3", "crop:2,crop:3", "crop:2,", ",flip", "flip,,crop:1"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parse_augment(bad), InputError);
  }
  CHECK_THROWS_AS(parse_augment("crop:28").check_image(28, 28), InputError);
  CHECK_NOTHROW(parse_augment("crop:27").check_image(28, 28));
  CHECK_THROWS_AS(parse_augment("crop:5").check_image(5, 7), InputError);
}

TEST_CASE("augment: the device matches the reference, whole-pixel and bilinear, odd shapes, batch 1") {
  Context ctx(test::test_context_options());
  const std::vector<std::string> settings = {"crop:2",  "flip",          "crop:4,flip", "rotate:15", "scale:0.2",
                                             "rotate:180", "crop:3,flip,rotate:10,scale:0.1"};
  for (const auto& [c, h, w] : {std::array<uint32_t, 3>{1, 28, 28}, {3, 5, 7}, {3, 32, 32}, {2, 9, 4}}) {
    const nn::Dataset d = test::patterned_set(131, c, h, w);
    const auto order = test::strided_order(131, 37);
    for (const std::string& text : settings) {
      Augment a = parse_augment(text);
      a.crop = std::min(a.crop, std::min(h, w) - 1);
      check_against_reference(ctx, d, order, 3, 67, 1, a);  // 67 images: a partial last group row
      check_against_reference(ctx, d, order, 130, 1, 12345, a);
    }
  }
}

TEST_CASE("augment: the device matches the reference over several 64 MiB chunks") {
  Context ctx(test::test_context_options());
  const nn::Dataset d = test::patterned_set(45001, 3, 32, 32);  // 3 chunks, the last one short
  check_against_reference(ctx, d, test::strided_order(45001, 7919), 44000, 96, 3, parse_augment("crop:4,flip"));
  check_against_reference(ctx, d, test::strided_order(45001, 7919), 100, 64, 9, parse_augment("rotate:10,scale:0.1"));
}

TEST_CASE("augment: the identity gives the plain gather's batch bit for bit") {
  Context ctx(test::test_context_options());
  for (const auto& [c, h, w] : {std::array<uint32_t, 3>{1, 28, 28}, {3, 5, 7}, {3, 32, 32}}) {
    const nn::Dataset d = test::patterned_set(101, c, h, w);
    const DeviceDataset dev(ctx, d, "test");
    const auto order = test::strided_order(101, 37);
    const Batch plain = gather(ctx, dev, order, 5, 96, 1, nullptr);
    for (const char* text : {"none", "crop:0,rotate:0,scale:0"}) {
      CAPTURE(text);
      const Augment identity = parse_augment(text);
      const Batch same = gather(ctx, dev, order, 5, 96, 1, &identity);
      CHECK(same.x == plain.x);
      CHECK(same.y == plain.y);
    }
    // And a real augmentation changes it, differently at the next step.
    const Augment crop = parse_augment("crop:2,flip");
    const Batch step1 = gather(ctx, dev, order, 5, 96, 1, &crop), step2 = gather(ctx, dev, order, 5, 96, 2, &crop);
    CHECK(step1.x != plain.x);
    CHECK(step2.x != step1.x);
    CHECK(step1.y == plain.y);
  }
}

TEST_CASE("augment: the draws cover their ranges evenly") {
  const Augment a = parse_augment("crop:3,flip,rotate:20,scale:0.25");
  std::map<int, int> dx, dy;
  int flips = 0, n = 0;
  double lo_angle = 1, hi_angle = -1, lo_scale = 2, hi_scale = 0;
  for (uint32_t step = 1; step <= 16; ++step)
    for (uint32_t position = 0; position < 256; ++position, ++n) {
      const ref::AugmentDraw d = ref::augment_draw(a, 42, step, position);
      ++dx[d.dx], ++dy[d.dy];
      flips += d.flip;
      lo_angle = std::min(lo_angle, d.angle), hi_angle = std::max(hi_angle, d.angle);
      lo_scale = std::min(lo_scale, d.scale), hi_scale = std::max(hi_scale, d.scale);
    }
  // 4096 draws: each of the 7 offsets expects 585 (sd 22); each bound below is > 5 sd away.
  for (const auto* counts : {&dx, &dy}) {
    CHECK(counts->size() == 7);
    for (const auto& entry : *counts) {
      const int offset = entry.first;
      const int count = entry.second;
      CAPTURE(offset);
      CHECK(offset >= -3);
      CHECK(offset <= 3);
      CHECK(count > 450);
      CHECK(count < 720);
    }
  }
  CHECK(std::abs(flips - n / 2) < 200);  // sd 32
  const double max_angle = 20 * 3.14159265358979 / 180;
  CHECK(lo_angle >= -max_angle);
  CHECK(lo_angle < -0.99 * max_angle);
  CHECK(hi_angle <= max_angle);
  CHECK(hi_angle > 0.99 * max_angle);
  CHECK(lo_scale >= 0.75);
  CHECK(lo_scale < 0.76);
  CHECK(hi_scale <= 1.25);
  CHECK(hi_scale > 1.24);
}
