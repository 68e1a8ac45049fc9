// Black-box HTTP tests of the Do-Not-Call API: add (idempotent), list, remove (admin only),
// expiry, organization-wide scope, tenant isolation, checks (single and batch), opt-out from
// inbound messages and the review queue, national registry upload.
#include <gtest/gtest.h>

#include <thread>

#include "support/test_app.h"

namespace leadline {
namespace {

using testing::HttpClient;
using testing::HttpResult;
using testing::TestApp;

class DncApi : public ::testing::Test {
 protected:
  void SetUp() override {
    app_ = std::make_unique<TestApp>();
    org_ = app_->db().CreateOrganization("Acme", "boss@acme.test", "correct-horse-1");
    other_ = app_->db().CreateOrganization("Globex", "boss@globex.test", "correct-horse-1");
    admin_ = app_->Client(org_.api_key);
  }

  // A user of `org` with `role`, signed in.
  HttpClient User(const std::string& admin_key, const std::string& email, const std::string& role) {
    HttpClient admin = app_->Client(admin_key);
    auto r =
        admin.Post("/api/users", R"({"email":")" + email +
                                     R"(","password":"correct-horse-1","role":")" + role + R"("})");
    EXPECT_EQ(r.status, 201) << r.body;
    auto login = app_->Client().Post(
        "/api/auth/login", R"({"email":")" + email + R"(","password":"correct-horse-1"})");
    EXPECT_EQ(login.status, 200) << login.body;
    return app_->Client(login.Json().Find("token")->as_string());
  }

  static bool OnDnc(const HttpResult& r) { return r.Json().Find("on_dnc")->as_bool(); }

  std::unique_ptr<TestApp> app_;
  auth::NewOrganization org_, other_;
  HttpClient admin_{0};
};

TEST_F(DncApi, AddIsIdempotentAndOrganizationWide) {
  HttpClient agent = User(org_.api_key, "agent@acme.test", "agent");
  HttpClient manager = User(org_.api_key, "manager@acme.test", "manager");
  auto created = agent.Post("/api/dnc", R"({"phone":"(206) 555-0100","reason":"asked"})");
  ASSERT_EQ(created.status, 201) << created.body;
  auto entry = created.Json();
  EXPECT_EQ(entry.Find("phone")->as_string(), "+12065550100");
  EXPECT_EQ(entry.Find("source")->as_string(), "manual");
  EXPECT_EQ(entry.Find("reason")->as_string(), "asked");
  EXPECT_TRUE(entry.Find("active")->as_bool());
  EXPECT_FALSE(entry.Find("added_by")->is_null());
  EXPECT_EQ(created.Header("location"), "/api/dnc/" + entry.Find("id")->as_string());

  auto again = manager.Post("/api/dnc", R"({"phone":"+12065550100","source":"complaint"})");
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Json().Find("id")->as_string(), entry.Find("id")->as_string());

  // Every user of the organization sees it; no other organization does.
  EXPECT_TRUE(OnDnc(manager.Get("/api/dnc/check?phone=%2B12065550100")));
  EXPECT_TRUE(OnDnc(admin_.Get("/api/dnc/check?phone=206-555-0100")));
  auto check = agent.Get("/api/dnc/check?phone=%2B12065550100");
  EXPECT_EQ(check.Json().Find("sources")->items()[0].as_string(), "organization");
  HttpClient stranger = app_->Client(other_.api_key);
  EXPECT_FALSE(OnDnc(stranger.Get("/api/dnc/check?phone=%2B12065550100")));
  EXPECT_EQ(stranger.Get("/api/dnc").Json().Find("data")->items().size(), 0u);
  EXPECT_EQ(stranger.Get("/api/dnc/" + entry.Find("id")->as_string()).status, 404);
  EXPECT_EQ(stranger.Delete("/api/dnc/" + entry.Find("id")->as_string()).status, 404)
      << "another organization's entry is answered like a missing one";
  EXPECT_TRUE(OnDnc(agent.Get("/api/dnc/check?phone=%2B12065550100")));
}

TEST_F(DncApi, RemoveIsAdminOnlyAndKeepsTheRecord) {
  HttpClient agent = User(org_.api_key, "agent@acme.test", "agent");
  HttpClient manager = User(org_.api_key, "manager@acme.test", "manager");
  auto created = agent.Post("/api/dnc", R"({"phone":"+12065550100"})");
  std::string id = created.Json().Find("id")->as_string();
  EXPECT_EQ(agent.Delete("/api/dnc/" + id).status, 403);
  EXPECT_EQ(manager.Delete("/api/dnc/" + id).status, 403);
  EXPECT_EQ(admin_.Delete("/api/dnc/" + id + "?reason=entered%20by%20mistake").status, 204);
  EXPECT_FALSE(OnDnc(agent.Get("/api/dnc/check?phone=%2B12065550100")));
  EXPECT_EQ(admin_.Delete("/api/dnc/" + id).status, 204) << "idempotent";
  EXPECT_EQ(admin_.Delete("/api/dnc/00000000-0000-0000-0000-000000000000").status, 404);
  EXPECT_EQ(admin_.Delete("/api/dnc/not-a-uuid").status, 404);

  // The removed entry stays readable, with who and why.
  auto one = agent.Get("/api/dnc/" + id).Json();
  EXPECT_FALSE(one.Find("active")->as_bool());
  EXPECT_FALSE(one.Find("removed_at")->is_null());
  EXPECT_EQ(one.Find("removal_reason")->as_string(), "entered by mistake");
  EXPECT_EQ(agent.Get("/api/dnc").Json().Find("data")->items().size(), 0u);
  EXPECT_EQ(agent.Get("/api/dnc?include=all").Json().Find("data")->items().size(), 1u);
  // Listing it again makes a new entry.
  EXPECT_EQ(agent.Post("/api/dnc", R"({"phone":"+12065550100"})").status, 201);
}

TEST_F(DncApi, ExpiredEntriesStopBlockingAndCanBeReAdded) {
  auto created =
      admin_.Post("/api/dnc", R"({"phone":"+12065550100","expires_at":"2099-01-01T00:00:00Z"})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Json().Find("expires_at")->as_string(), "2099-01-01T00:00:00Z");
  EXPECT_EQ(
      admin_.Post("/api/dnc", R"({"phone":"+12065550101","expires_at":"2001-01-01T00:00:00Z"})")
          .status,
      422)
      << "an expiry in the past";
  EXPECT_EQ(admin_.Post("/api/dnc", R"({"phone":"+12065550101","expires_at":"soon"})").status, 422);

  // Expire it for real (as time would), then check and re-add.
  std::string id = created.Json().Find("id")->as_string();
  db::Pool& owner = app_->db().owner_pool();
  auto conn = owner.Acquire();
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(
      (*conn)
          ->Exec("UPDATE dnc_list SET expires_at = now() - interval '1 minute' WHERE id = $1",
                 db::Params().Add(id))
          .ok());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (OnDnc(admin_.Get("/api/dnc/check?phone=%2B12065550100")) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(OnDnc(admin_.Get("/api/dnc/check?phone=%2B12065550100")));
  auto readded = admin_.Post("/api/dnc", R"({"phone":"+12065550100","reason":"asked again"})");
  ASSERT_EQ(readded.status, 201) << readded.body;
  EXPECT_NE(readded.Json().Find("id")->as_string(), id);
  EXPECT_TRUE(OnDnc(admin_.Get("/api/dnc/check?phone=%2B12065550100")));
  auto old = admin_.Get("/api/dnc/" + id).Json();
  EXPECT_EQ(old.Find("removal_reason")->as_string(), "expired, re-added");
}

TEST_F(DncApi, ValidationAndBatchOrder) {
  EXPECT_EQ(admin_.Get("/api/dnc/check?phone=not-a-phone").status, 422);
  EXPECT_EQ(admin_.Get("/api/dnc/check?phone=%2B15555550100").status, 422);
  EXPECT_EQ(admin_.Get("/api/dnc/check").status, 422);
  EXPECT_EQ(admin_.Post("/api/dnc", R"({"phone":"12"})").status, 422);
  EXPECT_EQ(admin_.Post("/api/dnc", R"({"reason":"x"})").status, 422);
  EXPECT_EQ(admin_.Post("/api/dnc", R"({"phone":"+12065550100","source":"psychic"})").status, 422);
  EXPECT_EQ(admin_.Post("/api/dnc", R"({"phone":"+12065550100","colour":"red"})").status, 422);

  admin_.Post("/api/dnc", R"({"phone":"+12065550102"})");
  admin_.Post("/api/dnc", R"({"phone":"+12065550104"})");
  std::string phones;
  std::vector<std::string> inputs;
  for (int i = 0; i < 1000; ++i)
    inputs.push_back("+120655" + std::to_string(50000 + i).substr(0, 5));
  inputs[3] = "garbage";
  inputs[7] = "(206) 555-0104";
  inputs[0] = "+12065550102";
  for (const auto& p : inputs) phones += (phones.empty() ? "\"" : ",\"") + p + "\"";
  auto r = admin_.Post("/api/dnc/check", "{\"phones\":[" + phones + "]}");
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 500);
  auto results = r.Json().Find("results")->items();
  ASSERT_EQ(results.size(), inputs.size());
  EXPECT_TRUE(results[0].Find("on_dnc")->as_bool());
  EXPECT_EQ(results[3].Find("phone")->as_string(), "garbage");
  EXPECT_NE(results[3].Find("error"), nullptr);
  EXPECT_FALSE(results[3].Find("on_dnc")->as_bool());
  EXPECT_EQ(results[7].Find("phone")->as_string(), "+12065550104");
  EXPECT_TRUE(results[7].Find("on_dnc")->as_bool());
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (i == 3 || i == 7) continue;
    EXPECT_EQ(results[i].Find("phone")->as_string(), inputs[i]) << "input order, index " << i;
  }
  EXPECT_EQ(admin_.Post("/api/dnc/check", R"({"phones":"+12065550100"})").status, 422);
  std::string too_many = "{\"phones\":[";
  for (int i = 0; i < 10001; ++i) too_many += (i ? ",\"+12065550100\"" : "\"+12065550100\"");
  EXPECT_EQ(admin_.Post("/api/dnc/check", too_many + "]}").status, 422);
}

TEST_F(DncApi, ListPagination) {
  for (int i = 0; i < 7; ++i) {
    ASSERT_EQ(
        admin_.Post("/api/dnc", "{\"phone\":\"+1206555010" + std::to_string(i) + "\"}").status,
        201);
  }
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto r = admin_.Get("/api/dnc?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    auto body = r.Json();
    for (const auto& e : body.Find("data")->items()) seen.insert(e.Find("id")->as_string());
    cursor = body.Find("next_cursor")->is_null() ? "" : body.Find("next_cursor")->as_string();
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(admin_.Get("/api/dnc?limit=501").status, 400);
  EXPECT_EQ(admin_.Get("/api/dnc?cursor=bogus").status, 400);
}

TEST_F(DncApi, EveryStopKeywordListsTheNumber) {
  int n = 0;
  for (const char* keyword :
       {"STOP", "stopall", "Unsubscribe", "CANCEL", "end.", "Quit!", "revoke", "OPT-OUT"}) {
    std::string phone = "+1206555020" + std::to_string(n++);
    auto r =
        admin_.Post("/api/interactions", R"({"phone":")" + phone +
                                             R"(","channel":"sms","direction":"inbound","body":")" +
                                             keyword + R"("})");
    ASSERT_EQ(r.status, 201) << r.body;
    auto json = r.Json();
    auto optout = json.Find("optout");
    EXPECT_EQ(optout->Find("kind")->as_string(), "keyword") << keyword;
    EXPECT_EQ(optout->Find("action")->as_string(), "dnc_added") << keyword;
    auto check = admin_.Get("/api/dnc/check?phone=" + std::string("%2B") + phone.substr(1));
    EXPECT_TRUE(OnDnc(check)) << keyword;
    auto listed = admin_.Get("/api/dnc?phone=%2B" + phone.substr(1)).Json().Find("data")->items();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].Find("source")->as_string(), "sms_stop");
  }
  // Near misses and our own outbound messages do nothing.
  for (const auto& [direction, body] :
       std::vector<std::pair<std::string, std::string>>{{"inbound", "stopping by later"},
                                                        {"inbound", "I'll stop by at 5"},
                                                        {"outbound", "Reply STOP to opt out"}}) {
    auto r = admin_.Post("/api/interactions",
                         R"({"phone":"+12065550299","channel":"sms","direction":")" + direction +
                             R"(","body":")" + body + R"("})");
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.Json().Find("optout")->Find("action")->as_string(), "none") << body;
  }
  EXPECT_FALSE(OnDnc(admin_.Get("/api/dnc/check?phone=%2B12065550299")));
  // The webhook form of an inbound SMS.
  auto hook = admin_.Send("POST", "/api/webhooks/sms/inbound",
                          "From=%2B12065550298&To=%2B12065550000&Body=Stop",
                          {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(hook.status, 200) << hook.body;
  EXPECT_TRUE(OnDnc(admin_.Get("/api/dnc/check?phone=%2B12065550298")));
}

TEST_F(DncApi, PhrasesListOrQueueForReview) {
  HttpClient manager = User(org_.api_key, "manager@acme.test", "manager");
  HttpClient agent = User(org_.api_key, "agent@acme.test", "agent");
  auto confident = agent.Post(
      "/api/interactions",
      R"({"phone":"+12065550300","channel":"call","direction":"outbound","transcript":"Agent: hello. Lead: please take me off your list."})");
  ASSERT_EQ(confident.status, 201) << confident.body;
  EXPECT_EQ(confident.Json().Find("optout")->Find("action")->as_string(), "dnc_added");
  auto listed = agent.Get("/api/dnc?phone=%2B12065550300").Json().Find("data")->items();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].Find("source")->as_string(), "ai_opt_out");

  auto weak = agent.Post(
      "/api/interactions",
      R"({"phone":"+12065550301","channel":"sms","direction":"inbound","body":"not interested"})");
  ASSERT_EQ(weak.status, 201) << weak.body;
  EXPECT_EQ(weak.Json().Find("optout")->Find("action")->as_string(), "review");
  EXPECT_FALSE(OnDnc(agent.Get("/api/dnc/check?phone=%2B12065550301")));
  EXPECT_EQ(agent.Get("/api/dnc/review").status, 403);
  auto queue = manager.Get("/api/dnc/review").Json().Find("data")->items();
  ASSERT_EQ(queue.size(), 1u);
  std::string id = queue[0].Find("id")->as_string();
  EXPECT_EQ(queue[0].Find("phone")->as_string(), "+12065550301");
  auto accepted = manager.Post("/api/dnc/review/" + id + "/accept", "");
  EXPECT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(accepted.Json().Find("status")->as_string(), "accepted");
  EXPECT_TRUE(OnDnc(agent.Get("/api/dnc/check?phone=%2B12065550301")));
  EXPECT_EQ(manager.Post("/api/dnc/review/" + id + "/dismiss", "").status, 409);
  EXPECT_EQ(manager.Get("/api/dnc/review").Json().Find("data")->items().size(), 0u);
  EXPECT_EQ(manager.Get("/api/dnc/review?status=all").Json().Find("data")->items().size(), 1u);
  EXPECT_EQ(app_->Client(other_.api_key).Post("/api/dnc/review/" + id + "/accept", "").status, 404);
}

TEST_F(DncApi, NationalRegistryUploadAndCheck) {
  HttpClient agent = User(org_.api_key, "agent@acme.test", "agent");
  auto status = agent.Get("/api/dnc/registry").Json();
  EXPECT_FALSE(status.Find("loaded")->as_bool());
  std::string file = "206,5550400\n206,5550401\n425,5550400\n";
  EXPECT_EQ(
      agent.Send("POST", "/api/dnc/registry?as_of=2026-01-02", file, {{"Content-Type", "text/csv"}})
          .status,
      403);
  EXPECT_EQ(admin_.Send("POST", "/api/dnc/registry", file, {{"Content-Type", "image/png"}}).status,
            415);
  auto up = admin_.Send("POST", "/api/dnc/registry?as_of=2026-01-02&name=full.csv", file,
                        {{"Content-Type", "text/csv"}});
  ASSERT_EQ(up.status, 201) << up.body;
  EXPECT_EQ(up.Json().Find("added")->as_int(), 3);
  auto check = agent.Get("/api/dnc/check?phone=%2B12065550400").Json();
  EXPECT_TRUE(check.Find("on_dnc")->as_bool());
  EXPECT_EQ(check.Find("sources")->items()[0].as_string(), "national");
  auto changes = admin_.Send("POST", "/api/dnc/registry?as_of=2026-01-03&kind=changes",
                             "206,5550400,D\n", {{"Content-Type", "text/plain"}});
  ASSERT_EQ(changes.status, 201) << changes.body;
  EXPECT_FALSE(OnDnc(agent.Get("/api/dnc/check?phone=%2B12065550400")));
  EXPECT_TRUE(OnDnc(agent.Get("/api/dnc/check?phone=%2B12065550401")));
  // Both lists at once.
  admin_.Post("/api/dnc", R"({"phone":"+14255550400"})");
  auto both = agent.Get("/api/dnc/check?phone=%2B14255550400").Json().Find("sources")->items();
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].as_string(), "organization");
  EXPECT_EQ(both[1].as_string(), "national");
  status = agent.Get("/api/dnc/registry").Json();
  EXPECT_TRUE(status.Find("loaded")->as_bool());
  EXPECT_EQ(status.Find("numbers")->as_int(), 2);
  EXPECT_EQ(status.Find("as_of")->as_string(), "2026-01-03");
  EXPECT_EQ(admin_.Send("POST", "/api/dnc/registry", "206,55504\n", {{"Content-Type", "text/csv"}})
                .status,
            422);
}

// An agent acts only on the leads assigned to them and the unassigned ones: another agent's
// lead is 404 on the consent, compliance-log, call and interaction routes too.
TEST_F(DncApi, AgentsCannotReachOtherAgentsLeadsThroughComplianceRoutes) {
  HttpClient agent = User(org_.api_key, "agent@acme.test", "agent");
  auto other = admin_.Post("/api/users", R"({"email":"other@acme.test",)"
                                         R"("password":"correct-horse-1","role":"agent"})");
  ASSERT_EQ(other.status, 201) << other.body;
  auto hidden = admin_.Post("/api/leads", R"({"phone":"+12065550150","assigned_to":")" +
                                              other.Json().Find("id")->as_string() + R"("})");
  ASSERT_EQ(hidden.status, 201) << hidden.body;
  const std::string id = hidden.Json().Find("id")->as_string();
  const std::string consent = R"({"channel":"call","disclosure_text":"x","method":"verbal"})";
  EXPECT_EQ(agent.Get("/api/leads/" + id + "/consents").status, 404);
  EXPECT_EQ(agent.Get("/api/leads/" + id + "/compliance-log").status, 404);
  EXPECT_EQ(agent.Post("/api/leads/" + id + "/consents", consent).status, 404);
  EXPECT_EQ(agent.Post("/api/leads/" + id + "/consents/revoke", "{}").status, 404);
  EXPECT_EQ(agent.Post("/api/calls", R"({"lead_id":")" + id + R"("})").status, 404);
  EXPECT_EQ(
      agent
          .Post("/api/interactions",
                R"({"lead_id":")" + id + R"(","channel":"note","direction":"inbound","body":"hi"})")
          .status,
      404);
  // By number the interaction is still recorded (an opt-out must reach the lead), without
  // telling the agent which lead has the number.
  auto by_phone = agent.Post("/api/interactions", R"({"phone":"+12065550150","channel":"sms",)"
                                                  R"("direction":"inbound","body":"hello"})");
  ASSERT_EQ(by_phone.status, 201) << by_phone.body;
  EXPECT_TRUE(by_phone.Json().Find("lead_id") == nullptr ||
              by_phone.Json().Find("lead_id")->is_null())
      << by_phone.body;
  // The admin sees it all.
  EXPECT_EQ(admin_.Get("/api/leads/" + id + "/consents").status, 200);
  EXPECT_EQ(admin_.Post("/api/leads/" + id + "/consents", consent).status, 201);
}

// Consents and revocations record what happened: not in the future, and their text whole.
TEST_F(DncApi, ConsentTimesCannotBeInTheFutureAndTextKeepsEveryCharacter) {
  auto lead = admin_.Post("/api/leads", R"({"phone":"+12065550160"})");
  const std::string base = "/api/leads/" + lead.Json().Find("id")->as_string();
  auto future =
      admin_.Post(base + "/consents", R"({"channel":"call","disclosure_text":"ok",)"
                                      R"("method":"verbal","captured_at":"2999-01-01T00:00:00Z"})");
  EXPECT_EQ(future.status, 422) << future.body;
  EXPECT_NE(future.body.find("captured_at"), std::string::npos) << future.body;
  auto revoked = admin_.Post(base + "/consents/revoke", R"({"revoked_at":"2999-01-01T00:00:00Z"})");
  EXPECT_EQ(revoked.status, 422) << revoked.body;
  EXPECT_NE(revoked.body.find("revoked_at"), std::string::npos) << revoked.body;

  // A NUL would cut the stored text short: refused, naming the field.
  auto nul =
      admin_.Post(base + "/consents", R"({"channel":"call","disclosure_text":"I agree\u0000 not",)"
                                      R"("method":"verbal"})");
  EXPECT_EQ(nul.status, 422) << nul.body;
  EXPECT_NE(nul.body.find("disclosure_text"), std::string::npos) << nul.body;
  auto listed = admin_.Post("/api/dnc", R"({"phone":"+12065550161","reason":"a\u0000b"})");
  EXPECT_EQ(listed.status, 422) << listed.body;
  auto payload = admin_.Post("/api/interactions", R"({"phone":"+12065550162","channel":"sms",)"
                                                  R"("direction":"inbound","body":"hi",)"
                                                  R"("payload":{"k":"a\u0000b"}})");
  EXPECT_EQ(payload.status, 422) << payload.body;
  EXPECT_NE(payload.body.find("payload"), std::string::npos) << payload.body;
  // One reason per field: a wrong type is not also "required".
  auto typed = admin_.Post(base + "/consents",
                           R"({"channel":"call","disclosure_text":5,"method":"verbal"})");
  EXPECT_EQ(typed.status, 422) << typed.body;
  EXPECT_EQ(typed.Json().Find("errors")->items().size(), 1u) << typed.body;
  // Evidence fields hold what they say: an IP address, a web link.
  auto ip = admin_.Post(base + "/consents", R"({"channel":"call","disclosure_text":"ok",)"
                                            R"("method":"verbal","source_ip":"not-an-ip"})");
  EXPECT_EQ(ip.status, 422) << ip.body;
  EXPECT_NE(ip.body.find("source_ip"), std::string::npos) << ip.body;
  auto link = admin_.Post(base + "/consents",
                          R"({"channel":"call","disclosure_text":"ok",)"
                          R"x("method":"verbal","evidence_url":"javascript:alert(1)"})x");
  EXPECT_EQ(link.status, 422) << link.body;
  EXPECT_NE(link.body.find("evidence_url"), std::string::npos) << link.body;
  EXPECT_EQ(admin_.Get(base + "/consents").Json().Find("data")->items().size(), 0u);
  auto good = admin_.Post(base + "/consents",
                          R"({"channel":"call","disclosure_text":"ok","method":"web_form",)"
                          R"("source_ip":"2001:db8::1","evidence_url":"https://example.com/c/1"})");
  EXPECT_EQ(good.status, 201) << good.body;
}

// Limits count characters, as the documentation states them, not bytes.
TEST_F(DncApi, TextLimitsCountCharacters) {
  std::string e600, e1001;
  for (int i = 0; i < 600; ++i) e600 += "\xC3\xA9";  // é
  for (int i = 0; i < 1001; ++i) e1001 += "e";
  EXPECT_EQ(
      admin_.Post("/api/dnc", R"({"phone":"+12065550180","reason":")" + e600 + R"("})").status,
      201);
  auto over = admin_.Post("/api/dnc", R"({"phone":"+12065550181","reason":")" + e1001 + R"("})");
  EXPECT_EQ(over.status, 422) << over.body;
  EXPECT_NE(over.body.find("1000 characters"), std::string::npos) << over.body;
  std::string name150, pw150;
  for (int i = 0; i < 150; ++i) name150 += "\xC3\xA9";
  pw150 = name150;
  auto user = admin_.Post("/api/users", R"({"email":"e@acme.test","password":")" + pw150 +
                                            R"(","role":"agent","name":")" + name150 + R"("})");
  EXPECT_EQ(user.status, 201) << user.body;
  EXPECT_EQ(admin_.Post("/api/api-keys", R"({"name":")" + name150 + R"("})").status, 201);
}

// Lists refuse parameters they do not know (a typo never silently lists everything) and
// parameters given twice.
TEST_F(DncApi, ListsRefuseUnknownAndRepeatedParameters) {
  auto lead = admin_.Post("/api/leads", R"({"phone":"+12065550190"})");
  const std::string log = "/api/leads/" + lead.Json().Find("id")->as_string() + "/compliance-log";
  for (const std::string& path :
       {log + "?foo=1", log + "?limit=5&limit=6", std::string("/api/dnc?phon=1"),
        std::string("/api/dnc/review?state=pending"), std::string("/api/imports?stauts=failed"),
        std::string("/api/connectors?kind=hubspot")}) {
    auto r = admin_.Get(path);
    EXPECT_EQ(r.status, 400) << path << " " << r.body;
  }
  EXPECT_EQ(admin_.Get(log + "?limit=5").status, 200);
  EXPECT_EQ(admin_.Get("/api/dnc?include=all&limit=5").status, 200);
  EXPECT_EQ(admin_.Get("/api/dnc/review?status=pending").status, 200);
  EXPECT_EQ(admin_.Get("/api/imports?limit=5").status, 200);
  EXPECT_EQ(admin_.Get("/api/connectors?limit=5").status, 200);
}

// A query parameter or form field that is not UTF-8 text is refused naming it, never passed to
// the database.
TEST_F(DncApi, ParametersAndFormFieldsMustBeUtf8Text) {
  auto entry = admin_.Post("/api/dnc", R"({"phone":"+12065550170"})");
  ASSERT_EQ(entry.status, 201) << entry.body;
  auto removed = admin_.Send(
      "DELETE", "/api/dnc/" + entry.Json().Find("id")->as_string() + "?reason=a%FFb", "", {});
  EXPECT_EQ(removed.status, 400) << removed.body;
  EXPECT_NE(removed.body.find("reason"), std::string::npos) << removed.body;
  EXPECT_EQ(admin_.Get("/api/leads?q=%00").status, 400);
  auto hook = admin_.Send("POST", "/api/webhooks/sms/inbound", "From=%2B12065550171&Body=%FF",
                          {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(hook.status, 422) << hook.body;
  EXPECT_NE(hook.body.find("Body"), std::string::npos) << hook.body;
  auto bad_from = admin_.Send("POST", "/api/webhooks/sms/inbound", "From=abc&Body=hi",
                              {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(bad_from.status, 422) << bad_from.body;
  EXPECT_NE(bad_from.body.find("\"From\""), std::string::npos) << bad_from.body;
}

}  // namespace
}  // namespace leadline
