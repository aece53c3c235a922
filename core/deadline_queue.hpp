#pragma once
// Deadlines of one io_context kept by one timer for all of them, instead of one
// timer (and one timer wait, and one cancelled wait's completion) each: its
// cancel scopes', and the gateway's waits for request heads (HeadWait). An
// Entry is a deadline with what to do when it passes.
//
// Guarantees
// - An entry's OnDue function runs from the context's event loop once its due time
//   has passed (the clock read after the timer fires), exactly once per add(),
//   unless it is removed first. It may add or remove entries, its own
//   included.
// - add() and remove() cost a link and an unlink: the timer stays armed for the
//   earliest due time it has seen and, when it fires early for an entry that
//   is gone, waits again for the earliest left. Only an entry due earlier than
//   the armed time moves the timer.
// - The armed timer holds the context's run() only while an entry is queued:
//   with none left, run() returns once the rest of its work is done, as it
//   did with a timer per scope (the wait stops counting as outstanding work).
//
// Thread-safety: none; the context's one thread, like the entries it serves.

#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdint>

#include "core/clock.hpp"
#include "core/detail/intrusive_list.hpp"
#include "core/executor.hpp"

namespace canopy::core {

class DeadlineQueue : public boost::asio::execution_context::service {
 public:
  class Entry : public detail::ListHook {
   public:
    // `on_due(entry)` runs when the entry's time has come.
    using OnDue = void (*)(Entry& entry) noexcept;
    explicit Entry(OnDue on_due) noexcept : on_due_(on_due) {}
    Entry(const Entry&) = delete;
    Entry& operator=(const Entry&) = delete;

    bool queued() const noexcept { return queue_ != nullptr; }

   protected:
    ~Entry() { remove(); }
    // Leaves the queue it is in, if any.
    void remove() noexcept;

   private:
    friend class DeadlineQueue;

    OnDue on_due_;
    DeadlineQueue* queue_ = nullptr;
    detail::IntrusiveList<Entry>* list_ = nullptr;  // the queue's, or the one being expired
    Clock::time_point due_{};
  };

  using key_type = DeadlineQueue;
  static boost::asio::execution_context::id id;

  explicit DeadlineQueue(boost::asio::io_context& context);
  ~DeadlineQueue() override;

  // The queue of the context `executor` runs on (created on first use).
  static DeadlineQueue& of(const Executor& executor);

  // Queues `entry` (leaving any queue it was in) to be due at `due`.
  void add(Entry& entry, Clock::time_point due);

  std::size_t size() const noexcept { return entries_.size(); }

 private:
  void shutdown() override;
  void erase(Entry& entry) noexcept;
  void arm(Clock::time_point at);
  void on_timer(std::uint64_t wait, bool fired);
  void count_the_wait() noexcept;
  void stop_counting_the_wait() noexcept;

  Executor executor_;
  SteadyTimer timer_;
  detail::IntrusiveList<Entry> entries_;
  Clock::time_point armed_for_ = Clock::time_point::max();
  std::uint64_t current_wait_ = 0;  // the wait whose completion is not stale
  bool waiting_ = false;            // current_wait_ is pending
  bool counted_ = false;            // ... and counts as the context's work
  bool shut_down_ = false;
};

}  // namespace canopy::core
