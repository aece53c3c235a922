#include "core/small_block_cache.hpp"

#include <cstdlib>

namespace canopy::core {

void* SmallBlockCache::allocate_new(std::size_t size, std::size_t size_class) noexcept {
  if (size > SIZE_MAX - header) return nullptr;
  void* block = std::malloc(size + header);
  return block ? stamp(static_cast<FreeBlock*>(block), size_class) : nullptr;
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
