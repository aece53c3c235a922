#pragma once
// Several tasks of one nursery failed. The nursery rethrows a single failure as
// itself (so callers catch the type they expect); only when two or more tasks
// failed does it throw an ErrorGroup, which keeps every error in the order the
// tasks failed. first() is the one that cancelled the others.

#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

namespace canopy::core {

class ErrorGroup : public std::runtime_error {
 public:
  ErrorGroup(const std::string& scope_name, std::vector<std::exception_ptr> errors);

  const std::vector<std::exception_ptr>& errors() const noexcept { return errors_; }
  const std::exception_ptr& first() const noexcept { return errors_.front(); }

 private:
  std::vector<std::exception_ptr> errors_;
};

// The message of an exception_ptr, for logs: what() or "unknown exception".
std::string describe(const std::exception_ptr& error);

}  // namespace canopy::core
