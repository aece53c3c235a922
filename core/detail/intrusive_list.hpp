#pragma once
// A doubly linked list threaded through its elements. Waiters and tasks live on
// coroutine frames or in their own allocation; linking them costs no allocation,
// and removing one (a cancelled waiter) is O(1).

#include <cassert>
#include <cstddef>

namespace canopy::core::detail {

struct ListHook {
  ListHook* prev = nullptr;
  ListHook* next = nullptr;
  bool linked() const noexcept { return prev != nullptr; }
};

// T must derive from ListHook (once per list it can be in: use a tag base for more).
template <typename T, typename Hook = ListHook>
class IntrusiveList {
 public:
  IntrusiveList() noexcept { head_.prev = head_.next = &head_; }
  IntrusiveList(const IntrusiveList&) = delete;
  IntrusiveList& operator=(const IntrusiveList&) = delete;
  ~IntrusiveList() { assert(empty() && "an intrusive list must be emptied before it is destroyed"); }

  bool empty() const noexcept { return head_.next == &head_; }
  std::size_t size() const noexcept { return size_; }

  void push_back(T& item) noexcept {
    Hook& hook = item;
    assert(!hook.linked());
    hook.prev = head_.prev;
    hook.next = &head_;
    head_.prev->next = &hook;
    head_.prev = &hook;
    ++size_;
  }

  void erase(T& item) noexcept {
    Hook& hook = item;
    assert(hook.linked());
    hook.prev->next = hook.next;
    hook.next->prev = hook.prev;
    hook.prev = hook.next = nullptr;
    --size_;
  }

  T& front() noexcept {
    assert(!empty());
    return static_cast<T&>(*static_cast<Hook*>(head_.next));
  }

  T& pop_front() noexcept {
    T& item = front();
    erase(item);
    return item;
  }

  // Visits every element; fn must not unlink any element but the one it is given.
  template <typename Fn>
  void for_each(Fn&& fn) {
    for (ListHook* at = head_.next; at != &head_;) {
      ListHook* next = at->next;
      fn(static_cast<T&>(*static_cast<Hook*>(at)));
      at = next;
    }
  }

  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (const ListHook* at = head_.next; at != &head_; at = at->next) {
      fn(static_cast<const T&>(*static_cast<const Hook*>(at)));
    }
  }

 private:
  ListHook head_;
  std::size_t size_ = 0;
};

}  // namespace canopy::core::detail
