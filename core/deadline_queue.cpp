#include "core/deadline_queue.hpp"

#include <algorithm>

namespace canopy::core {

boost::asio::execution_context::id DeadlineQueue::id;

void DeadlineQueue::Entry::remove() noexcept {
  if (queue_) queue_->erase(*this);
}

DeadlineQueue::DeadlineQueue(boost::asio::io_context& context)
    : boost::asio::execution_context::service(context), executor_(context.get_executor()), timer_(context) {}

DeadlineQueue::~DeadlineQueue() {
  // Scopes outliving their context (frames destroyed after it) find themselves unqueued.
  while (!entries_.empty()) {
    Entry& entry = entries_.pop_front();
    entry.queue_ = nullptr;
    entry.list_ = nullptr;
  }
}

DeadlineQueue& DeadlineQueue::of(const Executor& executor) {
  return boost::asio::use_service<DeadlineQueue>(executor.context());
}

void DeadlineQueue::shutdown() {
  // The context is being destroyed: its pending wait is dropped without running,
  // and frames destroyed from here on only unlink their scopes.
  shut_down_ = true;
}

void DeadlineQueue::add(Entry& entry, Clock::time_point due) {
  if (entry.list_ == &entries_) {
    entries_.erase(entry);  // moved: no need to stop counting the wait in between
  } else {
    entry.remove();
  }
  entry.queue_ = this;
  entry.list_ = &entries_;
  entry.due_ = due;
  entries_.push_back(entry);
  if (shut_down_) return;
  if (!waiting_ || due < armed_for_) {
    arm(due);
  } else {
    count_the_wait();
  }
}

void DeadlineQueue::erase(Entry& entry) noexcept {
  entry.list_->erase(entry);
  entry.list_ = nullptr;
  entry.queue_ = nullptr;
  // The timer stays armed: re-arming here would cost a cancelled wait per
  // scope. It just stops holding the context's run() while nothing is queued.
  if (entries_.empty() && !shut_down_) stop_counting_the_wait();
}

void DeadlineQueue::arm(Clock::time_point at) {
  count_the_wait();  // a wait superseded here completes as counted work
  armed_for_ = at;
  timer_.expires_at(at);  // a pending wait completes with operation_aborted, as stale
  const std::uint64_t wait = ++current_wait_;
  waiting_ = true;
  counted_ = true;
  timer_.async_wait([this, wait](boost::system::error_code ec) { on_timer(wait, !ec); });
}

void DeadlineQueue::on_timer(std::uint64_t wait, bool fired) {
  if (wait != current_wait_) return;  // superseded by an earlier due time
  waiting_ = false;
  armed_for_ = Clock::time_point::max();
  // Asio ends the wait's work when this returns; a wait that stopped counting
  // must count again for that.
  if (!std::exchange(counted_, false)) executor_.on_work_started();
  if (!fired || shut_down_) return;

  // Due entries move to a list of their own first: their OnDue may add and remove
  // entries (a cancelled scope's nested scopes stop their deadlines).
  const auto now = Clock::now();
  auto next = Clock::time_point::max();
  detail::IntrusiveList<Entry> due;
  entries_.for_each([&](Entry& entry) {
    if (entry.due_ <= now) {
      entries_.erase(entry);
      due.push_back(entry);
      entry.list_ = &due;
    } else {
      next = std::min(next, entry.due_);
    }
  });
  if (next != Clock::time_point::max()) arm(next);
  while (!due.empty()) {
    Entry& entry = due.pop_front();
    entry.queue_ = nullptr;
    entry.list_ = nullptr;
    entry.on_due_(entry);
  }
  if (entries_.empty()) stop_counting_the_wait();
}

void DeadlineQueue::count_the_wait() noexcept {
  if (waiting_ && !counted_) {
    counted_ = true;
    executor_.on_work_started();
  }
}

void DeadlineQueue::stop_counting_the_wait() noexcept {
  if (waiting_ && counted_) {
    counted_ = false;
    executor_.on_work_finished();
  }
}

}  // namespace canopy::core
