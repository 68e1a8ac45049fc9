// Tests for the transport-neutral request helpers: headers, query strings, percent-decoding.
#include "http/message.h"

#include <gtest/gtest.h>

namespace leadline::http {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(Message, MethodNames) {
  EXPECT_STREQ(MethodName(Method::kGet), "GET");
  EXPECT_STREQ(MethodName(Method::kPost), "POST");
  EXPECT_STREQ(MethodName(Method::kPut), "PUT");
  EXPECT_STREQ(MethodName(Method::kPatch), "PATCH");
  EXPECT_STREQ(MethodName(Method::kDelete), "DELETE");
  EXPECT_STREQ(MethodName(Method::kHead), "HEAD");
  EXPECT_STREQ(MethodName(Method::kOptions), "OPTIONS");
  EXPECT_STREQ(MethodName(Method::kOther), "OTHER");
}

TEST(Message, HeaderLookupIsCaseInsensitiveAndReturnsFirst) {
  Headers h;
  h.Add("Content-Type", "application/json");
  h.Add("X-Tag", "one");
  h.Add("x-tag", "two");
  EXPECT_EQ(h.Get("content-type"), "application/json");
  EXPECT_EQ(h.Get("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(h.Get("X-TAG"), "one");
  EXPECT_FALSE(h.Get("Content-Length").has_value());
  EXPECT_FALSE(h.Get("Content-Typ").has_value());
  EXPECT_EQ(h.items().size(), 3u);
}

TEST(Message, QueryParamLookup) {
  Request r;
  r.query = {{"tag", "a"}, {"status", "new"}, {"tag", "b"}, {"empty", ""}};
  EXPECT_EQ(r.QueryParam("tag"), "a");
  EXPECT_EQ(r.QueryParam("status"), "new");
  EXPECT_EQ(r.QueryParam("empty"), "");
  EXPECT_FALSE(r.QueryParam("missing").has_value());
  EXPECT_FALSE(r.QueryParam("TAG").has_value());  // keys are case-sensitive
  auto tags = r.QueryParams("tag");
  ASSERT_EQ(tags.size(), 2u);
  EXPECT_EQ(tags[0], "a");
  EXPECT_EQ(tags[1], "b");
  EXPECT_TRUE(r.QueryParams("missing").empty());
}

TEST(Message, ParseQueryStringDecodes) {
  EXPECT_EQ(ParseQueryString("a=1&b=%20x"), (Pairs{{"a", "1"}, {"b", " x"}}));
  EXPECT_EQ(ParseQueryString("q=John+Smith&e=a%2Bb%40c.com"),
            (Pairs{{"q", "John Smith"}, {"e", "a+b@c.com"}}));
  EXPECT_EQ(ParseQueryString("tag=x&tag=y"), (Pairs{{"tag", "x"}, {"tag", "y"}}));
  EXPECT_EQ(ParseQueryString("k%20ey=v%3Dw"), (Pairs{{"k ey", "v=w"}}));
  EXPECT_EQ(ParseQueryString("a=b=c"), (Pairs{{"a", "b=c"}}));
  EXPECT_EQ(ParseQueryString("name=%C3%A9"), (Pairs{{"name", "\xC3\xA9"}}));
}

TEST(Message, ParseQueryStringEdgeCases) {
  EXPECT_TRUE(ParseQueryString("").empty());
  EXPECT_TRUE(ParseQueryString("&&").empty());
  EXPECT_EQ(ParseQueryString("flag"), (Pairs{{"flag", ""}}));
  EXPECT_EQ(ParseQueryString("a=&b"), (Pairs{{"a", ""}, {"b", ""}}));
  EXPECT_EQ(ParseQueryString("a=1&&b=2&"), (Pairs{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(ParseQueryString("=v"), (Pairs{{"", "v"}}));
}

TEST(Message, ParseQueryStringKeepsInvalidEscapesRaw) {
  EXPECT_EQ(ParseQueryString("a=100%&b=%zz%41"), (Pairs{{"a", "100%"}, {"b", "%zzA"}}));
  EXPECT_EQ(ParseQueryString("a=%4"), (Pairs{{"a", "%4"}}));
}

TEST(Message, PercentDecode) {
  EXPECT_EQ(PercentDecode("/api/leads/a%20b", false), "/api/leads/a b");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("%2f%2F", false), "//");
  EXPECT_EQ(PercentDecode("", false), "");
  EXPECT_EQ(PercentDecode("%00", false), std::string(1, '\0'));
}

TEST(Message, PercentDecodeRejectsMalformedEscapes) {
  EXPECT_FALSE(PercentDecode("%", false).has_value());
  EXPECT_FALSE(PercentDecode("abc%2", false).has_value());
  EXPECT_FALSE(PercentDecode("%g0", false).has_value());
  EXPECT_FALSE(PercentDecode("ok%zzok", true).has_value());
}

}  // namespace
}  // namespace leadline::http
