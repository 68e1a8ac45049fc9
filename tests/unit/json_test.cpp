// Tests for json::Parse (types, number precision, error reasons, depth) and json::Writer
// (escaping, UTF-8 repair, number formatting).
#include "http/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace leadline::json {
namespace {

Value MustParse(std::string_view text) {
  auto r = Parse(text);
  EXPECT_TRUE(r.ok()) << text << " -> " << r.status().ToString();
  return r.ok() ? std::move(r).value() : Value();
}

std::string ParseError(std::string_view text) {
  auto r = Parse(text);
  EXPECT_FALSE(r.ok()) << text;
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(JsonParse, Scalars) {
  EXPECT_TRUE(MustParse("null").is_null());
  EXPECT_TRUE(MustParse("true").as_bool());
  EXPECT_FALSE(MustParse(" false ").as_bool());
  EXPECT_EQ(MustParse(R"("hi")").as_string(), "hi");
}

TEST(JsonParse, ObjectKeepsMemberOrderAndFinds) {
  Value v = MustParse(R"({"b": 1, "a": [true, null, "x"], "c": {"d": "e"}})");
  ASSERT_TRUE(v.is_object());
  ASSERT_EQ(v.members().size(), 3u);
  EXPECT_EQ(v.members()[0].first, "b");
  EXPECT_EQ(v.members()[1].first, "a");
  const Value* a = v.Find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(a->is_array());
  ASSERT_EQ(a->items().size(), 3u);
  EXPECT_TRUE(a->items()[1].is_null());
  EXPECT_EQ(v.Find("c")->Find("d")->as_string(), "e");
  EXPECT_EQ(v.Find("missing"), nullptr);
  EXPECT_EQ(a->Find("a"), nullptr);  // not an object
}

TEST(JsonParse, AMemberNamedTwiceIsRefused) {
  for (const char* text : {R"({"a": 1, "a": 2})", R"({"x": {"b": 1, "c": 2, "b": 3}})",
                           R"([{"k": 1}, {"k": 1, "k": 1}])"}) {
    auto r = Parse(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("twice"), std::string::npos) << r.status().message();
  }
  std::string wide = "{";
  for (int i = 0; i < 40; ++i) wide += "\"m" + std::to_string(i) + "\": " + std::to_string(i) + ",";
  EXPECT_TRUE(Parse(wide + "\"last\": 0}").ok());
  EXPECT_FALSE(Parse(wide + "\"m7\": 0}").ok());
  // The same name in different objects is fine.
  EXPECT_TRUE(Parse(R"({"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]})").ok());
}

TEST(JsonParse, IntegersAreExact) {
  // 2^53 + 1 is not representable as a double.
  Value v = MustParse("9007199254740993");
  ASSERT_TRUE(v.is_integer());
  EXPECT_EQ(v.as_int(), 9007199254740993LL);
  EXPECT_EQ(MustParse("-9223372036854775808").as_int(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(MustParse("9223372036854775807").as_int(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(MustParse("-5").as_int(), -5);
  EXPECT_DOUBLE_EQ(MustParse("42").as_double(), 42.0);
}

TEST(JsonParse, LargeAndFractionalNumbersAreDoubles) {
  Value big = MustParse("18446744073709551615");  // UINT64_MAX
  ASSERT_TRUE(big.is_number());
  EXPECT_FALSE(big.is_integer());
  EXPECT_DOUBLE_EQ(big.as_double(), 18446744073709551615.0);

  Value frac = MustParse("1.5");
  EXPECT_FALSE(frac.is_integer());
  EXPECT_DOUBLE_EQ(frac.as_double(), 1.5);
  EXPECT_FALSE(MustParse("1.0").is_integer());
  EXPECT_DOUBLE_EQ(MustParse("2e3").as_double(), 2000.0);
}

TEST(JsonParse, IntegersBeyond64BitsBecomeDoubles) {
  Value v = MustParse("123456789012345678901234567890");
  ASSERT_TRUE(v.is_number());
  EXPECT_FALSE(v.is_integer());
  EXPECT_DOUBLE_EQ(v.as_double(), 1.2345678901234568e29);
  EXPECT_DOUBLE_EQ(MustParse("-9223372036854775809").as_double(), -9223372036854775809.0);

  // Neighbours that do fit stay exact, and digits inside strings are left alone.
  Value doc = MustParse(
      R"({"big":[-123456789012345678901,"123456789012345678901"],"max":9223372036854775807})");
  const Value& big = *doc.Find("big");
  EXPECT_FALSE(big.items()[0].is_integer());
  EXPECT_DOUBLE_EQ(big.items()[0].as_double(), -1.2345678901234568e20);
  EXPECT_EQ(big.items()[1].as_string(), "123456789012345678901");
  EXPECT_TRUE(doc.Find("max")->is_integer());
  EXPECT_EQ(doc.Find("max")->as_int(), std::numeric_limits<int64_t>::max());

  // Out of double range is still an error.
  ParseError("1e400");
}

TEST(JsonParse, StringEscapesAndUnicode) {
  EXPECT_EQ(MustParse(R"("a\"b\\c\/d\n\t")").as_string(), "a\"b\\c/d\n\t");
  EXPECT_EQ(MustParse(R"("\u00e9\ud83d\ude00")").as_string(), "\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_EQ(MustParse("\"caf\xC3\xA9\"").as_string(), "caf\xC3\xA9");
}

TEST(JsonParse, SyntaxErrorsAreInvalidArgument) {
  EXPECT_EQ(ParseError("").rfind("malformed JSON", 0), 0u);
  EXPECT_EQ(ParseError("{").rfind("malformed JSON", 0), 0u);
  EXPECT_EQ(ParseError(R"({"a":})").rfind("malformed JSON", 0), 0u);
  EXPECT_EQ(ParseError("[1,]").rfind("malformed JSON", 0), 0u);
  EXPECT_EQ(ParseError("tru").rfind("malformed JSON", 0), 0u);
  EXPECT_EQ(ParseError(R"("unterminated)").rfind("malformed JSON", 0), 0u);
  EXPECT_EQ(ParseError("01").rfind("malformed JSON", 0), 0u);
}

TEST(JsonParse, TrailingContentIsRejected) {
  ParseError("{} {}");
  ParseError("1 2");
  ParseError("[1] x");
}

TEST(JsonParse, InvalidUtf8IsRejected) {
  EXPECT_EQ(ParseError("\"\xFF\""), "invalid UTF-8");
  EXPECT_EQ(ParseError("\"\xC3\""), "invalid UTF-8");
}

TEST(JsonParse, DepthLimitIs64) {
  Value v = MustParse(Nested(64));
  EXPECT_TRUE(v.is_array());
  EXPECT_NE(ParseError(Nested(65)).find("deeper than 64"), std::string::npos);
  EXPECT_NE(ParseError(Nested(5000)).find("deeper than 64"), std::string::npos);
  std::string objects;
  for (int i = 0; i < 65; ++i) objects += R"({"a":)";
  objects += "1" + std::string(65, '}');
  ParseError(objects);
}

TEST(JsonWriter, ObjectsArraysAndCommas) {
  Writer w;
  w.BeginObject();
  w.Key("a").Int(1);
  w.Key("b").BeginArray().Int(1).String("x").Null().Bool(true).BeginObject().EndObject().EndArray();
  w.Key("c").BeginArray().EndArray();
  w.Field("d", "e");
  w.OptionalField("f", std::nullopt);
  w.OptionalField("g", std::string("h"));
  w.Key("raw").Raw(R"({"x":[1,2]})");
  w.EndObject();
  EXPECT_EQ(
      w.str(),
      R"({"a":1,"b":[1,"x",null,true,{}],"c":[],"d":"e","f":null,"g":"h","raw":{"x":[1,2]}})");
}

TEST(JsonWriter, TopLevelScalarsAndRawInArrays) {
  Writer w;
  w.BeginArray().Raw("1").Raw("[2]").Int(-3).EndArray();
  EXPECT_EQ(w.Take(), "[1,[2],-3]");
  Writer s;
  s.String("x");
  EXPECT_EQ(s.str(), R"("x")");
}

TEST(JsonWriter, EscapesQuotesBackslashesAndControls) {
  std::string out;
  AppendQuoted(out, std::string("q\"b\\s/\n\r\t\b\f\x01\x1f", 13));
  EXPECT_EQ(out, R"("q\"b\\s/\n\r\t\b\f\u0001\u001f")");
  out.clear();
  AppendQuoted(out, std::string("a\0b", 3));
  EXPECT_EQ(out, R"("a\u0000b")");
}

TEST(JsonWriter, KeepsValidUtf8) {
  std::string out;
  AppendQuoted(out, "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF");
  EXPECT_EQ(out, "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF\"");
}

TEST(JsonWriter, ReplacesInvalidUtf8WithReplacementCharacter) {
  const std::string kFffd = "\xEF\xBF\xBD";
  auto quoted = [](std::string_view s) {
    std::string out;
    AppendQuoted(out, s);
    return out;
  };
  EXPECT_EQ(quoted("a\xFF"
                   "b"),
            "\"a" + kFffd + "b\"");
  EXPECT_EQ(quoted("\xC3"), "\"" + kFffd + "\"");  // truncated at end
  EXPECT_EQ(quoted("\xE2\x82"
                   "x"),
            "\"" + kFffd + "x\"");                             // one per maximal subpart
  EXPECT_EQ(quoted("\xC0\xAF"), "\"" + kFffd + kFffd + "\"");  // overlong
  EXPECT_EQ(quoted("\xED\xA0\x80"), "\"" + kFffd + kFffd + kFffd + "\"");  // surrogate
  EXPECT_EQ(quoted("\xF4\x90\x80\x80"), "\"" + kFffd + kFffd + kFffd + kFffd + "\"");
  EXPECT_EQ(quoted("\x80"), "\"" + kFffd + "\"");

  // The output always parses back.
  Writer w;
  w.String("bad \xFE\xC3( utf8");
  EXPECT_TRUE(Parse(w.str()).ok());
}

TEST(JsonWriter, DoublesUseShortestRoundTripAndNonFiniteIsNull) {
  auto dbl = [](double d) {
    Writer w;
    w.Double(d);
    return w.Take();
  };
  EXPECT_EQ(dbl(0.1), "0.1");
  EXPECT_EQ(dbl(1.5), "1.5");
  EXPECT_EQ(dbl(-2.25), "-2.25");
  EXPECT_EQ(dbl(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(dbl(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(dbl(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(dbl(-std::numeric_limits<double>::infinity()), "null");
  for (double d : {0.1, 1e300, 5e-324, 123456.789, -1e-7, 1e21}) {
    auto back = Parse(dbl(d));
    ASSERT_TRUE(back.ok()) << dbl(d);
    EXPECT_EQ(back->as_double(), d);
  }
}

TEST(JsonWriter, IntExtremes) {
  Writer w;
  w.BeginArray()
      .Int(std::numeric_limits<int64_t>::min())
      .Int(std::numeric_limits<int64_t>::max())
      .Int(0)
      .EndArray();
  EXPECT_EQ(w.str(), "[-9223372036854775808,9223372036854775807,0]");
}

TEST(JsonSerialize, RoundTrips) {
  const std::string text =
      R"({"id":"x","n":9007199254740993,"f":1.5,"big":1.8446744073709552e+19,)"
      R"("t":true,"z":null,"a":[1,"two",{"k":[]}],"s":"line\nbreak \"q\" \u0001"})";
  Value v = MustParse(text);
  EXPECT_EQ(Serialize(v), text);
  EXPECT_EQ(Serialize(MustParse(Serialize(v))), text);
}

TEST(JsonSerialize, BuiltValues) {
  Value v = Value::Object({{"a", Value::Array({Value::Number(2.5, false, 0), Value::Null()})},
                           {"b", Value::Number(7, true, 7)},
                           {"c", Value::String("x")},
                           {"d", Value::Bool(false)}});
  EXPECT_EQ(Serialize(v), R"({"a":[2.5,null],"b":7,"c":"x","d":false})");
}

}  // namespace
}  // namespace leadline::json
