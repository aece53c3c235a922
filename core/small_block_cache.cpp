#include "core/small_block_cache.hpp"

#include <cstdlib>

namespace canopy::core {

void* SmallBlockCache::allocate_new(std::size_t bytes, std::size_t size_class) noexcept {
  void* block = std::malloc(bytes);
  return block ? stamp(static_cast<FreeBlock*>(block), size_class) : nullptr;
}

void* SmallBlockCache::allocate_uncached(std::size_t size) noexcept {
  return size > SIZE_MAX - header ? nullptr : allocate_new(size + header, uncached);
}

void SmallBlockCache::release(FreeBlock* block) noexcept { std::free(block); }

void SmallBlockCache::open() noexcept {
  if (state_ == State::new_) state_ = State::open;
}

void SmallBlockCache::close() noexcept {
  state_ = State::closed;
  for (FreeBlock*& first : free_) {
    while (first) {
      FreeBlock* next = first->next;
      release(first);
      first = next;
    }
  }
  kept_bytes_ = 0;
}

}  // namespace canopy::core
