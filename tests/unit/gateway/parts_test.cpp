#include "gateway/fanout/parts.hpp"

#include <gtest/gtest.h>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>

namespace canopy::gateway {
namespace {

namespace json = boost::json;

config::AggregateBackend backend(std::string upstream, std::string key) {
  config::AggregateBackend b;
  b.upstream = std::move(upstream);
  b.key = std::move(key);
  return b;
}

BackendReply answered(unsigned status, std::string body) {
  BackendReply reply;
  reply.status = status;
  reply.body = std::move(body);
  return reply;
}

TEST(Parts, SettledJsonLivesInTheGivenStorage) {
  json::monotonic_resource arena;
  const json::storage_ptr storage(&arena);
  const Part part = settle(answered(200, R"({"id": 7, "tags": ["a", "b"]})"), storage);
  ASSERT_EQ(part.state, PartState::done);
  EXPECT_EQ(part.value.storage().get(), storage.get());
  EXPECT_EQ(part.value.at("tags").storage().get(), storage.get());
}

TEST(Parts, AReplyThatIsNotJsonOrNot2xxFailsWithItsReason) {
  json::monotonic_resource arena;
  const json::storage_ptr storage(&arena);
  EXPECT_EQ(settle(answered(200, "{not json"), storage).reason, "not_json");
  EXPECT_EQ(settle(answered(503, "{}"), storage).reason, "status");
}

TEST(Parts, MergeMovesKeyedAndRootPartsIntoOneAnswerAndListsTheMissing) {
  json::monotonic_resource arena;
  const json::storage_ptr storage(&arena);
  config::AggregateConfig config;
  config.errors_in_body = true;
  config.backends = {backend("users", "user"), backend("flags", ""), backend("orders", "orders")};
  std::vector<Part> parts;
  parts.push_back(settle(answered(200, R"({"name": "ada"})"), storage));
  parts.push_back(settle(answered(200, R"({"beta": true, "dark": false})"), storage));
  parts.push_back(settle(answered(502, "bad gateway"), storage));

  const json::object merged = merge_parts(config, parts, storage);

  EXPECT_EQ(json::serialize(merged),
            R"({"user":{"name":"ada"},"beta":true,"dark":false,"canopy_errors":{"orders":{"status":502,"reason":"status"}}})");
  EXPECT_EQ(merged.at("user").storage().get(), storage.get());
  // Moved within one storage, an object leaves an empty one behind; a copy would leave it whole.
  EXPECT_TRUE(parts[0].value.as_object().empty()) << "the part's value was copied, not moved";
}

}  // namespace
}  // namespace canopy::gateway
