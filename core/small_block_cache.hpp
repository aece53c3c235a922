#pragma once
// A thread's freed small blocks, kept and handed out again: the block freed
// last goes first, since it is the one still in the CPU's caches.
//
// Why: a proxied request's coroutine frames and buffers come and go together,
// and with hundreds of requests in flight they are freed and taken again in
// bursts far larger than glibc's per-thread cache (7 blocks per size). Each
// block past it went through malloc's bins and their coalescing: ~12 % of a
// keep-alive GET's instructions at 256 connections (callgrind), and the part
// of Canopy's CPU per request that grew with the connection count.
//
// Guarantees
// - allocate(n) returns at least n bytes aligned to 16 (malloc's alignment,
//   and __STDCPP_DEFAULT_NEW_ALIGNMENT__ on x86-64), or nullptr when malloc
//   has none.
// - A block carries a 16-byte header with its size class, so deallocate()
//   needs no size and takes blocks of any cache, on any thread: all of them
//   are malloc's.
// - A cache keeps blocks only while open, blocks of at most largest_cached
//   bytes (header included), and at most `budget` bytes of them; every other
//   block goes back to malloc at once. close() gives back what it keeps.
// - Trivially destructible, with a constexpr constructor: a constinit
//   thread_local needs no guard on each use. Whoever opens a cache closes it.
//
// Thread-safety: none; one cache per thread.

#include <array>
#include <cstddef>
#include <cstdint>

namespace canopy::core {

class SmallBlockCache {
 public:
  static constexpr std::size_t granule = 16;  // the alignment, and the step between size classes
  static constexpr std::size_t largest_cached = 4096;
  static constexpr std::size_t default_budget = std::size_t{4} << 20;

  constexpr explicit SmallBlockCache(std::size_t budget = default_budget) noexcept : budget_(budget) {}
  SmallBlockCache(const SmallBlockCache&) = delete;
  SmallBlockCache& operator=(const SmallBlockCache&) = delete;

  void* allocate(std::size_t size) noexcept {
    if (size > largest_cached - header) return allocate_uncached(size);
    const std::size_t size_class = class_of(size);
    if (FreeBlock* block = free_[size_class]) [[likely]] {
      free_[size_class] = block->next;
      kept_bytes_ -= size_class * granule;
      return stamp(block, size_class);
    }
    return allocate_new(size_class * granule, size_class);
  }

  // `pointer` from allocate() of this or any other cache, or nullptr.
  void deallocate(void* pointer) noexcept {
    if (!pointer) return;
    auto* block = reinterpret_cast<FreeBlock*>(static_cast<std::byte*>(pointer) - header);
    const std::size_t size_class = block->size_class;
    const std::size_t bytes = size_class * granule;
    if (size_class != uncached && state_ == State::open && kept_bytes_ + bytes <= budget_) [[likely]] {
      block->next = free_[size_class];
      free_[size_class] = block;
      kept_bytes_ += bytes;
      return;
    }
    release(block);
  }

  void open() noexcept;
  // Gives back every kept block; blocks deallocated from now on go back at once.
  void close() noexcept;
  bool opened() const noexcept { return state_ != State::new_; }
  std::size_t kept_bytes() const noexcept { return kept_bytes_; }

 private:
  static constexpr std::size_t header = granule;
  static constexpr std::size_t uncached = 0;  // the size class of a block larger than largest_cached
  static constexpr std::size_t classes = largest_cached / granule + 1;

  // A block: its header, then the caller's bytes. Kept, its first word links it
  // to the next kept block of its class (stamp() writes the class back).
  struct FreeBlock {
    union {
      std::size_t size_class;
      FreeBlock* next;
    };
  };
  static_assert(sizeof(FreeBlock) <= header);

  enum class State : std::uint8_t { new_, open, closed };

  // The smallest class whose block holds `size` bytes after the header.
  static constexpr std::size_t class_of(std::size_t size) noexcept {
    return (size + header + granule - 1) / granule;
  }
  static void* stamp(FreeBlock* block, std::size_t size_class) noexcept {
    block->size_class = size_class;
    return reinterpret_cast<std::byte*>(block) + header;
  }
  // A new block of `bytes`, header included, from malloc.
  static void* allocate_new(std::size_t bytes, std::size_t size_class) noexcept;
  static void* allocate_uncached(std::size_t size) noexcept;
  static void release(FreeBlock* block) noexcept;

  std::array<FreeBlock*, classes> free_{};
  std::size_t kept_bytes_ = 0;
  std::size_t budget_;
  State state_ = State::new_;
};

}  // namespace canopy::core
