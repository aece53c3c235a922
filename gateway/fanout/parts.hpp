#pragma once
// What each backend of an aggregate gave, and the one JSON answer made of them.

#include <boost/json/object.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "gateway/fanout/backend_call.hpp"

namespace canopy::gateway {

enum class PartState { pending, done, failed, cancelled };

struct Part {
  PartState state = PartState::pending;
  boost::json::value value;
  unsigned status = 0;
  // Why it is missing: deadline, cancelled, upstream_error, status, not_json,
  // too_large, missing_field (a sequential step lacked its input), dependency_failed.
  std::string reason;
};

// A backend's reply judged: done with its JSON (kept in `storage`), or failed with a reason.
Part settle(const BackendReply& reply, const boost::json::storage_ptr& storage);

// Where a backend's JSON goes and how it is named in errors: its key, or its upstream.
std::string label_of(const config::AggregateBackend& backend);

// The merged answer: every done part under its key (or merged into the root),
// and "canopy_errors" for the missing ones when errors_in_body is set. Takes
// the parts' values (moved, not copied, when they live in `storage`).
boost::json::object merge_parts(const config::AggregateConfig& config, std::vector<Part>& parts,
                                const boost::json::storage_ptr& storage);

}  // namespace canopy::gateway
