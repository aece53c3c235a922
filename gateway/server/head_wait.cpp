#include "gateway/server/head_wait.hpp"

#include <boost/system/error_code.hpp>

namespace canopy::gateway {

HeadWait::HeadWait(core::DeadlineQueue& deadlines, TcpSocket& socket, core::Clock::time_point deadline)
    : core::DeadlineQueue::Entry(&HeadWait::on_due), socket_(socket) {
  deadlines.add(*this, deadline);
}

void HeadWait::on_due(core::DeadlineQueue::Entry& entry) noexcept {
  auto& wait = static_cast<HeadWait&>(entry);
  wait.expired_ = true;
  boost::system::error_code ignored;
  wait.socket_.cancel(ignored);  // the head's read ends with operation_aborted
}

}  // namespace canopy::gateway
