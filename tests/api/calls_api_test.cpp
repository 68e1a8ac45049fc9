// Black-box HTTP tests of POST /api/calls (the compliance gate), consent endpoints and the
// per-lead compliance log. The server's clock is real, so leads get a fixed-offset zone that
// puts "now" at noon (or at 03:00) local time.
#include <gtest/gtest.h>

#include <ctime>
#include <map>

#include "db/transaction.h"
#include "support/test_app.h"

namespace leadline {
namespace {

using testing::HttpClient;
using testing::HttpResult;
using testing::TestApp;

// A fixed-offset zone in which the current local hour is `hour`.
std::string ZoneWithLocalHour(int hour) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  int offset = hour - tm.tm_hour;
  if (offset < -12) offset += 24;
  if (offset > 14) offset -= 24;
  if (offset == 0) return "Etc/GMT";
  // POSIX sign convention: Etc/GMT-3 is three hours ahead of UTC.
  return offset > 0 ? "Etc/GMT-" + std::to_string(offset) : "Etc/GMT+" + std::to_string(-offset);
}

class CallsApi : public ::testing::Test {
 protected:
  void SetUp() override {
    app_ = std::make_unique<TestApp>();
    org_ = app_->db().CreateOrganization("Acme", "boss@acme.test", "correct-horse-1");
    other_ = app_->db().CreateOrganization("Globex", "boss@globex.test", "correct-horse-1");
    admin_ = app_->Client(org_.api_key);
  }

  std::string Lead(const std::string& org_id, const std::optional<std::string>& phone,
                   const std::optional<std::string>& tz) {
    db::TenantContext ctx;
    ctx.organization_id = org_id;
    std::string id;
    Status st = db::RunInTransaction(app_->db().app_pool(), ctx, [&](db::Transaction& tx) {
      auto r = tx.Exec(
          "INSERT INTO leads (organization_id, first_name, phone, email, timezone) VALUES "
          "(app_current_org(), 'Pat', $1, 'pat@example.com', $2) RETURNING id",
          db::Params().Add(phone).Add(tz));
      if (!r.ok()) return r.status();
      id = std::string(r->Get(0, 0));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return id;
  }

  HttpResult Call(const std::string& lead) {
    return admin_.Post("/api/calls", R"({"lead_id":")" + lead + R"("})");
  }

  static std::string TypeSuffix(const HttpResult& r) {
    std::string type = r.Json().Find("type")->as_string();
    return type.substr(type.rfind('/'));
  }

  std::unique_ptr<TestApp> app_;
  auth::NewOrganization org_, other_;
  HttpClient admin_{0};
};

// The lead's timeline shows its conversation and its calls with the rest of its history.
TEST_F(CallsApi, TheTimelineHoldsInteractionsNotesDecisionsAndCalls) {
  std::string lead = Lead(org_.organization_id, "+12065550100", ZoneWithLocalHour(12));
  ASSERT_EQ(admin_
                .Send("PUT", "/api/compliance/settings", R"({"national_registry_required":false})",
                      {{"Content-Type", "application/json"}})
                .status,
            200);
  ASSERT_EQ(Call(lead).status, 201);
  ASSERT_EQ(admin_
                .Post("/api/interactions", R"({"lead_id":")" + lead +
                                               R"(","channel":"sms","direction":"outbound",)"
                                               R"("body":"Hi Pat, thanks for your call"})")
                .status,
            201);
  const std::string long_note(1500, 'n');
  ASSERT_EQ(admin_
                .Post("/api/interactions", R"({"lead_id":")" + lead +
                                               R"(","channel":"note","direction":"outbound",)"
                                               R"("body":")" +
                                               long_note + R"("})")
                .status,
            201);

  auto r = admin_.Get("/api/leads/" + lead + "/timeline");
  ASSERT_EQ(r.status, 200) << r.body;
  const json::Value page = r.Json();
  std::map<std::string, json::Value> by_type;
  for (const auto& e : page.Find("data")->items()) by_type[e.Find("type")->as_string()] = e;
  ASSERT_TRUE(by_type.count("note")) << r.body;
  ASSERT_TRUE(by_type.count("interaction")) << r.body;
  ASSERT_TRUE(by_type.count("compliance_decision")) << r.body;
  ASSERT_TRUE(by_type.count("call")) << r.body;
  const json::Value* sms = by_type["interaction"].Find("data");
  EXPECT_EQ(sms->Find("channel")->as_string(), "sms");
  EXPECT_EQ(sms->Find("body")->as_string(), "Hi Pat, thanks for your call");
  EXPECT_FALSE(sms->Find("body_truncated")->as_bool());
  EXPECT_FALSE(sms->Find("opt_out")->as_bool());
  EXPECT_EQ(sms->Find("opt_out_action")->as_string(), "none");
  const json::Value* note = by_type["note"].Find("data");
  EXPECT_EQ(note->Find("body")->as_string().size(), 1000u);
  EXPECT_TRUE(note->Find("body_truncated")->as_bool());
  EXPECT_EQ(by_type["compliance_decision"].Find("data")->Find("decision")->as_string(), "allowed");
  EXPECT_EQ(by_type["call"].Find("data")->Find("phone")->as_string(), "+12065550100");
  // Newest first: the note was the last thing recorded.
  EXPECT_EQ(page.Find("data")->items()[0].Find("type")->as_string(), "note");

  // An inbound STOP is an opt-out, and the timeline says what came of it.
  ASSERT_EQ(admin_
                .Post("/api/interactions", R"({"lead_id":")" + lead +
                                               R"(","channel":"sms","direction":"inbound",)"
                                               R"("body":"STOP"})")
                .status,
            201);
  const json::Value latest = admin_.Get("/api/leads/" + lead + "/timeline?limit=1").Json();
  const json::Value* stop = latest.Find("data")->items()[0].Find("data");
  EXPECT_TRUE(stop->Find("opt_out")->as_bool());
  EXPECT_EQ(stop->Find("opt_out_action")->as_string(), "dnc_added");
}

TEST_F(CallsApi, DecisionsAndTheirLog) {
  std::string lead = Lead(org_.organization_id, "+12065550100", ZoneWithLocalHour(12));

  // No national registry data and it is required by default: refused.
  auto no_registry = Call(lead);
  ASSERT_EQ(no_registry.status, 409) << no_registry.body;
  EXPECT_EQ(TypeSuffix(no_registry), "/registry-stale");

  auto settings =
      admin_.Send("PUT", "/api/compliance/settings", R"({"national_registry_required":false})",
                  {{"Content-Type", "application/json"}});
  ASSERT_EQ(settings.status, 200) << settings.body;
  EXPECT_FALSE(settings.Json().Find("national_registry_required")->as_bool());

  auto allowed = Call(lead);
  ASSERT_EQ(allowed.status, 201) << allowed.body;
  auto body = allowed.Json();
  EXPECT_EQ(body.Find("decision")->as_string(), "allowed");
  EXPECT_EQ(body.Find("lead_id")->as_string(), lead);
  EXPECT_EQ(body.Find("phone")->as_string(), "+12065550100");
  EXPECT_FALSE(body.Find("id")->as_string().empty());
  EXPECT_EQ(body.Find("checked")->items().size(), 4u);
  EXPECT_EQ(body.Find("warnings")->items().size(), 1u) << "checked against the org list only";

  // Listed by the organization.
  ASSERT_EQ(admin_.Post("/api/dnc", R"({"phone":"+12065550100"})").status, 201);
  auto listed = Call(lead);
  ASSERT_EQ(listed.status, 409) << listed.body;
  EXPECT_EQ(TypeSuffix(listed), "/dnc");
  EXPECT_FALSE(listed.Json().Find("compliance_log_id")->as_string().empty());
  EXPECT_EQ(listed.Json().Find("reasons")->as_string(), "dnc");

  // Outside calling hours.
  std::string night = Lead(org_.organization_id, "+12065550101", ZoneWithLocalHour(3));
  auto late = Call(night);
  ASSERT_EQ(late.status, 409) << late.body;
  EXPECT_EQ(TypeSuffix(late), "/calling-hours");

  // The log holds every decision, newest first.
  auto log = admin_.Get("/api/leads/" + lead + "/compliance-log");
  ASSERT_EQ(log.status, 200) << log.body;
  auto entries = log.Json().Find("data")->items();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].Find("decision")->as_string(), "blocked");
  EXPECT_EQ(entries[0].Find("reasons")->items()[0].as_string(), "dnc");
  EXPECT_EQ(entries[0].Find("id")->as_string(),
            listed.Json().Find("compliance_log_id")->as_string());
  EXPECT_EQ(entries[1].Find("decision")->as_string(), "allowed");
  EXPECT_EQ(entries[2].Find("reasons")->items()[0].as_string(), "registry-stale");
  auto checked = entries[1].Find("details")->Find("checked")->items();
  EXPECT_EQ(checked[3].Find("rule")->as_string(), "calling_hours");
  EXPECT_TRUE(checked[3].Find("zones")->items()[0].Find("inside")->as_bool());
  auto page = admin_.Get("/api/leads/" + lead + "/compliance-log?limit=2").Json();
  EXPECT_EQ(page.Find("data")->items().size(), 2u);
  EXPECT_FALSE(page.Find("next_cursor")->is_null());
}

TEST_F(CallsApi, ConsentRevocationBlocksCalls) {
  admin_.Send("PUT", "/api/compliance/settings", R"({"national_registry_required":false})",
              {{"Content-Type", "application/json"}});
  std::string lead = Lead(org_.organization_id, "+12065550102", ZoneWithLocalHour(12));
  auto consent = admin_.Post(
      "/api/leads/" + lead + "/consents",
      R"({"channel":"call","disclosure_text":"I agree to receive calls","method":"web_form","source_ip":"203.0.113.7"})");
  ASSERT_EQ(consent.status, 201) << consent.body;
  EXPECT_EQ(consent.Json().Find("source_ip")->as_string(), "203.0.113.7");
  EXPECT_EQ(Call(lead).status, 201);
  auto revoke = admin_.Post("/api/leads/" + lead + "/consents/revoke",
                            R"({"scope":"call","reason":"asked on the phone"})");
  ASSERT_EQ(revoke.status, 201) << revoke.body;
  auto refused = Call(lead);
  ASSERT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(TypeSuffix(refused), "/consent-revoked");
  auto both = admin_.Get("/api/leads/" + lead + "/consents").Json();
  EXPECT_EQ(both.Find("data")->items().size(), 1u);
  EXPECT_EQ(both.Find("revocations")->items().size(), 1u);
  EXPECT_EQ(admin_.Post("/api/leads/" + lead + "/consents", R"({"channel":"pigeon"})").status, 422);
  EXPECT_EQ(app_->Client(other_.api_key).Get("/api/leads/" + lead + "/consents").status, 404);
}

TEST_F(CallsApi, MissingLeadsAndPhones) {
  std::string theirs = Lead(other_.organization_id, "+12065550103", ZoneWithLocalHour(12));
  EXPECT_EQ(Call(theirs).status, 404) << "another organization's lead";
  EXPECT_EQ(Call("00000000-0000-0000-0000-000000000000").status, 404);
  EXPECT_EQ(Call("nope").status, 404);
  std::string no_phone = Lead(org_.organization_id, std::nullopt, std::nullopt);
  EXPECT_EQ(Call(no_phone).status, 422);
  EXPECT_EQ(admin_.Post("/api/calls", "{}").status, 422);
  EXPECT_EQ(app_->Client(other_.api_key).Get("/api/leads/" + no_phone + "/compliance-log").status,
            404);
}

TEST_F(CallsApi, StaleRegistryBlocksUntilRefreshed) {
  std::string lead = Lead(org_.organization_id, "+12065550104", ZoneWithLocalHour(12));
  auto old = admin_.Send("POST", "/api/dnc/registry?as_of=2020-01-01", "206,5550199\n",
                         {{"Content-Type", "text/csv"}});
  ASSERT_EQ(old.status, 201) << old.body;
  auto stale = Call(lead);
  ASSERT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(TypeSuffix(stale), "/registry-stale");
  EXPECT_TRUE(admin_.Get("/api/dnc/registry").Json().Find("stale")->as_bool());
  auto fresh = admin_.Send("POST", "/api/dnc/registry?kind=changes", "206,5550198,A\n",
                           {{"Content-Type", "text/csv"}});
  ASSERT_EQ(fresh.status, 201) << fresh.body;
  EXPECT_EQ(Call(lead).status, 201);
}

}  // namespace
}  // namespace leadline
