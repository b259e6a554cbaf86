// The kernel plan on an edge device: this device described with the limits of a Raspberry Pi's
// V3DV or a Mali GPU (16 KiB of shared memory, 256 invocations per workgroup, 16-lane
// subgroups, storage buffers of at most 128 MiB). The seed CNN and MLP are trained with every
// candidate measured (--autotune full, a GPU's candidate set: the widest), so every kernel a
// plan can pick is really made; each must fit, and each was made through Kernel's checks,
// which test the described limits too.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "nn/train/trainer.hpp"
#include "runtime/context.hpp"
#include "runtime/kernel.hpp"
#include "tests/nn_data/patterned_set.hpp"
#include "tests/ops/plan_support.hpp"
#include "tests/test_support.hpp"
#include "util/error.hpp"

using namespace vkt;
using namespace vkt::nn;

namespace {

constexpr uint32_t kShared = 16 * 1024, kInvocations = 256, kSubgroup = 16;
constexpr uint64_t kRange = 128ull << 20;

KernelPolicy edge_device(const Context& ctx) {
  KernelPolicy p = ctx.policy();
  p.cpu_driver = false;  // a GPU's candidates, which include the subgroup and vec4 kernels
  p.shared_memory_bytes = kShared;
  p.max_workgroup_invocations = kInvocations;
  p.max_workgroup_x = p.max_workgroup_y = kInvocations;
  p.subgroup_size = kSubgroup;
  p.max_storage_buffer_range = kRange;
  p.autotune = AutotuneMode::Full;
  return p;
}

void check_within_edge_limits(const Context& ctx) {
  const auto specs = ctx.kernel_specs();
  REQUIRE(specs.size() > 10);
  for (const KernelSpec& k : specs) {
    CAPTURE(k.shader);
    const auto& ls = k.local_size;
    const std::string size = std::to_string(ls[0]) + "x" + std::to_string(ls[1]) + "x" + std::to_string(ls[2]);
    CAPTURE(size);
    CHECK(uint64_t(ls[0]) * ls[1] * ls[2] <= kInvocations);
    CHECK(ls[0] <= kInvocations);
    CHECK(ls[1] <= kInvocations);
    CHECK(k.shared_bytes <= kShared);
    // The subgroup GEMM's rows are one subgroup wide: 16 lanes here, not lavapipe's 8.
    if (k.shader.find("subgroup") != std::string::npos) CHECK(ls[0] == kSubgroup);
  }
}

}  // namespace

TEST_CASE("edge device: every kernel candidate of the seed CNN and MLP fits 16 KiB shared, 256 invocations, subgroup 16") {
  test::PrivateCache cache;
  for (const std::string model : {"mlp", "cnn"}) {
    CAPTURE(model);
    Context ctx(test::test_context_options());
    ctx.set_policy(edge_device(ctx));
    TrainConfig c;
    c.model = model;
    c.epochs = 1;
    c.batch = 16;
    c.optimizer.kind = OptimizerKind::Adam;
    c.optimizer.lr = 1e-3;
    Trainer t(ctx, c, DataSplits{test::patterned_set(64, 1, 28, 28), test::patterned_set(16, 1, 28, 28),
                                 test::patterned_set(16, 1, 28, 28)});
    const EpochStats e = t.train_epoch();
    CHECK(std::isfinite(e.loss));
    check_within_edge_limits(ctx);
  }
}

TEST_CASE("edge device: a kernel or buffer over the described limits is refused with the limit named") {
  Context ctx(test::test_context_options());
  ctx.set_policy(edge_device(ctx));
  KernelSpec wide{"saxpy_test", {BindingKind::Storage}, 0, {16, 32, 1}};  // each side fits, not the product
  CHECK_THROWS_WITH_AS(Kernel(ctx, wide), doctest::Contains("exceed the device limit 256"), Error);
  KernelSpec shared{"saxpy_test", {BindingKind::Storage}, 0, {64, 1, 1}, {}, kShared + 4};
  CHECK_THROWS_WITH_AS(Kernel(ctx, shared), doctest::Contains("the device has 16384"), Error);
  CHECK_THROWS_WITH_AS(Buffer(ctx, kRange + 16, "big"), doctest::Contains("maxStorageBufferRange (128 MiB)"), Error);
  CHECK_NOTHROW(Buffer(ctx, kRange, "the largest"));
}
