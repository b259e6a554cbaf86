// DeviceDataset::record_gather (shaders/gather_batch*.comp) against the host: every pixel of a
// gathered batch must be exactly float(byte) * (1 / 255.f) of the right image, every label
// that image's, for image sizes that are whole words (one vec4 store per word) or not (one
// pixel per invocation), in file order and through a shuffled index list, over one chunk and
// over several (a set larger than a 64 MiB chunk).
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "nn/data/device_dataset.hpp"
#include "nn/ops/step_block.hpp"
#include "runtime/context.hpp"
#include "tests/nn_data/patterned_set.hpp"
#include "tests/test_support.hpp"

using namespace vkt;
using namespace vkt::nn;

namespace {

// Gathers `batch` images starting at position `start` (of `order`, or of the file order when
// order is empty) and checks them against the host.
void check_gather(Context& ctx, const nn::Dataset& d, const std::vector<uint32_t>& order, uint32_t start,
                  uint32_t batch, GatherPath path) {
  CAPTURE(d.count);
  CAPTURE(int(path));
  CAPTURE(d.image_bytes());
  CAPTURE(order.size());
  const DeviceDataset dev(ctx, d, "test");
  const size_t ib = d.image_bytes();
  Buffer x(ctx, batch * ib * 4, "x"), y(ctx, batch * 4, "y");
  Buffer step(ctx, sizeof(StepBlock), "step", MemoryUse::Shared);
  StepBlock block{};
  block.batch_start = start;
  step.upload(&block, sizeof(block));
  Buffer indices(ctx, order.empty() ? 4 : order.size() * 4, "indices");
  if (!order.empty()) indices.upload(order);
  Stream s(ctx);
  dev.record_gather(s, x, y, order.empty() ? nullptr : &indices, DeviceSpan(step, 0, sizeof(StepBlock) / 4), batch,
                   path);
  s.run();
  const auto xs = x.download_as<float>(batch * ib);
  const auto ys = y.download_as<int32_t>(batch);
  size_t bad = 0;
  for (uint32_t b = 0; b < batch; ++b) {
    const uint32_t image = order.empty() ? start + b : order[start + b];
    if (ys[b] != d.labels[image]) ++bad;
    for (size_t j = 0; j < ib; ++j)
      if (xs[b * ib + j] != float(d.images[image * ib + j]) * (1.0f / 255.0f)) ++bad;
  }
  CHECK(bad == 0);
}

// Both paths (Auto is Texel where the device allows).
void check_gather(Context& ctx, const nn::Dataset& d, const std::vector<uint32_t>& order, uint32_t start,
                  uint32_t batch) {
  for (GatherPath path : {GatherPath::Storage, GatherPath::Auto})
    check_gather(ctx, d, order, start, batch, path);
}

}  // namespace

TEST_CASE("gather: whole-word and odd image sizes, file order and shuffled, one chunk") {
  Context ctx(test::test_context_options());
  for (const auto& [c, h, w] : {std::array<uint32_t, 3>{1, 28, 28}, {3, 5, 5}, {1, 3, 3}, {3, 32, 32}}) {
    const nn::Dataset d = test::patterned_set(101, c, h, w);  // 101: the last label word is partial
    check_gather(ctx, d, {}, 0, 101);
    check_gather(ctx, d, {}, 37, 64);
    check_gather(ctx, d, test::strided_order(101, 37), 5, 96);
  }
}

TEST_CASE("gather: a set over several 64 MiB chunks") {
  Context ctx(test::test_context_options());
  // 3072-byte images, 21,845 to a 64 MiB chunk: 3 chunks, the last one short.
  const nn::Dataset d = test::patterned_set(45001, 3, 32, 32);
  check_gather(ctx, d, test::strided_order(45001, 7919), 44000, 1001);
  check_gather(ctx, d, {}, 21800, 100);
}
