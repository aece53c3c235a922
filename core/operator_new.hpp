#pragma once
// The executables' global operator new and delete (core/operator_new.cpp):
// each thread's blocks come from, and go back to, its own SmallBlockCache.
// Linked into `canopy` and `canopy-upstream` only (target canopy_operator_new),
// and left out of sanitizer builds, whose allocator must see every block.

#include "core/small_block_cache.hpp"

namespace canopy::core {

// The calling thread's cache, as operator new and delete use it.
SmallBlockCache& this_thread_block_cache() noexcept;

}  // namespace canopy::core
