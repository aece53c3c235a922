#include "core/operator_new.hpp"

#include <new>

namespace canopy::core {
namespace {

constinit thread_local SmallBlockCache thread_cache;

// Opens the thread's cache when it is first given a block, and closes it when
// the thread ends: its blocks go back to malloc, and so do the ones freed by
// destructors that run later.
struct OpenUntilThreadExit {
  OpenUntilThreadExit() noexcept { thread_cache.open(); }
  ~OpenUntilThreadExit() { thread_cache.close(); }
};

[[gnu::noinline]] void open_until_thread_exit() noexcept {
  static thread_local OpenUntilThreadExit opened;
  (void)opened;
}

// As the standard's operator new: the new-handler may free memory and be asked again.
void* allocate_or_throw(std::size_t size) {
  for (;;) {
    if (void* block = thread_cache.allocate(size)) [[likely]] return block;
    const std::new_handler handler = std::get_new_handler();
    if (!handler) throw std::bad_alloc();
    handler();
  }
}

void* allocate_or_null(std::size_t size) noexcept {
  try {
    return allocate_or_throw(size);
  } catch (...) {
    return nullptr;
  }
}

void deallocate(void* pointer) noexcept {
  if (!thread_cache.opened()) [[unlikely]] open_until_thread_exit();
  thread_cache.deallocate(pointer);
}

}  // namespace

SmallBlockCache& this_thread_block_cache() noexcept { return thread_cache; }

}  // namespace canopy::core

void* operator new(std::size_t size) { return canopy::core::allocate_or_throw(size); }
void* operator new[](std::size_t size) { return canopy::core::allocate_or_throw(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return canopy::core::allocate_or_null(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return canopy::core::allocate_or_null(size); }
void operator delete(void* pointer) noexcept { canopy::core::deallocate(pointer); }
void operator delete[](void* pointer) noexcept { canopy::core::deallocate(pointer); }
void operator delete(void* pointer, std::size_t) noexcept { canopy::core::deallocate(pointer); }
void operator delete[](void* pointer, std::size_t) noexcept { canopy::core::deallocate(pointer); }
void operator delete(void* pointer, const std::nothrow_t&) noexcept { canopy::core::deallocate(pointer); }
void operator delete[](void* pointer, const std::nothrow_t&) noexcept { canopy::core::deallocate(pointer); }
