#include "gateway/fanout/parts.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <limits>

#include "gateway/log/json_text.hpp"

namespace canopy::gateway {

namespace json = boost::json;
using boost::system::error_code;

namespace {

// A Boost.JSON parser handler that accepts any document and builds nothing.
struct JsonChecker {
  static constexpr std::size_t max_object_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_array_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_key_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_string_size = std::numeric_limits<std::size_t>::max();
  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) { return true; }
  bool on_object_end(std::size_t, error_code&) { return true; }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(std::size_t, error_code&) { return true; }
  bool on_key_part(json::string_view, std::size_t, error_code&) { return true; }
  bool on_key(json::string_view, std::size_t, error_code&) { return true; }
  bool on_string_part(json::string_view, std::size_t, error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, error_code&) { return true; }
  bool on_number_part(json::string_view, error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, error_code&) { return true; }
  bool on_uint64(std::uint64_t, json::string_view, error_code&) { return true; }
  bool on_double(double, json::string_view, error_code&) { return true; }
  bool on_bool(bool, error_code&) { return true; }
  bool on_null(error_code&) { return true; }
  bool on_comment_part(json::string_view, error_code&) { return true; }
  bool on_comment(json::string_view, error_code&) { return true; }
};

bool is_json(std::string_view text) {
  json::basic_parser<JsonChecker> checker{json::parse_options{}};
  error_code ec;
  const auto used = checker.write_some(false, text.data(), text.size(), ec);
  return !ec && used == text.size();
}

// The answer as one document: parts merged into the root override keys as they come.
json::object merged_document(const config::AggregateConfig& config, std::vector<Part>& parts, json::object errors,
                             const json::storage_ptr& storage) {
  json::object merged(storage);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].state != PartState::done) continue;
    const auto& backend = config.backends[i];
    auto& value = parts[i].value;
    if (value.is_null()) value = json::parse(parts[i].text, storage);  // checked when settled
    if (backend.key.empty() && value.is_object()) {
      for (auto& [k, v] : value.as_object()) merged[k] = std::move(v);
    } else {
      merged[label_of(backend)] = std::move(value);
    }
  }
  if (!errors.empty()) merged["canopy_errors"] = std::move(errors);
  return merged;
}

}  // namespace

bool needs_document(const config::AggregateConfig& config, std::size_t i) {
  if (config.backends[i].key.empty()) return true;
  for (const auto& backend : config.backends) {
    if (backend.after == i) return true;
  }
  return false;
}

std::string label_of(const config::AggregateBackend& backend) { return backend.key.empty() ? backend.upstream : backend.key; }

Part settle(BackendReply&& reply, const json::storage_ptr& storage, bool keep_document) {
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
  bool valid = false;
  if (keep_document) {
    error_code ec;
    part.value = json::parse(reply.body, ec, storage);
    valid = !ec;
  } else {
    valid = is_json(reply.body);
  }
  part.state = valid ? PartState::done : PartState::failed;
  if (valid) part.text = std::move(reply.body);
  else part.reason = "not_json";
  return part;
}

std::string merged_answer(const config::AggregateConfig& config, std::vector<Part>& parts,
                          const json::storage_ptr& storage) {
  json::object errors(storage);
  bool all_keyed = true;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& backend = config.backends[i];
    if (parts[i].state != PartState::done) {
      if (config.errors_in_body) {
        errors[label_of(backend)] = json::object{{"status", parts[i].status}, {"reason", parts[i].reason}};
      }
    } else if (backend.key.empty() || backend.key == "canopy_errors") {
      all_keyed = false;
    }
  }
  if (!all_keyed) return json::serialize(merged_document(config, parts, std::move(errors), storage));

  // Every part under a key of its own (keys are unique): the parts' text goes in as it came.
  std::string answer = "{";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].state != PartState::done) continue;
    if (answer.size() > 1) answer += ',';
    answer += '"';
    append_json_escaped(answer, config.backends[i].key);
    answer += "\":";
    answer += parts[i].text;
  }
  if (!errors.empty()) {
    if (answer.size() > 1) answer += ',';
    answer += "\"canopy_errors\":";
    answer += json::serialize(errors);
  }
  answer += '}';
  return answer;
}

}  // namespace canopy::gateway
