#pragma once
// What each backend of an aggregate gave, and the one JSON answer made of them.

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
  // The parsed JSON, for a part that is kept as a document (needs_document()).
  boost::json::value value;
  unsigned status = 0;
  // Why it is missing: deadline, cancelled, upstream_error, status, not_json,
  // too_large, missing_field (a sequential step lacked its input), dependency_failed.
  std::string reason;
  // A done part's JSON as the backend sent it.
  std::string text;
};

// Whether backend i's JSON must be parsed into a document: merged into the
// root (no key), or read by a later sequential step. Any other part goes into
// the answer as the backend wrote it, checked but not rebuilt — cheaper, and
// numbers keep their digits (a document holds a large integer as a double).
bool needs_document(const config::AggregateConfig& config, std::size_t i);

// A backend's reply judged: done with its JSON (its text, and its document in
// `storage` when `keep_document`), or failed with a reason. Takes the body.
Part settle(BackendReply&& reply, const boost::json::storage_ptr& storage, bool keep_document);

// Where a backend's JSON goes and how it is named in errors: its key, or its upstream.
std::string label_of(const config::AggregateBackend& backend);

// The merged answer: every done part under its key (or merged into the root),
// and "canopy_errors" for the missing ones when errors_in_body is set. Takes
// the parts' JSON (documents moved within `storage`, not copied).
std::string merged_answer(const config::AggregateConfig& config, std::vector<Part>& parts,
                          const boost::json::storage_ptr& storage);

}  // namespace canopy::gateway
