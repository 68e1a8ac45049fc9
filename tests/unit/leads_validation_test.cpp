// Pure parts of the leads module: input normalisation, list parameters, cursors, If-Match,
// search patterns, CSV quoting and array literals.
#include <gtest/gtest.h>

#include "core/csv.h"
#include "core/uuid.h"
#include "leads/lead.h"
#include "leads/lead_repository.h"
#include "leads/lead_validation.h"

namespace leadline::leads {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

std::vector<std::string> Fields(const Status& st) {
  std::vector<std::string> out;
  for (const auto& fe : st.field_errors()) out.push_back(fe.field);
  return out;
}

TEST(LeadInput, NormalisesPhoneEmailNamesAndTags) {
  LeadInput in;
  in.phone.Set("(206) 555-0100");
  in.email.Set("  Jane.Doe@Example.COM ");
  in.first_name.Set("  Jane ");
  in.last_name.Set("   ");
  in.tags.Set({" vip ", "vip", "hot"});
  auto out = NormalizeLeadInput(in, "US", true);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out->phone.value, "+12065550100");
  EXPECT_EQ(*out->email.value, "jane.doe@example.com");
  EXPECT_EQ(*out->first_name.value, "Jane");
  EXPECT_TRUE(out->last_name.present);
  EXPECT_FALSE(out->last_name.value.has_value()) << "blank clears";
  EXPECT_EQ(*out->tags.value, (std::vector<std::string>{"vip", "hot"}));
}

TEST(LeadInput, NationalNumbersUseTheRegion) {
  LeadInput in;
  in.phone.Set("020 7946 0958");
  auto gb = NormalizeLeadInput(in, "GB", true);
  ASSERT_TRUE(gb.ok()) << gb.status().ToString();
  EXPECT_EQ(*gb->phone.value, "+442079460958");
}

TEST(LeadInput, EveryBadFieldIsNamed) {
  LeadInput in;
  in.phone.Set("not a phone");
  in.email.Set("nope");
  in.status.Set("won");
  in.lead_score.Set(101);
  in.first_name.Set(std::string(201, 'a'));
  in.tags.Set({std::string(51, 't')});
  in.assigned_to.Set("bob");
  in.timezone.Set("Not a zone!");
  auto out = NormalizeLeadInput(in, "US", true);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kValidationFailed);
  auto f = Fields(out.status());
  for (const char* name : {"phone", "email", "status", "lead_score", "first_name", "tags",
                           "assigned_to", "timezone"}) {
    EXPECT_NE(std::find(f.begin(), f.end(), name), f.end()) << name;
  }
}

TEST(LeadInput, CreateNeedsPhoneOrEmail) {
  LeadInput in;
  in.first_name.Set("Nobody");
  auto out = NormalizeLeadInput(in, "US", true);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(Fields(out.status()), (std::vector<std::string>{"phone", "email"}));
  EXPECT_TRUE(NormalizeLeadInput(in, "US", false).ok()) << "a PATCH may omit both";
}

TEST(LeadInput, NonNullableFieldsRejectNull) {
  LeadInput in;
  in.status.SetNull();
  in.lead_score.SetNull();
  in.tags.SetNull();
  in.metadata_json.SetNull();
  auto out = NormalizeLeadInput(in, "US", false);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().field_errors().size(), 4u);
}

TEST(LeadInput, NameLimitCountsCharactersNotBytes) {
  LeadInput in;
  in.email.Set("a@example.com");
  std::string name;
  for (int i = 0; i < 200; ++i) name += "\xC3\xA9";  // 200 x 'é', 400 bytes
  in.first_name.Set(name);
  EXPECT_TRUE(NormalizeLeadInput(in, "US", true).ok());
  in.first_name.Set(name + "e");
  EXPECT_FALSE(NormalizeLeadInput(in, "US", true).ok());
}

TEST(Tags, TrimDedupeAndLimits) {
  auto t = NormalizeTags({" a", "a ", "b"}, "tags");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(NormalizeTags({""}, "tags").ok());
  EXPECT_FALSE(NormalizeTags({"bad\ttag"}, "tags").ok());
  EXPECT_TRUE(NormalizeTags({std::string(50, 'x')}, "tags").ok());
  std::vector<std::string> many;
  for (int i = 0; i < 101; ++i) many.push_back("t" + std::to_string(i));
  auto too_many = NormalizeTags(many, "tags");
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.status().field_errors().front().field, "tags");
}

TEST(IfMatch, AcceptsBareQuotedWeakListsAndStar) {
  auto bare = ParseIfMatch(std::string_view("3"));
  ASSERT_TRUE(bare.ok());
  EXPECT_TRUE((*bare)->Matches(3));
  EXPECT_FALSE((*bare)->Matches(4));
  EXPECT_TRUE((*ParseIfMatch(std::string_view("\"7\"")))->Matches(7));
  EXPECT_TRUE((*ParseIfMatch(std::string_view("W/\"7\"")))->Matches(7));
  EXPECT_TRUE((*ParseIfMatch(std::string_view("\"1\", \"2\"")))->Matches(2));
  EXPECT_TRUE((*ParseIfMatch(std::string_view("*")))->Matches(99));
  EXPECT_FALSE(ParseIfMatch(std::nullopt)->has_value());
  for (const char* bad :
       {"", "abc", "\"x\"", "-1", "0", "1.5", "\"3", "3,", "99999999999", "W/1", "W/"}) {
    auto r = ParseIfMatch(std::string_view(bad));
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(ListQuery, ParsesEveryFilter) {
  Params p = {{"status", "new,contacted"},
              {"status", "lost"},
              {"tag", "vip"},
              {"tag", "hot"},
              {"q", " jane "},
              {"assigned_to", "me"},
              {"source", "web"},
              {"score_min", "10"},
              {"score_max", "90"},
              {"created_from", "2026-01-01T00:00:00Z"},
              {"created_to", "2026-02-01T00:00:00+01:00"},
              {"sort", "lead_score"},
              {"limit", "500"}};
  auto q = ParseListQuery(p, QueryKind::kList);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->filter.statuses, (std::vector<std::string>{"new", "contacted", "lost"}));
  EXPECT_EQ(q->filter.tags, (std::vector<std::string>{"vip", "hot"}));
  EXPECT_EQ(*q->filter.q, "jane");
  EXPECT_EQ(q->filter.assigned, ListFilter::Assigned::kMe);
  EXPECT_EQ(*q->filter.score_min, 10);
  EXPECT_EQ(q->sort.key, SortKey::kLeadScore);
  EXPECT_FALSE(q->sort.descending);
  EXPECT_EQ(q->limit, 500);
}

TEST(ListQuery, BadParametersAre400NamingTheParameter) {
  static const std::string long_q(201, 'q');
  const std::pair<const char*, const char*> bad[] = {{"status", "won"},
                                                     {"limit", "0"},
                                                     {"limit", "501"},
                                                     {"limit", "ten"},
                                                     {"sort", "name"},
                                                     {"score_min", "-1"},
                                                     {"score_max", "101"},
                                                     {"created_from", "2026-02-30T00:00:00Z"},
                                                     {"created_to", "yesterday"},
                                                     {"assigned_to", "bob"},
                                                     {"cursor", "!!!"},
                                                     {"bogus", "1"},
                                                     {"q", long_q.c_str()}};
  for (const auto& [name, value] : bad) {
    auto q = ParseListQuery({{name, value}}, QueryKind::kList);
    ASSERT_FALSE(q.ok()) << name << "=" << value;
    EXPECT_EQ(q.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(q.status().field_errors().front().field, name);
  }
  auto twice = ParseListQuery({{"limit", "5"}, {"limit", "6"}}, QueryKind::kList);
  EXPECT_FALSE(twice.ok());
  auto inverted = ParseListQuery({{"score_min", "50"}, {"score_max", "10"}}, QueryKind::kList);
  EXPECT_FALSE(inverted.ok());
  EXPECT_FALSE(ParseListQuery({{"limit", "5"}}, QueryKind::kExport).ok()) << "no paging in exports";
  auto filter = ParseListQuery({{"sort", "lead_score"}}, QueryKind::kFilter,
                               StatusCode::kValidationFailed, "filter.");
  ASSERT_FALSE(filter.ok());
  EXPECT_EQ(filter.status().code(), StatusCode::kValidationFailed);
  EXPECT_EQ(filter.status().field_errors().front().field, "filter.sort");
}

TEST(Cursor, RoundTripsAndIsBoundToTheSort) {
  Sort sort;  // -created_at
  std::string c =
      EncodeCursor(sort, "2026-01-02T03:04:05.123456Z", "0e6f0c3a-7f1e-4d7a-9a57-3c5d2b1a0f9e");
  auto d = DecodeCursor(c, sort);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->key, "2026-01-02T03:04:05.123456Z");
  EXPECT_EQ(d->id, "0e6f0c3a-7f1e-4d7a-9a57-3c5d2b1a0f9e");
  Sort score{SortKey::kLeadScore, true};
  EXPECT_FALSE(DecodeCursor(c, score).ok());
  EXPECT_FALSE(DecodeCursor("", sort).ok());
  EXPECT_FALSE(DecodeCursor(Base64UrlEncode("l1\n-created_at\n'; DROP TABLE leads\nx"), sort).ok());
  auto p = ParseListQuery({{"cursor", c}, {"sort", "-created_at"}}, QueryKind::kList);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->after.has_value());
}

TEST(Cursor, HistoryCursors) {
  const std::string lead = "0e6f0c3a-7f1e-4d7a-9a57-3c5d2b1a0f9e";
  const std::string list = HistoryList(HistoryKind::kTimeline, lead);
  std::string c = EncodeHistoryCursor(list, "2026-01-02T03:04:05.000001Z", lead);
  auto page = ParsePageRequest({{"cursor", c}, {"limit", "2"}}, list);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->limit, 2);
  EXPECT_EQ(page->after->key, "2026-01-02T03:04:05.000001Z");
  // The same lead's id in upper case names the same list.
  EXPECT_TRUE(ParsePageRequest({{"cursor", c}}, HistoryList(HistoryKind::kTimeline,
                                                            "0E6F0C3A-7F1E-4D7A-9A57-3C5D2B1A0F9E"))
                  .ok());
  // Another history of the lead, or the same history of another lead: not this list's cursor.
  EXPECT_FALSE(ParsePageRequest({{"cursor", c}}, HistoryList(HistoryKind::kAudit, lead)).ok());
  EXPECT_FALSE(
      ParsePageRequest({{"cursor", c}},
                       HistoryList(HistoryKind::kTimeline, "1e6f0c3a-7f1e-4d7a-9a57-3c5d2b1a0f9e"))
          .ok());
  EXPECT_FALSE(ParsePageRequest({{"cursor", "abc"}}, list).ok());
  EXPECT_FALSE(ParsePageRequest({{"sort", "x"}}, list).ok());
}

TEST(Base64Url, RoundTrips) {
  for (const std::string& s :
       std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    auto d = Base64UrlDecode(Base64UrlEncode(s));
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(*d, s);
  }
  EXPECT_FALSE(Base64UrlDecode("a").has_value());
  EXPECT_FALSE(Base64UrlDecode("ab+/").has_value());
}

TEST(Uuid, CanonicalFormOnly) {
  EXPECT_TRUE(IsUuid("123e4567-e89b-12d3-a456-426614174000"));
  EXPECT_TRUE(IsUuid("123E4567-E89B-12D3-A456-426614174000"));
  EXPECT_FALSE(IsUuid("123e4567e89b12d3a456426614174000"));
  EXPECT_FALSE(IsUuid("123e4567-e89b-12d3-a456-42661417400g"));
  EXPECT_EQ(CanonicalUuid("123E4567-E89B-12D3-A456-426614174000"),
            "123e4567-e89b-12d3-a456-426614174000");
}

TEST(Rfc3339, Strict) {
  EXPECT_TRUE(IsRfc3339("2026-11-25T04:00:00Z"));
  EXPECT_TRUE(IsRfc3339("2024-02-29T23:59:59.999999-08:00"));
  EXPECT_TRUE(IsRfc3339("2026-01-01T00:00:00+15:59"));
  EXPECT_FALSE(IsRfc3339("2026-01-01T00:00:00+16:00"));  // beyond what PostgreSQL accepts
  EXPECT_FALSE(IsRfc3339("2023-02-29T00:00:00Z"));
  EXPECT_FALSE(IsRfc3339("2026-11-25 04:00:00Z"));
  EXPECT_FALSE(IsRfc3339("2026-11-25T04:00:00"));
  EXPECT_FALSE(IsRfc3339("2026-11-25T24:00:00Z"));
  EXPECT_FALSE(IsRfc3339("2026-11-25"));
}

TEST(SearchPattern, EscapesWildcardsAndReducesPhones) {
  EXPECT_EQ(MakeSearchPattern("50%_off\\").like, "%50\\%\\_off\\\\%");
  auto phone = MakeSearchPattern("(206) 555-0100");
  EXPECT_EQ(phone.like, "%2065550100%");
  EXPECT_TRUE(phone.trigram_indexable);
  EXPECT_FALSE(MakeSearchPattern("ab").trigram_indexable);
  EXPECT_FALSE(MakeSearchPattern("a.b c").trigram_indexable);
  EXPECT_TRUE(MakeSearchPattern("Jane").trigram_indexable);
  EXPECT_TRUE(MakeSearchPattern("Zoë").trigram_indexable);
}

TEST(Utf8, Validation) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // surrogate
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));      // truncated
  EXPECT_FALSE(ParseListQuery({{"q", "\xFF"}}, QueryKind::kList).ok());
}

TEST(Csv, QuotesPerRfc4180) {
  std::string out;
  AppendCsvField(out, "plain");
  out += ',';
  AppendCsvField(out, "a,b");
  out += ',';
  AppendCsvField(out, "say \"hi\"");
  out += ',';
  AppendCsvField(out, "two\nlines");
  EXPECT_EQ(out, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"");

  Lead l;
  l.id = "id-1";
  l.first_name = "O'Brien, \"Pat\"";
  l.status = "new";
  l.tags_json = R"(["a","b"])";
  l.created_at = "2026-01-01T00:00:00Z";
  l.updated_at = "2026-01-01T00:00:00Z";
  std::string row;
  AppendCsvRow(row, l);
  EXPECT_EQ(row,
            "id-1,\"O'Brien, \"\"Pat\"\"\",,,,new,,\"[\"\"a\"\",\"\"b\"\"]\",0,,,,,{},"
            "2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1\r\n");
}

TEST(ArrayLiteral, QuotesEveryElement) {
  EXPECT_EQ(repo::ArrayLiteral({}), "{}");
  EXPECT_EQ(repo::ArrayLiteral({"a", "b c", "q\"x", "back\\slash", "{}", "NULL"}),
            R"({"a","b c","q\"x","back\\slash","{}","NULL"})");
}

}  // namespace
}  // namespace leadline::leads
