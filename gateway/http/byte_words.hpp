#pragma once
// Text checked eight bytes at a time: whether a 64-bit word of text holds a
// byte below a bound, or a given byte. Exact for the word as a whole (a borrow
// can mark a lane next to a real match, never a word without one), which is all
// a scan needs before it looks at the bytes of that word one by one.

#include <cstdint>
#include <cstring>

namespace canopy::gateway::byte_words {

inline constexpr std::uint64_t ones = 0x0101010101010101ull;
inline constexpr std::uint64_t highs = 0x8080808080808080ull;

// The eight bytes at `at`.
inline std::uint64_t load(const char* at) noexcept {
  std::uint64_t word;
  std::memcpy(&word, at, sizeof word);
  return word;
}

// Some byte of `word` is below `bound` (at most 0x80).
constexpr bool has_byte_below(std::uint64_t word, std::uint64_t bound) noexcept {
  return ((word - ones * bound) & ~word & highs) != 0;
}

// Some byte of `word` is `value`.
constexpr bool has_byte(std::uint64_t word, unsigned char value) noexcept {
  return has_byte_below(word ^ (ones * value), 1);
}

}  // namespace canopy::gateway::byte_words
