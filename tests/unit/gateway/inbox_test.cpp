#include "gateway/server/inbox.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace canopy::gateway {
namespace {

using namespace std::chrono_literals;

// A worker as Worker runs one: an io_context without locks, on its own thread,
// kept running by its open inbox.
struct LockFreeWorker {
  boost::asio::io_context io{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE};
  Inbox inbox{io.get_executor()};
  std::thread thread;

  void start() {
    thread = std::thread([this] {
      inbox.open();
      io.run();
    });
  }
  void finish() {
    inbox.put([this] { inbox.close(); });
    thread.join();
  }
};

TEST(Inbox, RunsWhatEveryThreadPutsOnTheWorkersThreadInEachSendersOrder) {
  LockFreeWorker worker;
  worker.start();
  constexpr int senders = 4, each = 2000;
  std::vector<int> last_seen(senders, -1);  // touched on the worker's thread only
  int out_of_order = 0, wrong_thread = 0, runs = 0;
  std::vector<std::thread> threads;
  for (int s = 0; s < senders; ++s) {
    threads.emplace_back([&, s] {
      for (int i = 0; i < each; ++i) {
        worker.inbox.put([&, s, i] {
          if (std::this_thread::get_id() != worker.thread.get_id()) ++wrong_thread;
          if (last_seen[s] != i - 1) ++out_of_order;
          last_seen[s] = i;
          ++runs;
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  worker.finish();  // after everything put before it
  EXPECT_EQ(runs, senders * each);
  EXPECT_EQ(out_of_order, 0);
  EXPECT_EQ(wrong_thread, 0);
}

TEST(Inbox, KeepsTheWorkerRunningWithNothingElseToDoUntilClosed) {
  LockFreeWorker worker;
  worker.start();
  std::this_thread::sleep_for(50ms);  // idle: no work but the inbox's read
  std::atomic<bool> ran = false;
  worker.inbox.put([&] { ran = true; });
  worker.finish();
  EXPECT_TRUE(ran);
  EXPECT_TRUE(worker.io.stopped());  // run() returned: closing left it nothing to wait for
}

TEST(Inbox, DropsWhatIsPutAfterItClosed) {
  LockFreeWorker worker;
  worker.start();
  std::atomic<int> ran = 0;
  worker.inbox.put([&] { ++ran; });
  worker.finish();
  worker.inbox.put([&] { ++ran; });  // nobody listens: dropped, not run, no crash
  EXPECT_EQ(ran, 1);
}

}  // namespace
}  // namespace canopy::gateway
