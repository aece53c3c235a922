// The executables' operator new and delete go through the thread's
// SmallBlockCache (core/operator_new.hpp); this test binary links them as
// `canopy` and `canopy-upstream` do.
#include "core/operator_new.hpp"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <array>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace canopy::core {
namespace {

TEST(OperatorNew, ADeletedObjectsBlockIsKeptAndTheNextNewOfItsSizeTakesIt) {
  auto* first = new std::string(200, 'x');  // the string's buffer and the string: two blocks
  const std::size_t before = this_thread_block_cache().kept_bytes();
  const void* string_at = first;
  delete first;
  EXPECT_GT(this_thread_block_cache().kept_bytes(), before);
  auto* second = new std::string();
  EXPECT_EQ(static_cast<const void*>(second), string_at);
  delete second;
}

TEST(OperatorNew, EachThreadKeepsWhatItFreesInItsOwnCache) {
  const std::size_t kept_here = this_thread_block_cache().kept_bytes();
  std::thread([] {
    auto numbers = std::make_unique<int[]>(1000);
    numbers.reset();
    EXPECT_TRUE(this_thread_block_cache().opened());
    EXPECT_GE(this_thread_block_cache().kept_bytes(), 4000u);
  }).join();  // and closes it as it ends: its blocks go back to malloc
  EXPECT_EQ(this_thread_block_cache().kept_bytes(), kept_here);
}

TEST(OperatorNew, NothrowAndArrayFormsShareTheCache) {
  int* array = new int[10];
  delete[] array;
  int* again = new (std::nothrow) int[10];
  EXPECT_EQ(again, array);
  delete[] again;
}

// Asio's memory for an operation and for its cancellation handler comes from
// operator new (CanopyOptions.cmake), not from aligned_alloc, which the cache
// never sees: what Asio does not keep in its own two recycled blocks per
// purpose comes back to the cache.
TEST(OperatorNew, AsioOperationsAndTheirCancellationHandlersGiveTheirBlocksToTheCache) {
  namespace asio = boost::asio;
  using Socket = asio::local::stream_protocol::socket;
  constexpr std::size_t operations = 8;
  asio::io_context io;
  std::vector<Socket> ends;
  for (std::size_t i = 0; i < operations; ++i) {
    ends.emplace_back(io);
    ends.emplace_back(io);
    asio::local::connect_pair(ends[ends.size() - 2], ends.back());
  }
  std::size_t aborted = 0;
  std::size_t kept_before = 0, kept_after_operations = 0;
  {
    std::array<asio::cancellation_signal, operations> signals;
    std::array<char, operations> bytes{};
    auto count_aborted = [&](boost::system::error_code ec, std::size_t) {
      if (ec == asio::error::operation_aborted) ++aborted;
    };
    for (std::size_t i = 0; i < operations; ++i) {
      ends[2 * i].async_receive(asio::buffer(&bytes[i], 1),
                                asio::bind_cancellation_slot(signals[i].slot(), count_aborted));
    }
    kept_before = this_thread_block_cache().kept_bytes();
    for (auto& signal : signals) signal.emit(asio::cancellation_type::terminal);
    io.poll();
    ASSERT_EQ(aborted, operations);
    kept_after_operations = this_thread_block_cache().kept_bytes();
  }
  EXPECT_GT(kept_after_operations, kept_before) << "the operations' blocks went to free(), not to the cache";
  // The signals free their handlers' blocks as they end.
  EXPECT_GT(this_thread_block_cache().kept_bytes(), kept_after_operations)
      << "the cancellation handlers' blocks went to free(), not to the cache";
}

}  // namespace
}  // namespace canopy::core
