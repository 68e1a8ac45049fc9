// Unit tests for the benchmark data generator: exact row counts, valid and unique phones,
// coherent status walks, COPY-safe text and determinism.
#include "benchdata/generator.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "benchdata/vocabulary.h"
#include "phone/phone.h"

namespace leadline::benchdata {
namespace {

constexpr int64_t kNow = 1'767'225'600LL * 1'000'000;  // 2026-01-01T00:00:00Z

PlanOptions SmallPlan(uint64_t seed = 7) {
  PlanOptions o;
  o.organizations = 3;
  o.leads = 2'000;
  o.history = 15'000;
  o.audit = 9'000;
  o.seed = seed;
  o.now_us = kNow;
  return o;
}

std::string AllRows(const Plan& plan) {
  std::string out;
  for (const OrgPlan& org : plan.orgs) {
    LeadCursor c(plan, org);
    while (c.Next()) {
      c.AppendLeadRow(out);
      c.AppendHistoryRows(out);
      c.AppendAuditRows(out);
    }
  }
  return out;
}

TEST(BenchPlan, SharesRowsExactlyInProportionToLeads) {
  Plan plan = MakePlan(SmallPlan());
  ASSERT_EQ(plan.orgs.size(), 3u);
  EXPECT_EQ(plan.orgs[0].leads, 2'000);
  EXPECT_EQ(plan.orgs[1].leads, 20);
  EXPECT_EQ(plan.total_leads(), 2'040);
  int64_t history = 0, audit = 0;
  for (const OrgPlan& o : plan.orgs) {
    history += o.history;
    audit += o.audit;
    EXPECT_EQ(o.users[0].role, "admin");
    EXPECT_EQ(o.users[1].role, "manager");
    EXPECT_GE(o.users.size(), 5u);
  }
  EXPECT_EQ(history, 15'000);
  EXPECT_EQ(audit, 9'000);
}

TEST(BenchPlan, CursorProducesExactCountsAndCoherentLeads) {
  Plan plan = MakePlan(SmallPlan());
  std::set<std::string> ids, phones;
  int status_seen[kStatusCount] = {};
  for (const OrgPlan& org : plan.orgs) {
    int64_t leads = 0, history = 0, audit = 0;
    LeadCursor c(plan, org);
    int64_t previous_created = 0;
    while (c.Next()) {
      const Lead& l = c.lead();
      ++leads;
      history += static_cast<int64_t>(l.steps.size());
      audit += static_cast<int64_t>(l.audit.size());
      ++status_seen[static_cast<int>(l.status)];
      EXPECT_TRUE(ids.insert(l.id.ToString()).second);
      EXPECT_GE(l.created_us, previous_created) << "leads come in arrival order";
      previous_created = l.created_us;
      EXPECT_LE(l.created_us, kNow);
      EXPECT_LE(l.updated_us, kNow);
      EXPECT_GE(l.updated_us, l.created_us);
      EXPECT_TRUE(!l.phone.empty() || !l.email.empty()) << "leads_contact_check";
      EXPECT_GE(l.score, 0);
      EXPECT_LE(l.score, 100);
      EXPECT_EQ(l.version, std::max<int>(1, static_cast<int>(l.audit.size())));
      if (!l.phone.empty()) {
        EXPECT_TRUE(phones.insert(l.phone).second) << "duplicate phone " << l.phone;
        EXPECT_FALSE(l.timezone.empty());
      }
      if (!l.email.empty()) {
        auto normalized = phone::NormalizeEmail(l.email);
        ASSERT_TRUE(normalized.ok()) << l.email;
        EXPECT_EQ(*normalized, l.email);
      }
      // The walk starts from nothing, chains, never leaves "converted" and ends at the status.
      if (!l.steps.empty()) {
        EXPECT_EQ(l.steps.front().from, -1);
        EXPECT_EQ(l.steps.back().to, l.status);
        EXPECT_EQ(l.status_changed_us, l.steps.back().at_us);
        for (size_t j = 1; j < l.steps.size(); ++j) {
          EXPECT_EQ(l.steps[j].from, static_cast<int>(l.steps[j - 1].to));
          EXPECT_NE(static_cast<int>(l.steps[j].to), l.steps[j].from);
          EXPECT_NE(l.steps[j].from, static_cast<int>(LeadStatus::kConverted));
          EXPECT_GT(l.steps[j].at_us, l.steps[j - 1].at_us);
        }
      }
      if (!l.audit.empty()) {
        EXPECT_EQ(l.audit.front().kind, AuditEvent::Kind::kCreate);
      }
    }
    EXPECT_EQ(leads, org.leads);
    EXPECT_EQ(history, org.history);
    EXPECT_EQ(audit, org.audit);
  }
  for (int s = 0; s < kStatusCount; ++s)
    EXPECT_GT(status_seen[s], 0) << StatusName(static_cast<LeadStatus>(s));
}

TEST(BenchPlan, PhonesAreValidUniqueAndAvoidReservedAreaCodes) {
  std::set<std::string> seen;
  for (int64_t i = 0; i < 3'000; ++i) {
    std::string p = PhoneNumber(3, i * 7919);
    ASSERT_TRUE(seen.insert(p).second) << p;
    auto normalized = phone::NormalizeToE164(p, "US");
    ASSERT_TRUE(normalized.ok()) << p << ": " << normalized.status().ToString();
    EXPECT_EQ(*normalized, p);
    for (int reserved : kReservedAreaCodes) EXPECT_NE(p.substr(2, 3), std::to_string(reserved));
  }
  // The create benchmark's numbers come from the reserved area codes; they must be valid too.
  for (int reserved : kReservedAreaCodes) {
    auto r = phone::NormalizeToE164("+1" + std::to_string(reserved) + "2345678", "US");
    EXPECT_TRUE(r.ok()) << reserved;
  }
  EXPECT_LT(PhoneCapacity(), 4'294'967'311LL);
}

TEST(BenchPlan, SameSeedSameRowsOtherSeedOtherRows) {
  std::string a = AllRows(MakePlan(SmallPlan(11)));
  std::string b = AllRows(MakePlan(SmallPlan(11)));
  std::string c = AllRows(MakePlan(SmallPlan(12)));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(BenchPlan, RowsHaveTheColumnCountsOfTheirCopyStatements) {
  auto columns = [](std::string_view list) {
    return static_cast<size_t>(std::count(list.begin(), list.end(), ',')) + 1;
  };
  auto check = [](const std::string& text, size_t expected) {
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      ASSERT_NE(end, std::string::npos);
      std::string_view line(text.data() + start, end - start);
      EXPECT_EQ(static_cast<size_t>(std::count(line.begin(), line.end(), '\t')) + 1, expected)
          << line;
      std::string without_nulls(line);
      for (size_t p = without_nulls.find("\\N"); p != std::string::npos;
           p = without_nulls.find("\\N")) {
        without_nulls.erase(p, 2);
      }
      EXPECT_EQ(without_nulls.find('\\'), std::string::npos)
          << "only \\N (NULL) may carry a backslash: " << line;
      start = end + 1;
    }
  };
  Plan plan = MakePlan(SmallPlan());
  LeadCursor c(plan, plan.orgs[0]);
  for (int i = 0; i < 300 && c.Next(); ++i) {
    std::string lead, history, audit;
    c.AppendLeadRow(lead);
    c.AppendHistoryRows(history);
    c.AppendAuditRows(audit);
    check(lead, columns(kLeadColumns));
    check(history, columns(kHistoryColumns));
    check(audit, columns(kAuditColumns));
  }
  std::string users;
  AppendUserRows(plan, "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA", users);
  check(users, columns(kUserColumns));
}

TEST(BenchPlan, VocabularyNeedsNoCopyOrJsonEscaping) {
  auto safe = [](std::string_view s) {
    return s.find_first_of("\t\n\r\\\"{},") == std::string_view::npos && !s.empty();
  };
  for (auto s : FirstNames()) EXPECT_TRUE(safe(s)) << s;
  for (auto s : LastNames()) EXPECT_TRUE(safe(s)) << s;
  for (auto s : Tags()) EXPECT_TRUE(safe(s) && s.find(' ') == std::string_view::npos) << s;
  for (auto s : Companies()) EXPECT_TRUE(safe(s)) << s;
  for (auto s : Titles()) EXPECT_TRUE(safe(s)) << s;
  for (auto s : UserAgents()) EXPECT_TRUE(s.find_first_of("\t\n\r\\\"") == std::string_view::npos);
  EXPECT_EQ(Tags().size(), 50u);
}

TEST(BenchPlan, FormatsTimestampsAndIntervals) {
  std::string s;
  AppendTimestamp(s, 0);
  EXPECT_EQ(s, "1970-01-01 00:00:00.000000+00");
  s.clear();
  AppendTimestamp(s, 1'709'210'096'789'012LL);  // 2024-02-29T12:34:56.789012Z
  EXPECT_EQ(s, "2024-02-29 12:34:56.789012+00");
  s.clear();
  AppendInterval(s, (50LL * 3600 + 61) * 1'000'000 + 5);
  EXPECT_EQ(s, "50:01:01.000005");
}

}  // namespace
}  // namespace leadline::benchdata
