#include "gateway/fanout/parts.hpp"

#include <gtest/gtest.h>

#include <boost/json/monotonic_resource.hpp>

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

class Parts : public ::testing::Test {
 protected:
  json::monotonic_resource arena_;
  const json::storage_ptr storage_{&arena_};
};

TEST_F(Parts, ADocumentLivesInTheGivenStorage) {
  const Part part = settle(answered(200, R"({"id": 7, "tags": ["a", "b"]})"), storage_, true);
  ASSERT_EQ(part.state, PartState::done);
  EXPECT_EQ(part.value.storage().get(), storage_.get());
  EXPECT_EQ(part.value.at("tags").storage().get(), storage_.get());
}

TEST_F(Parts, APartNotNeededAsADocumentIsCheckedAndKeptAsItsText) {
  const std::string body = "{\"id\": 12345678901234567890123, \"price\": 1.10}\n";
  const Part part = settle(answered(200, body), storage_, false);
  ASSERT_EQ(part.state, PartState::done);
  EXPECT_EQ(part.text, body);
  EXPECT_TRUE(part.value.is_null());
}

TEST_F(Parts, AReplyThatIsNotJsonOrNot2xxFailsWithItsReason) {
  for (bool keep_document : {true, false}) {
    EXPECT_EQ(settle(answered(200, "{not json"), storage_, keep_document).reason, "not_json");
    EXPECT_EQ(settle(answered(200, "{} trailing"), storage_, keep_document).reason, "not_json");
    EXPECT_EQ(settle(answered(200, ""), storage_, keep_document).reason, "not_json");
    EXPECT_EQ(settle(answered(503, "{}"), storage_, keep_document).reason, "status");
  }
}

TEST_F(Parts, KeyedPartsGoIntoTheAnswerAsTheBackendWroteThem) {
  config::AggregateConfig config;
  config.errors_in_body = true;
  config.backends = {backend("users", "user"), backend("orders", "orders"), backend("stock", "stock")};
  std::vector<Part> parts;
  parts.push_back(settle(answered(200, R"({"id": 12345678901234567890123, "price": 1.10})"), storage_, false));
  parts.push_back(settle(answered(200, "[1, 2]"), storage_, false));
  parts.push_back(settle(answered(502, "bad gateway"), storage_, false));

  EXPECT_EQ(merged_answer(config, parts, storage_),
            R"({"user":{"id": 12345678901234567890123, "price": 1.10},"orders":[1, 2],)"
            R"("canopy_errors":{"stock":{"status":502,"reason":"status"}}})");
}

TEST_F(Parts, PartsWithoutAKeyMergeIntoTheRootAndAreMovedNotCopied) {
  config::AggregateConfig config;
  config.backends = {backend("users", "user"), backend("flags", ""), backend("more", "")};
  std::vector<Part> parts;
  parts.push_back(settle(answered(200, R"({"name": "ada"})"), storage_, needs_document(config, 0)));
  parts.push_back(settle(answered(200, R"({"beta": {"on": true}, "dark": false})"), storage_, needs_document(config, 1)));
  parts.push_back(settle(answered(200, R"({"dark": true})"), storage_, needs_document(config, 2)));

  EXPECT_EQ(merged_answer(config, parts, storage_), R"({"user":{"name":"ada"},"beta":{"on":true},"dark":true})");
  // Moved within one storage, an object leaves an empty one behind; a copy would leave it whole.
  EXPECT_TRUE(parts[1].value.at("beta").as_object().empty()) << "the part's document was copied, not moved";
}

TEST_F(Parts, APartIsADocumentWhenItHasNoKeyOrALaterStepReadsIt) {
  config::AggregateConfig config;
  config.backends = {backend("users", "user"), backend("orders", "orders"), backend("flags", "")};
  config.backends[1].after = 0;
  EXPECT_TRUE(needs_document(config, 0));
  EXPECT_FALSE(needs_document(config, 1));
  EXPECT_TRUE(needs_document(config, 2));
}

}  // namespace
}  // namespace canopy::gateway
