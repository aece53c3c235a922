#include "gateway/fanout/parts.hpp"

#include <boost/json/parse.hpp>

namespace canopy::gateway {

namespace json = boost::json;

std::string label_of(const config::AggregateBackend& backend) { return backend.key.empty() ? backend.upstream : backend.key; }

Part settle(const BackendReply& reply, const json::storage_ptr& storage) {
  Part part{.value = json::value(storage)};  // a value keeps its storage when assigned to
  part.status = reply.status;
  if (reply.outcome == BackendOutcome::upstream_error) {
    part.state = PartState::failed;
    part.reason = "upstream_error";
    part.status = status_for(reply.error);
    return part;
  }
  if (reply.outcome == BackendOutcome::too_large) {
    part.state = PartState::failed;
    part.reason = "too_large";
    return part;
  }
  if (reply.status < 200 || reply.status > 299) {
    part.state = PartState::failed;
    part.reason = "status";
    return part;
  }
  boost::system::error_code ec;
  part.value = json::parse(reply.body, ec, storage);
  part.state = ec ? PartState::failed : PartState::done;
  if (ec) part.reason = "not_json";
  return part;
}

json::object merge_parts(const config::AggregateConfig& config, std::vector<Part>& parts,
                         const json::storage_ptr& storage) {
  json::object merged(storage), errors(storage);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& backend = config.backends[i];
    if (parts[i].state != PartState::done) {
      errors[label_of(backend)] = json::object{{"status", parts[i].status}, {"reason", parts[i].reason}};
    } else if (backend.key.empty() && parts[i].value.is_object()) {
      for (auto& [k, v] : parts[i].value.as_object()) merged[k] = std::move(v);
    } else {
      merged[label_of(backend)] = std::move(parts[i].value);
    }
  }
  if (config.errors_in_body && !errors.empty()) merged["canopy_errors"] = std::move(errors);
  return merged;
}

}  // namespace canopy::gateway
