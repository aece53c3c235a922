#include "gateway/server/inbox.hpp"

#include <boost/asio/buffer.hpp>
#include <cerrno>
#include <sys/eventfd.h>
#include <system_error>
#include <unistd.h>

namespace canopy::gateway {

Inbox::Inbox(const core::Executor& executor) : wakeup_(executor) {
  eventfd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (eventfd_ < 0) throw std::system_error(errno, std::system_category(), "eventfd for a worker's inbox");
  wakeup_.assign(eventfd_);
}

Inbox::~Inbox() = default;  // wakeup_ closes the eventfd if close() did not

void Inbox::put_message(std::unique_ptr<Message> message) {
  const std::lock_guard lock(mutex_);
  if (closed_) return;
  // One wake-up per batch: the reader takes the whole queue each time it wakes.
  const bool wake = queued_.empty();
  queued_.push_back(std::move(message));
  if (wake) {
    const std::uint64_t one = 1;
    // Cannot fail short of a counter overflow: the reader resets it on every wake-up.
    [[maybe_unused]] const auto written = ::write(eventfd_, &one, sizeof one);
  }
}

void Inbox::open() { read_next(); }

void Inbox::read_next() {
  wakeup_.async_read_some(boost::asio::buffer(&wakeups_, sizeof wakeups_),
                          [this](const boost::system::error_code& ec, std::size_t) {
                            if (ec) return;  // closed
                            run_queued();
                            if (wakeup_.is_open()) read_next();
                          });
}

void Inbox::run_queued() {
  std::vector<std::unique_ptr<Message>> batch;
  {
    const std::lock_guard lock(mutex_);
    batch.swap(queued_);
  }
  for (auto& message : batch) {
    if (!wakeup_.is_open()) break;  // a message closed the inbox: what follows it is dropped
    message->run();
  }
}

void Inbox::close() {
  std::vector<std::unique_ptr<Message>> dropped;
  {
    const std::lock_guard lock(mutex_);
    closed_ = true;
    dropped.swap(queued_);
  }
  boost::system::error_code ignored;
  wakeup_.close(ignored);
}

}  // namespace canopy::gateway
