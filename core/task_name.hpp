#pragma once
// A task's or nursery's name, held inline: starting a task allocates nothing
// for it. Names longer than `capacity` are cut (they label /debug/tasks and
// errors; they are never looked up).

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

namespace canopy::core {

class TaskName {
 public:
  static constexpr std::size_t capacity = 39;

  TaskName(std::string_view name) noexcept : size_(static_cast<unsigned char>(std::min(name.size(), capacity))) {
    std::copy_n(name.data(), size_, text_.data());
  }
  TaskName(const char* name) noexcept : TaskName(std::string_view(name)) {}
  TaskName(const std::string& name) noexcept : TaskName(std::string_view(name)) {}

  std::string_view view() const noexcept { return {text_.data(), size_}; }
  std::string str() const { return std::string(view()); }

 private:
  std::array<char, capacity> text_;
  unsigned char size_;
};

// Passed by value into coroutines: trivially copyable, so GCC 12's bitwise
// relocation of coroutine arguments is harmless.
static_assert(std::is_trivially_copyable_v<TaskName>);

}  // namespace canopy::core
