#include "core/cancelled.hpp"
#include "core/error_group.hpp"

namespace canopy::core {

bool is_cancellation(const std::exception_ptr& error) noexcept {
  if (!error) return false;
  try {
    std::rethrow_exception(error);
  } catch (const boost::system::system_error& e) {
    return e.code() == boost::asio::error::operation_aborted;
  } catch (...) {
    return false;
  }
}

std::string describe(const std::exception_ptr& error) {
  if (!error) return "no error";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

namespace {
std::string group_message(const std::string& scope_name, const std::vector<std::exception_ptr>& errors) {
  std::string message = std::to_string(errors.size()) + " tasks failed in '" + scope_name + "'";
  if (!errors.empty()) message += "; first: " + describe(errors.front());
  return message;
}
}  // namespace

ErrorGroup::ErrorGroup(const std::string& scope_name, std::vector<std::exception_ptr> errors)
    : std::runtime_error(group_message(scope_name, errors)), errors_(std::move(errors)) {}

}  // namespace canopy::core
