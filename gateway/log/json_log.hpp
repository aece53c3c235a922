#pragma once
// Logs are one JSON object per line: access lines on stdout, events on stderr.

#include <boost/json/object.hpp>
#include <string_view>

#include "gateway/server/exchange.hpp"

namespace canopy::gateway {

void log_event(std::string_view level, std::string_view event, boost::json::object fields);
void log_access(const Exchange& exchange);

}  // namespace canopy::gateway
