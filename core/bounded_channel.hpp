#pragma once
// A bounded FIFO channel between tasks of one executor: Canopy's backpressure.
//
// Guarantees
// - send() suspends while `capacity` messages are buffered (capacity 0: until a
//   receiver takes the message); receive() suspends while the channel is empty.
//   Waiting senders and receivers are served in FIFO order.
// - close() wakes everyone: waiting senders get SendOutcome::closed (their
//   message is not delivered), later sends too; receivers still get every
//   buffered message, then std::nullopt. (Asio's channel drops buffered messages
//   on close, which would lose accepted work; hence this type.)
// - Cancel-safety: a send cancelled while waiting did not deliver its message, a
//   receive cancelled while waiting took nothing; the channel is unchanged. A
//   message handed to a receiver is returned to it even if the receiver is
//   cancelled before it resumes. Cancellation throws system_error(operation_aborted).
//
// Thread-safety: none; one executor's thread.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

#include "core/detail/parking.hpp"
#include "core/executor.hpp"

namespace canopy::core {

enum class SendOutcome {
  sent,    // buffered, or handed to a receiver
  closed,  // the channel is closed; the message was not delivered
};

enum class TrySendOutcome { sent, full, closed };

struct ChannelStats {
  std::size_t capacity = 0;
  std::size_t buffered = 0;
  std::size_t waiting_senders = 0;
  std::size_t waiting_receivers = 0;
  bool closed = false;
  std::uint64_t sent_total = 0;
  std::uint64_t received_total = 0;
};

template <typename T>
class BoundedChannel {
 public:
  explicit BoundedChannel(std::size_t capacity) : capacity_(capacity) {}
  BoundedChannel(const BoundedChannel&) = delete;
  BoundedChannel& operator=(const BoundedChannel&) = delete;
  ~BoundedChannel() { close(); }

  [[nodiscard]] Awaitable<SendOutcome> send(T message) {
    switch (try_send(message)) {
      case TrySendOutcome::sent: co_return SendOutcome::sent;
      case TrySendOutcome::closed: co_return SendOutcome::closed;
      case TrySendOutcome::full: break;
    }
    Sender sender(std::move(message));
    senders_.push_back(sender);
    auto [ec] = co_await sender.park([this](detail::Parking& p) {
      senders_.erase(static_cast<Sender&>(p));
      p.wake(boost::asio::error::operation_aborted);
    });
    if (ec == boost::asio::error::operation_aborted) throw boost::system::system_error(ec, "BoundedChannel::send");
    co_return ec ? SendOutcome::closed : SendOutcome::sent;
  }

  // Never suspends. On `full` or `closed` the message is left in `message`.
  TrySendOutcome try_send(T& message) {
    if (closed_) return TrySendOutcome::closed;
    if (!receivers_.empty()) {
      Receiver& receiver = receivers_.pop_front();
      receiver.message.emplace(std::move(message));
      ++stats_.sent_total;
      ++stats_.received_total;
      receiver.wake();
      return TrySendOutcome::sent;
    }
    if (buffer_.size() >= capacity_) return TrySendOutcome::full;
    buffer_.push_back(std::move(message));
    ++stats_.sent_total;
    return TrySendOutcome::sent;
  }

  // The next message, or std::nullopt once the channel is closed and drained.
  [[nodiscard]] Awaitable<std::optional<T>> receive() {
    if (auto message = try_receive()) co_return message;
    if (closed_) co_return std::nullopt;
    Receiver receiver;
    receivers_.push_back(receiver);
    auto [ec] = co_await receiver.park([this](detail::Parking& p) {
      receivers_.erase(static_cast<Receiver&>(p));
      p.wake(boost::asio::error::operation_aborted);
    });
    if (ec == boost::asio::error::operation_aborted) throw boost::system::system_error(ec, "BoundedChannel::receive");
    co_return std::move(receiver.message);
  }

  // Never suspends; std::nullopt when nothing is buffered or waiting to be sent.
  std::optional<T> try_receive() {
    std::optional<T> message;
    if (!buffer_.empty()) {
      message.emplace(std::move(buffer_.front()));
      buffer_.pop_front();
      admit_waiting_sender();
    } else if (!senders_.empty()) {  // capacity 0: take straight from a sender
      Sender& sender = senders_.pop_front();
      message.emplace(std::move(sender.message));
      ++stats_.sent_total;
      sender.wake();
    } else {
      return message;
    }
    ++stats_.received_total;
    return message;
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    while (!senders_.empty()) senders_.pop_front().wake(boost::asio::error::broken_pipe);
    while (!receivers_.empty()) receivers_.pop_front().wake(boost::asio::error::eof);
  }

  bool closed() const noexcept { return closed_; }

  ChannelStats stats() const noexcept {
    ChannelStats s = stats_;
    s.capacity = capacity_;
    s.buffered = buffer_.size();
    s.waiting_senders = senders_.size();
    s.waiting_receivers = receivers_.size();
    s.closed = closed_;
    return s;
  }

 private:
  struct Sender : detail::Parking {
    explicit Sender(T m) : message(std::move(m)) {}
    T message;
  };
  struct Receiver : detail::Parking {
    std::optional<T> message;
  };

  void admit_waiting_sender() {
    if (senders_.empty() || buffer_.size() >= capacity_) return;
    Sender& sender = senders_.pop_front();
    buffer_.push_back(std::move(sender.message));
    ++stats_.sent_total;
    sender.wake();
  }

  std::size_t capacity_;
  std::deque<T> buffer_;
  detail::IntrusiveList<Sender, detail::ListHook> senders_;
  detail::IntrusiveList<Receiver, detail::ListHook> receivers_;
  ChannelStats stats_;
  bool closed_ = false;
};

}  // namespace canopy::core
