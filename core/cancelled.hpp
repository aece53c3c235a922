#pragma once
// The exception that carries a cancellation out of a scope that did not cause it.
//
// Asio reports a cancelled operation as system_error(operation_aborted); Cancelled
// is that same error with the reason attached, so `catch (system_error&)` code
// written for plain Asio keeps working and Canopy code can ask for the reason.

#include <exception>

#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

#include "core/cancel_reason.hpp"

namespace canopy::core {

class Cancelled : public boost::system::system_error {
 public:
  explicit Cancelled(CancelReason reason)
      : boost::system::system_error(boost::asio::error::operation_aborted,
                                    std::string("cancelled: ").append(to_string(reason))),
        reason_(reason) {}

  CancelReason reason() const noexcept { return reason_; }

 private:
  CancelReason reason_;
};

// True for Cancelled and for Asio's operation_aborted: both mean "stopped on request".
bool is_cancellation(const std::exception_ptr& error) noexcept;

}  // namespace canopy::core
