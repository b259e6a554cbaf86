#include <doctest/doctest.h>

#include <cstring>
#include <numeric>

#include "runtime/allocator.hpp"
#include "runtime/buffer.hpp"
#include "runtime/context.hpp"
#include "tests/test_support.hpp"
#include "util/error.hpp"

using namespace vkt;

TEST_CASE("buffer: upload/download round trip from 1 byte to 64 MiB") {
  Context ctx(test::test_context_options());
  for (size_t bytes : {size_t(1), size_t(3), size_t(4), size_t(1000), size_t(65537), size_t((1 << 20) + 7),
                       size_t(64) << 20}) {
    CAPTURE(bytes);
    std::vector<uint8_t> data(bytes);
    for (size_t i = 0; i < bytes; ++i) data[i] = static_cast<uint8_t>((i * 2654435761u) >> 13);
    Buffer b(ctx, bytes, "roundtrip");
    b.upload(data);
    std::vector<uint8_t> back(bytes);
    b.download(back.data(), bytes);
    CHECK(std::memcmp(back.data(), data.data(), bytes) == 0);
  }
}

TEST_CASE("buffer: partial upload and download at an offset") {
  Context ctx(test::test_context_options());
  Buffer b(ctx, 1024, "offsets");
  std::vector<uint8_t> zeros(1024, 0), pattern(100, 0xAB);
  b.upload(zeros);
  b.upload(pattern.data(), pattern.size(), 500);
  const auto all = b.download_all<uint8_t>();
  CHECK(all[499] == 0);
  CHECK(all[500] == 0xAB);
  CHECK(all[599] == 0xAB);
  CHECK(all[600] == 0);
  CHECK_THROWS_AS(b.upload(pattern.data(), pattern.size(), 1000), Error);
}

TEST_CASE("buffer: a request above maxStorageBufferRange is a clear error, not a crash") {
  Context ctx(test::test_context_options());
  const uint64_t too_big = ctx.info().max_storage_buffer_range + 16;
  try {
    Buffer b(ctx, too_big, "huge-activations");
    FAIL("expected an error");
  } catch (const Error& e) {
    const std::string msg = e.what();
    CHECK(msg.find("huge-activations") != std::string::npos);
    CHECK(msg.find("maxStorageBufferRange") != std::string::npos);
  }
  CHECK_THROWS_AS(Buffer(ctx, 0, "empty"), Error);
}

TEST_CASE("buffer: small buffers share one memory block and free it when gone") {
  Context ctx(test::test_context_options());
  {
    std::vector<Buffer> buffers;
    for (int i = 0; i < 50; ++i) buffers.emplace_back(ctx, 4096 + 16 * i, "small");
    CHECK(ctx.allocator().block_count() == 1);
    // Freed ranges are reused: interleaved frees and allocations stay in that block.
    for (int i = 0; i < 50; i += 2) buffers[i] = Buffer();
    for (int i = 0; i < 20; ++i) buffers.emplace_back(ctx, 4000, "reuse");
    CHECK(ctx.allocator().block_count() == 1);
  }
  CHECK(ctx.allocator().block_count() == 0);
  CHECK(ctx.allocator().bytes_in_use() == 0);
}

TEST_CASE("buffer: moves transfer ownership") {
  Context ctx(test::test_context_options());
  Buffer a(ctx, 64, "a");
  const VkBuffer h = a.handle();
  Buffer b(std::move(a));
  CHECK(b.handle() == h);
  CHECK(a.handle() == VK_NULL_HANDLE);
  Buffer c;
  c = std::move(b);
  CHECK(c.handle() == h);
}
