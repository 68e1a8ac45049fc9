// Black-box HTTP tests of the leads API: CRUD, validation, duplicates, If-Match, history,
// status machine, assignment, merge, tags, roles and tenancy.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <set>
#include <thread>

#include "leads/lead_validation.h"
#include "support/test_app.h"

namespace leadline {
namespace {

using testing::HttpClient;
using testing::HttpResult;
using testing::TestApp;

struct Actor {
  std::string id;
  std::string token;
};

class LeadsApi : public ::testing::Test {
 protected:
  void SetUp() override {
    app_ = std::make_unique<TestApp>();
    org_ = app_->db().CreateOrganization("Acme", "boss@acme.test", "correct-horse-1");
  }

  HttpClient Admin() { return app_->Client(org_.api_key); }

  // A user of `org` with an API key (no password hashing on the hot path).
  Actor MakeUser(const std::string& role, const std::string& email,
                 const auth::NewOrganization* org = nullptr) {
    const auth::NewOrganization& o = org ? *org : org_;
    auto r = app_->Client(o.api_key).Post(
        "/api/users",
        R"({"email":")" + email + R"(","password":"pass-word-1","role":")" + role + R"("})");
    EXPECT_EQ(r.status, 201) << r.body;
    Actor a;
    a.id = r.Json().Find("id")->as_string();
    auth::AuthService service(app_->db().app_pool());
    auth::Principal p;
    p.organization_id = o.organization_id;
    p.user_id = a.id;
    p.role = *auth::ParseRole(role);
    auto key = service.CreateApiKey(p, "test");
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    a.token = key->api_key;
    return a;
  }

  // Creates a lead as `client` and returns its JSON.
  json::Value Create(HttpClient client, const std::string& body) {
    auto r = client.Post("/api/leads", body);
    EXPECT_EQ(r.status, 201) << body << " -> " << r.body;
    return r.Json();
  }
  json::Value Create(const std::string& body) { return Create(Admin(), body); }
  std::string CreateId(const std::string& body) { return Create(body).Find("id")->as_string(); }

  std::string Scalar(const std::string& sql, const db::Params& params = {}) {
    auto conn = app_->db().owner_pool().Acquire();
    EXPECT_TRUE(conn.ok());
    auto rows = (*conn)->Exec(sql, params);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok() || rows->empty() || rows->IsNull(0, 0)) return "";
    return std::string(rows->Get(0, 0));
  }
  int64_t AuditCount(const std::string& lead_id) {
    return std::stoll(Scalar("SELECT count(*) FROM lead_audit_log WHERE lead_id = $1",
                             db::Params().Add(lead_id)));
  }

  static void ExpectProblem(const HttpResult& r, int status, const std::string& field = "") {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.Header("content-type"), "application/problem+json") << r.body;
    if (field.empty()) return;
    auto body = r.Json();
    const json::Value* errors = body.Find("errors");
    ASSERT_NE(errors, nullptr) << r.body;
    bool found = false;
    for (const auto& e : errors->items()) found = found || e.Find("field")->as_string() == field;
    EXPECT_TRUE(found) << "no error for field " << field << ": " << r.body;
  }

  static std::string Str(const json::Value& v, const char* key) {
    const json::Value* m = v.Find(key);
    return m && m->is_string() ? m->as_string() : "";
  }

  std::unique_ptr<TestApp> app_;
  auth::NewOrganization org_;
};

constexpr char kJane[] =
    R"({"first_name":"Jane","last_name":"Doe","email":"Jane@Example.com","phone":"(206) 555-0100",)"
    R"("source":"web","tags":["vip"," hot ","vip"],"lead_score":40,"timezone":"America/Los_Angeles",)"
    R"("company":"Initech","title":"CTO","metadata":{"utm":"spring"}})";

TEST_F(LeadsApi, CreateReturns201WithLocationETagAndNormalisedLead) {
  auto r = Admin().Post("/api/leads", kJane);
  ASSERT_EQ(r.status, 201) << r.body;
  auto lead = r.Json();
  std::string id = Str(lead, "id");
  EXPECT_EQ(r.Header("location"), "/api/leads/" + id);
  EXPECT_EQ(r.Header("etag"), "\"1\"");
  EXPECT_EQ(Str(lead, "phone"), "+12065550100") << "national input read in the org's region";
  EXPECT_EQ(Str(lead, "email"), "jane@example.com");
  EXPECT_EQ(Str(lead, "status"), "new");
  EXPECT_EQ(lead.Find("lead_score")->as_int(), 40);
  EXPECT_EQ(lead.Find("version")->as_int(), 1);
  EXPECT_EQ(json::Serialize(*lead.Find("tags")), R"(["vip","hot"])");
  EXPECT_EQ(json::Serialize(*lead.Find("metadata")), R"({"utm":"spring"})");
  EXPECT_EQ(Str(lead, "timezone"), "America/Los_Angeles");
  EXPECT_EQ(Str(lead, "company"), "Initech");
  EXPECT_TRUE(lead.Find("assigned_to")->is_null());
  EXPECT_EQ(lead.Find("deleted_at"), nullptr);
  EXPECT_EQ(Str(lead, "created_at").size(), 20u) << "RFC 3339 UTC";
  EXPECT_EQ(Str(lead, "created_at").back(), 'Z');

  auto got = Admin().Get("/api/leads/" + id);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.Header("etag"), "\"1\"");
  EXPECT_EQ(got.body, r.body);
}

TEST_F(LeadsApi, CreateNeedsPhoneOrEmail) {
  auto r = Admin().Post("/api/leads", R"({"first_name":"Nobody"})");
  ExpectProblem(r, 422, "phone");
  ExpectProblem(r, 422, "email");
  ExpectProblem(Admin().Post("/api/leads", R"({"phone":null,"email":"  "})"), 422, "phone");
  EXPECT_EQ(Admin().Post("/api/leads", R"({"email":"only@example.com"})").status, 201);
  EXPECT_EQ(Admin().Post("/api/leads", R"({"phone":"+442079460958"})").status, 201);
}

TEST_F(LeadsApi, EveryInvalidFieldIs422NamingIt) {
  const std::pair<std::string, std::string> cases[] = {
      {R"({"phone":"not-a-number"})", "phone"},
      {R"({"phone":"+1 555 555 0100"})", "phone"},
      {R"({"email":"nope"})", "email"},
      {R"({"email":"a@b.c","status":"won"})", "status"},
      {R"({"email":"a@b.c","status":null})", "status"},
      {R"({"email":"a@b.c","lead_score":101})", "lead_score"},
      {R"({"email":"a@b.c","lead_score":-1})", "lead_score"},
      {R"({"email":"a@b.c","lead_score":"50"})", "lead_score"},
      {R"({"email":"a@b.c","lead_score":5.5})", "lead_score"},
      {R"({"email":"a@b.c","timezone":"Mars/Olympus_Mons"})", "timezone"},
      {R"({"email":"a@b.c","timezone":"not a zone"})", "timezone"},
      {R"({"email":"a@b.c","first_name":")" + std::string(201, 'x') + R"("})", "first_name"},
      {R"({"email":"a@b.c","last_name":5})", "last_name"},
      {R"({"email":"a@b.c","source":")" + std::string(101, 's') + R"("})", "source"},
      {R"({"email":"a@b.c","tags":"vip"})", "tags"},
      {R"({"email":"a@b.c","tags":[")" + std::string(51, 't') + R"("]})", "tags"},
      {R"({"email":"a@b.c","tags":[""]})", "tags"},
      {R"({"email":"a@b.c","tags":[1]})", "tags"},
      {R"({"email":"a@b.c","assigned_to":"bob"})", "assigned_to"},
      {R"({"email":"a@b.c","assigned_to":"00000000-0000-4000-8000-000000000000"})", "assigned_to"},
      {R"({"email":"a@b.c","metadata":[1,2]})", "metadata"},
      {R"({"email":"a@b.c","favourite_colour":"blue"})", "favourite_colour"},
  };
  for (const auto& [body, field] : cases) {
    SCOPED_TRACE(body);
    ExpectProblem(Admin().Post("/api/leads", body), 422, field);
  }
  std::string many = R"({"email":"a@b.c","tags":[)";
  for (int i = 0; i < 101; ++i)
    many += (i ? "," : "") + std::string("\"t") + std::to_string(i) + "\"";
  ExpectProblem(Admin().Post("/api/leads", many + "]}"), 422, "tags");
  EXPECT_EQ(Scalar("SELECT count(*) FROM leads"), "0") << "nothing was written";
}

// Wrong types and wrong values are reported together, on create and on update.
TEST_F(LeadsApi, TypeAndValueErrorsAreReportedTogether) {
  auto field_errors = [](const HttpResult& r) {
    std::set<std::string> fields;
    const json::Value body = r.Json();
    for (const auto& e : body.Find("errors")->items()) fields.insert(e.Find("field")->as_string());
    return fields;
  };
  auto created =
      Admin().Post("/api/leads", R"({"email":"nope","lead_score":"high","status":"won"})");
  EXPECT_EQ(created.status, 422) << created.body;
  EXPECT_EQ(field_errors(created), (std::set<std::string>{"email", "lead_score", "status"}))
      << created.body;
  // A phone of the wrong type: no "needs a phone or an email" on top of it.
  auto typed = Admin().Post("/api/leads", R"({"phone":2065550100,"lead_score":101})");
  EXPECT_EQ(field_errors(typed), (std::set<std::string>{"phone", "lead_score"})) << typed.body;
  EXPECT_EQ(Scalar("SELECT count(*) FROM leads"), "0") << "nothing was written";

  auto lead = Admin().Post("/api/leads", R"({"email":"a@example.com"})");
  ASSERT_EQ(lead.status, 201) << lead.body;
  auto patched = Admin().Patch("/api/leads/" + lead.Json().Find("id")->as_string(),
                               R"({"tags":"vip","timezone":"not a zone","first_name":7})");
  EXPECT_EQ(patched.status, 422) << patched.body;
  EXPECT_EQ(field_errors(patched), (std::set<std::string>{"tags", "timezone", "first_name"}))
      << patched.body;
  // Clearing both contacts names both.
  auto cleared = Admin().Patch("/api/leads/" + lead.Json().Find("id")->as_string(),
                               R"({"email":null,"phone":null})");
  EXPECT_EQ(field_errors(cleared), (std::set<std::string>{"phone", "email"})) << cleared.body;
  // A weak entity tag must be quoted.
  auto weak = Admin().Send("PATCH", "/api/leads/" + lead.Json().Find("id")->as_string(),
                           R"({"first_name":"X"})",
                           {{"Content-Type", "application/json"}, {"If-Match", "W/1"}});
  EXPECT_EQ(weak.status, 400) << weak.body;
}

TEST_F(LeadsApi, MalformedBodiesAre400Or415) {
  ExpectProblem(Admin().Post("/api/leads", R"({"email": )"), 400);
  ExpectProblem(Admin().Post("/api/leads", "[1]"), 400);
  ExpectProblem(Admin().Post("/api/leads", "{\"first_name\":\"\xff\xfe\",\"email\":\"a@b.c\"}"),
                400);
  ExpectProblem(Admin().Send("POST", "/api/leads", "email=a", {{"Content-Type", "text/plain"}}),
                415);
  std::string id = CreateId(R"({"email":"a@b.c"})");
  ExpectProblem(Admin().Patch("/api/leads/" + id, "{nope"), 400);
  ExpectProblem(Admin().Patch("/api/leads/" + id, R"({"lead_score":"high"})"), 422, "lead_score");
  // Which of two values for one member is meant is ambiguous: refused, nothing changed.
  auto twice = Admin().Patch("/api/leads/" + id, R"({"status":"lost","status":"contacted"})");
  ExpectProblem(twice, 400);
  EXPECT_NE(twice.body.find("status"), std::string::npos) << twice.body;
  EXPECT_EQ(Admin().Get("/api/leads/" + id).Json().Find("status")->as_string(), "new");
  // Media types are case-insensitive.
  EXPECT_EQ(Admin()
                .Send("POST", "/api/leads", R"({"email":"c@d.e"})",
                      {{"Content-Type", "Application/JSON"}})
                .status,
            201);
}

TEST_F(LeadsApi, DuplicateLivePhoneIs409WithExistingId) {
  std::string first = CreateId(R"({"phone":"+12065550100"})");
  auto dup = Admin().Post("/api/leads", R"({"phone":"206.555.0100","first_name":"Again"})");
  ExpectProblem(dup, 409, "phone");
  EXPECT_EQ(Str(dup.Json(), "existing_id"), first);
  // A different number is fine, and deleting the first frees its number.
  EXPECT_EQ(Admin().Post("/api/leads", R"({"phone":"+12065550101"})").status, 201);
  ASSERT_EQ(Admin().Delete("/api/leads/" + first).status, 204);
  EXPECT_EQ(Admin().Post("/api/leads", R"({"phone":"+12065550100"})").status, 201);
  // Emails are not unique.
  EXPECT_EQ(Admin().Post("/api/leads", R"({"email":"same@example.com"})").status, 201);
  EXPECT_EQ(Admin().Post("/api/leads", R"({"email":"same@example.com"})").status, 201);
}

TEST_F(LeadsApi, PatchToATakenPhoneIs409WithExistingId) {
  std::string a = CreateId(R"({"phone":"+12065550100"})");
  std::string b = CreateId(R"({"phone":"+12065550101"})");
  auto r = Admin().Patch("/api/leads/" + b, R"({"phone":"(206) 555-0100"})");
  ExpectProblem(r, 409, "phone");
  EXPECT_EQ(Str(r.Json(), "existing_id"), a);
}

TEST_F(LeadsApi, MissingDeletedMalformedAndForeignIdsAre404) {
  std::string id = CreateId(R"({"email":"a@b.c"})");
  ExpectProblem(Admin().Get("/api/leads/00000000-0000-4000-8000-000000000000"), 404);
  ExpectProblem(Admin().Get("/api/leads/not-a-uuid"), 404);
  ExpectProblem(Admin().Get("/api/leads/" + id + "x"), 404);
  ASSERT_EQ(Admin().Delete("/api/leads/" + id).status, 204);
  ExpectProblem(Admin().Get("/api/leads/" + id), 404);
  ExpectProblem(Admin().Delete("/api/leads/" + id), 404);
  // Upper-case ids are the same id.
  std::string live = CreateId(R"({"email":"b@b.c"})");
  std::string upper = live;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(Admin().Get("/api/leads/" + upper).status, 200);
}

TEST_F(LeadsApi, PatchIsPartialNullClearsAndVersionGrows) {
  auto lead = Create(kJane);
  std::string id = Str(lead, "id");
  auto r = Admin().Patch("/api/leads/" + id, R"({"company":null,"lead_score":55,"title":"CEO"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("etag"), "\"2\"");
  auto after = r.Json();
  EXPECT_TRUE(after.Find("company")->is_null());
  EXPECT_EQ(after.Find("lead_score")->as_int(), 55);
  EXPECT_EQ(Str(after, "title"), "CEO");
  EXPECT_EQ(Str(after, "first_name"), "Jane") << "absent fields are kept";
  EXPECT_EQ(after.Find("version")->as_int(), 2);

  // Clearing the email keeps the lead valid through its phone; clearing both is 422.
  EXPECT_EQ(Admin().Patch("/api/leads/" + id, R"({"email":null})").status, 200);
  ExpectProblem(Admin().Patch("/api/leads/" + id, R"({"phone":null})"), 422, "phone");
  // A PATCH that changes nothing keeps the version.
  auto same = Admin().Patch("/api/leads/" + id, R"({"title":"CEO"})");
  ASSERT_EQ(same.status, 200);
  EXPECT_EQ(same.Json().Find("version")->as_int(), 3);
  ExpectProblem(Admin().Patch("/api/leads/" + id, R"({"id":"x"})"), 422, "id");
}

TEST_F(LeadsApi, StatusMachineConvertedIsTerminal) {
  std::string id = CreateId(R"({"email":"a@b.c"})");
  for (const char* s : {"contacted", "qualified", "new", "nurturing", "appointment_set", "lost",
                        "qualified", "converted"}) {
    auto r = Admin().Patch("/api/leads/" + id, std::string(R"({"status":")") + s + "\"}");
    ASSERT_EQ(r.status, 200) << s << r.body;
  }
  ExpectProblem(Admin().Patch("/api/leads/" + id, R"({"status":"lost"})"), 422, "status");
  auto same = Admin().Patch("/api/leads/" + id, R"({"status":"converted","title":"Owner"})");
  EXPECT_EQ(same.status, 200) << "converted -> converted is a no-op; other fields still change";

  auto hist = Admin().Get("/api/leads/" + id + "/status-history");
  ASSERT_EQ(hist.status, 200) << hist.body;
  auto data = hist.Json().Find("data")->items();
  ASSERT_EQ(data.size(), 9u) << "the initial status plus eight changes";
  EXPECT_EQ(Str(data[0], "to"), "converted") << "newest first";
  EXPECT_EQ(Str(data[0], "from"), "qualified");
  EXPECT_EQ(Str(data[0], "triggered_by"), "api");
  EXPECT_EQ(Str(data[0], "changed_by"), org_.user_id);
  EXPECT_TRUE(data[0].Find("time_in_previous_status")->is_number());
  EXPECT_TRUE(data[8].Find("from")->is_null());
  EXPECT_TRUE(data[8].Find("time_in_previous_status")->is_null());
  EXPECT_EQ(Str(data[8], "to"), "new");
}

TEST_F(LeadsApi, StaleIfMatchIs412AndChangesNothing) {
  std::string id = CreateId(R"({"email":"a@b.c"})");
  ASSERT_EQ(Admin().Patch("/api/leads/" + id, R"({"title":"v2"})").status, 200);
  int64_t audits = AuditCount(id);
  auto stale = Admin().Patch("/api/leads/" + id, R"({"title":"stale"})", {{"If-Match", "\"1\""}});
  ExpectProblem(stale, 412);
  EXPECT_EQ(stale.Json().Find("current_version")->as_int(), 2);
  auto now = Admin().Get("/api/leads/" + id).Json();
  EXPECT_EQ(now.Find("version")->as_int(), 2);
  EXPECT_EQ(Str(now, "title"), "v2");
  EXPECT_EQ(AuditCount(id), audits) << "no audit entry for a rejected write";
  ExpectProblem(Admin().Send("DELETE", "/api/leads/" + id, "", {{"If-Match", "1"}}), 412);

  int version = static_cast<int>(Admin().Get("/api/leads/" + id).Json().Find("version")->as_int());
  for (const std::string& header :
       {"\"" + std::to_string(version) + "\"", std::to_string(version + 1),
        "W/\"" + std::to_string(version + 2) + "\""}) {
    auto ok =
        Admin().Patch("/api/leads/" + id, R"({"lead_score":)" + std::to_string(version++) + "}",
                      {{"If-Match", header}});
    EXPECT_EQ(ok.status, 200) << header << ok.body;
  }
  ExpectProblem(Admin().Patch("/api/leads/" + id, R"({"title":"x"})", {{"If-Match", "abc"}}), 400,
                "If-Match");
}

TEST_F(LeadsApi, MergeHonoursIfMatchOnTheSurvivor) {
  std::string survivor = CreateId(R"({"email":"s@x.com","tags":["a"]})");
  std::string other = CreateId(R"({"phone":"+12065550100","first_name":"O","tags":["b"]})");
  ASSERT_EQ(Admin().Patch("/api/leads/" + survivor, R"({"title":"v2"})").status, 200);
  const std::string body = R"({"other_id":")" + other + "\"}";
  int64_t survivor_audits = AuditCount(survivor), other_audits = AuditCount(other);
  std::string tags_before = Admin().Get("/api/tags").body;

  // Stale: 412 naming the current version, and nothing written on either lead.
  auto stale = Admin().Send("POST", "/api/leads/" + survivor + "/merge", body,
                            {{"If-Match", "\"1\""}, {"Content-Type", "application/json"}});
  ExpectProblem(stale, 412);
  EXPECT_EQ(stale.Json().Find("current_version")->as_int(), 2);
  EXPECT_EQ(Admin().Get("/api/leads/" + other).status, 200) << "the other lead is still live";
  auto s = Admin().Get("/api/leads/" + survivor).Json();
  EXPECT_EQ(s.Find("version")->as_int(), 2);
  EXPECT_EQ(json::Serialize(*s.Find("tags")), R"(["a"])");
  EXPECT_EQ(AuditCount(survivor), survivor_audits);
  EXPECT_EQ(AuditCount(other), other_audits);
  EXPECT_EQ(Admin().Get("/api/tags").body, tags_before);
  // An If-Match naming the other lead's version is about the survivor too.
  ExpectProblem(Admin().Send("POST", "/api/leads/" + survivor + "/merge", body,
                             {{"If-Match", "1"}, {"Content-Type", "application/json"}}),
                412);
  ExpectProblem(Admin().Send("POST", "/api/leads/" + survivor + "/merge", body,
                             {{"If-Match", "x"}, {"Content-Type", "application/json"}}),
                400, "If-Match");

  // Current: the merge goes through and answers the survivor's new version.
  auto ok = Admin().Send("POST", "/api/leads/" + survivor + "/merge", body,
                         {{"If-Match", "W/\"2\""}, {"Content-Type", "application/json"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Header("etag"), "\"3\"");
  EXPECT_EQ(Str(*ok.Json().Find("lead"), "phone"), "+12065550100");
  ExpectProblem(Admin().Get("/api/leads/" + other), 404);
}

TEST_F(LeadsApi, ConcurrentPatchesWithoutIfMatchAreBothAppliedAndAudited) {
  std::string id = CreateId(R"({"email":"a@b.c"})");
  int64_t before = AuditCount(id);
  constexpr int kEach = 10;
  std::atomic<int> failures{0};
  auto worker = [&](const std::string& field) {
    HttpClient c = Admin();
    for (int i = 1; i <= kEach; ++i) {
      std::string value =
          field == "lead_score" ? std::to_string(i) : "\"" + field + std::to_string(i) + "\"";
      auto r = c.Patch("/api/leads/" + id, "{\"" + field + "\":" + value + "}");
      if (r.status != 200) ++failures;
    }
  };
  std::thread a(worker, "title");
  std::thread b(worker, "lead_score");
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);
  auto lead = Admin().Get("/api/leads/" + id).Json();
  EXPECT_EQ(Str(lead, "title"), "title10");
  EXPECT_EQ(lead.Find("lead_score")->as_int(), kEach);
  EXPECT_EQ(lead.Find("version")->as_int(), 1 + 2 * kEach);
  EXPECT_EQ(AuditCount(id), before + 2 * kEach) << "every change audited";
}

// Another transaction gives a lead the phone after this PATCH (or restore) found it free, and
// commits while the write waits on the unique index: the answer is still 409 naming that lead.
TEST_F(LeadsApi, PhoneTakenByAConcurrentWriteIs409WithExistingId) {
  const std::string patched = CreateId(R"({"phone":"+12065550101"})");
  const std::string deleted = CreateId(R"({"phone":"+12065550102"})");
  ASSERT_EQ(Admin().Delete("/api/leads/" + deleted).status, 204);
  const std::vector<std::pair<std::string, std::function<HttpResult()>>> writes = {
      {"+12065550199",
       [&] { return Admin().Patch("/api/leads/" + patched, R"({"phone":"+12065550199"})"); }},
      {"+12065550102", [&] { return Admin().Post("/api/leads/" + deleted + "/restore", ""); }},
  };
  for (const auto& [phone, write] : writes) {
    auto conn = app_->db().owner_pool().Acquire();
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->Exec("BEGIN").ok());
    auto competing =
        (*conn)->Exec("INSERT INTO leads (organization_id, phone) VALUES ($1, $2) RETURNING id",
                      db::Params().Add(org_.organization_id).Add(phone));
    ASSERT_TRUE(competing.ok()) << competing.status().ToString();
    const std::string competing_id(competing->Get(0, 0));

    std::atomic<bool> done{false};
    HttpResult result;
    std::thread request([&] {
      result = write();
      done = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    EXPECT_FALSE(done.load()) << phone << ": the write waits for the other transaction";
    ASSERT_TRUE((*conn)->Exec("COMMIT").ok());
    request.join();
    ExpectProblem(result, 409, "phone");
    EXPECT_EQ(Str(result.Json(), "existing_id"), competing_id) << phone << ": " << result.body;
  }
  EXPECT_EQ(Str(Admin().Get("/api/leads/" + patched).Json(), "phone"), "+12065550101");
  ExpectProblem(Admin().Get("/api/leads/" + deleted), 404);
}

TEST_F(LeadsApi, DeleteAndRestore) {
  std::string id = CreateId(R"({"phone":"+12065550100","email":"a@b.c"})");
  auto del = Admin().Delete("/api/leads/" + id);
  EXPECT_EQ(del.status, 204);
  EXPECT_TRUE(del.body.empty());
  ExpectProblem(Admin().Get("/api/leads/" + id), 404);
  EXPECT_EQ(Admin().Get("/api/leads").Json().Find("data")->items().size(), 0u);
  EXPECT_NE(Scalar("SELECT deleted_at FROM leads WHERE id = $1", db::Params().Add(id)), "")
      << "soft delete: the row stays";

  auto restored = Admin().Post("/api/leads/" + id + "/restore", "");
  ASSERT_EQ(restored.status, 200) << restored.body;
  EXPECT_EQ(restored.Json().Find("deleted_at"), nullptr);
  EXPECT_EQ(Admin().Get("/api/leads/" + id).status, 200);
  ExpectProblem(Admin().Post("/api/leads/" + id + "/restore", ""), 404);  // not deleted

  // Restoring while another live lead holds the number is a conflict.
  ASSERT_EQ(Admin().Delete("/api/leads/" + id).status, 204);
  std::string other = CreateId(R"({"phone":"+12065550100"})");
  auto conflict = Admin().Post("/api/leads/" + id + "/restore", "");
  ExpectProblem(conflict, 409);
  EXPECT_EQ(Str(conflict.Json(), "existing_id"), other);
}

TEST_F(LeadsApi, AuditEntriesForEveryKindOfChange) {
  std::string id = CreateId(R"({"first_name":"Ann","email":"ann@example.com","lead_score":10})");
  ASSERT_EQ(
      Admin().Patch("/api/leads/" + id, R"({"first_name":"Anne","status":"contacted"})").status,
      200);
  ASSERT_EQ(Admin().Delete("/api/leads/" + id).status, 204);
  ASSERT_EQ(Admin().Post("/api/leads/" + id + "/restore", "").status, 200);

  auto r = Admin().Get("/api/leads/" + id + "/history");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = r.Json();
  auto data = body.Find("data")->items();
  ASSERT_EQ(data.size(), 4u) << r.body;
  EXPECT_TRUE(body.Find("next_cursor")->is_null());
  EXPECT_EQ(Str(data[0], "action"), "restore");
  EXPECT_EQ(Str(data[1], "action"), "delete");
  EXPECT_EQ(Str(data[2], "action"), "update");
  EXPECT_EQ(Str(data[3], "action"), "create");
  for (const auto& e : data) {
    EXPECT_EQ(Str(e, "actor_id"), org_.user_id);
    EXPECT_EQ(Str(e, "at").back(), 'Z');
  }
  const json::Value* name = data[2].Find("changes")->Find("first_name");
  ASSERT_NE(name, nullptr) << r.body;
  EXPECT_EQ(name->Find("old")->as_string(), "Ann");
  EXPECT_EQ(name->Find("new")->as_string(), "Anne");
  EXPECT_EQ(data[2].Find("changes")->Find("status")->Find("new")->as_string(), "contacted");
  EXPECT_EQ(data[3].Find("changes")->Find("email")->Find("new")->as_string(), "ann@example.com");
  EXPECT_TRUE(data[3].Find("changes")->Find("email")->Find("old")->is_null());
  EXPECT_TRUE(data[1].Find("changes")->Find("deleted_at")->Find("old")->is_null());

  // Paging: one entry at a time, newest first, no repeats.
  std::vector<std::string> actions;
  std::string cursor;
  for (int i = 0; i < 10; ++i) {
    auto page = Admin().Get("/api/leads/" + id + "/history?limit=1" +
                            (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(page.status, 200) << page.body;
    auto pb = page.Json();
    for (const auto& e : pb.Find("data")->items()) actions.push_back(Str(e, "action"));
    if (pb.Find("next_cursor")->is_null()) break;
    cursor = pb.Find("next_cursor")->as_string();
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"restore", "delete", "update", "create"}));
  ExpectProblem(Admin().Get("/api/leads/" + id + "/history?limit=0"), 400, "limit");
  ExpectProblem(Admin().Get("/api/leads/" + id + "/history?cursor=zzz"), 400, "cursor");
}

TEST_F(LeadsApi, AssignmentWritesAssignmentRows) {
  Actor agent = MakeUser("agent", "agent@acme.test");
  Actor manager = MakeUser("manager", "manager@acme.test");
  std::string id = CreateId(R"({"email":"a@b.c","assigned_to":")" + agent.id + "\"}");
  EXPECT_EQ(
      Scalar("SELECT count(*) FROM lead_assignments WHERE lead_id = $1", db::Params().Add(id)),
      "1");
  auto r = Admin().Patch("/api/leads/" + id, R"({"assigned_to":")" + manager.id + "\"}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.Json(), "assigned_to"), manager.id);
  EXPECT_EQ(
      Scalar("SELECT previous_assignee::text || ' ' || assigned_to::text || ' ' || strategy || "
             "' ' || assigned_by::text FROM lead_assignments WHERE lead_id = $1 "
             "ORDER BY created_at DESC LIMIT 1",
             db::Params().Add(id)),
      agent.id + " " + manager.id + " manual " + org_.user_id);
  ASSERT_EQ(Admin().Patch("/api/leads/" + id, R"({"assigned_to":null})").status, 200);
  EXPECT_EQ(
      Scalar("SELECT count(*) FROM lead_assignments WHERE lead_id = $1 AND assigned_to IS NULL",
             db::Params().Add(id)),
      "1");
  ASSERT_EQ(Admin().Patch("/api/leads/" + id, R"({"assigned_to":null,"title":"x"})").status, 200);
  EXPECT_EQ(
      Scalar("SELECT count(*) FROM lead_assignments WHERE lead_id = $1", db::Params().Add(id)), "3")
      << "no row when the assignee does not change";

  auto other = app_->db().CreateOrganization("Other", "o@other.test", "correct-horse-1");
  ExpectProblem(Admin().Patch("/api/leads/" + id, R"({"assigned_to":")" + other.user_id + "\"}"),
                422, "assigned_to");

  auto timeline = Admin().Get("/api/leads/" + id + "/timeline");
  ASSERT_EQ(timeline.status, 200) << timeline.body;
  std::vector<std::string> types;
  auto events = timeline.Json();
  for (const auto& e : events.Find("data")->items()) types.push_back(Str(e, "type"));
  EXPECT_EQ(std::count(types.begin(), types.end(), "assignment"), 3);
  EXPECT_EQ(std::count(types.begin(), types.end(), "create"), 1);
  EXPECT_EQ(std::count(types.begin(), types.end(), "status_change"), 1);
  ASSERT_FALSE(types.empty());
  EXPECT_EQ(types.front(), "assignment") << "newest first: the release";
}

TEST_F(LeadsApi, AgentsSeeTheirOwnAndUnassignedLeadsOnly) {
  Actor agent = MakeUser("agent", "agent@acme.test");
  Actor agent2 = MakeUser("agent", "agent2@acme.test");
  HttpClient ac = app_->Client(agent.token);
  std::string mine = CreateId(R"({"email":"mine@x.com","assigned_to":")" + agent.id + "\"}");
  std::string theirs = CreateId(R"({"email":"theirs@x.com","assigned_to":")" + agent2.id + "\"}");
  std::string open = CreateId(R"({"email":"open@x.com"})");

  EXPECT_EQ(ac.Get("/api/leads/" + mine).status, 200);
  EXPECT_EQ(ac.Get("/api/leads/" + open).status, 200);
  ExpectProblem(ac.Get("/api/leads/" + theirs), 404);
  ExpectProblem(ac.Patch("/api/leads/" + theirs, R"({"title":"x"})"), 404);
  ExpectProblem(ac.Delete("/api/leads/" + theirs), 404);
  ExpectProblem(ac.Get("/api/leads/" + theirs + "/history"), 404);
  ExpectProblem(ac.Post("/api/leads/" + theirs + "/tags", R"({"add":["x"]})"), 404);

  auto list = ac.Get("/api/leads");
  ASSERT_EQ(list.status, 200);
  std::set<std::string> ids;
  auto listed = list.Json();
  for (const auto& l : listed.Find("data")->items()) ids.insert(Str(l, "id"));
  EXPECT_EQ(ids, (std::set<std::string>{mine, open}));
  EXPECT_EQ(Admin().Get("/api/leads").Json().Find("data")->items().size(), 3u);

  // Agents may take a lead or release it, not hand it to someone else.
  EXPECT_EQ(ac.Patch("/api/leads/" + open, R"({"assigned_to":")" + agent.id + "\"}").status, 200);
  ExpectProblem(ac.Patch("/api/leads/" + mine, R"({"assigned_to":")" + agent2.id + "\"}"), 403);
  EXPECT_EQ(ac.Patch("/api/leads/" + mine, R"({"assigned_to":null})").status, 200);
  // Only managers and admins merge or bulk delete.
  ExpectProblem(ac.Post("/api/leads/" + mine + "/merge", R"({"other_id":")" + open + "\"}"), 403);
  ExpectProblem(
      ac.Post("/api/leads/bulk", R"({"ids":[")" + mine + R"("],"operation":{"delete":true}})"),
      403);
  // An agent's own lead list via assigned_to=me.
  auto me = ac.Get("/api/leads?assigned_to=me");
  ASSERT_EQ(me.status, 200);
  ASSERT_EQ(me.Json().Find("data")->items().size(), 1u);
  EXPECT_EQ(Str(me.Json().Find("data")->items()[0], "id"), open);

  Actor manager = MakeUser("manager", "manager@acme.test");
  EXPECT_EQ(app_->Client(manager.token).Get("/api/leads/" + theirs).status, 200);
}

// Lead and history reads are single pipelined statements: the lead's visibility and state
// decide in the same statement as the page.
TEST_F(LeadsApi, SingleStatementReadsKeepVisibilityAndEmptyPages) {
  Actor agent = MakeUser("agent", "agent@acme.test");
  Actor agent2 = MakeUser("agent", "agent2@acme.test");
  HttpClient ac = app_->Client(agent.token);
  std::string mine = CreateId(R"({"email":"mine@x.com","assigned_to":")" + agent.id + "\"}");
  std::string theirs = CreateId(R"({"email":"theirs@x.com","assigned_to":")" + agent2.id + "\"}");
  for (const char* route : {"", "/history", "/status-history", "/timeline"}) {
    EXPECT_EQ(ac.Get("/api/leads/" + mine + route).status, 200) << route;
    ExpectProblem(ac.Get("/api/leads/" + theirs + route), 404);
    EXPECT_EQ(app_->Client(agent2.token).Get("/api/leads/" + theirs + route).status, 200) << route;
  }
  // A readable lead with nothing past the cursor (one older than every entry): 200, no data,
  // no cursor. A cursor of another list of the lead, or of another lead's, is a 400.
  const std::pair<const char*, leads::HistoryKind> kinds[] = {
      {"/history", leads::HistoryKind::kAudit},
      {"/status-history", leads::HistoryKind::kStatus},
      {"/timeline", leads::HistoryKind::kTimeline}};
  const std::string old_at = "2000-01-01T00:00:00.000000Z";
  const std::string any_id = "00000000-0000-4000-8000-000000000000";
  for (const auto& [route, kind] : kinds) {
    const std::string old_cursor =
        leads::EncodeHistoryCursor(leads::HistoryList(kind, mine), old_at, any_id);
    auto empty = ac.Get("/api/leads/" + mine + route + "?cursor=" + old_cursor);
    ASSERT_EQ(empty.status, 200) << route << " " << empty.body;
    EXPECT_TRUE(empty.Json().Find("data")->items().empty()) << route << " " << empty.body;
    EXPECT_TRUE(empty.Json().Find("next_cursor")->is_null()) << route;
    const std::string their_cursor =
        leads::EncodeHistoryCursor(leads::HistoryList(kind, theirs), old_at, any_id);
    ExpectProblem(ac.Get("/api/leads/" + theirs + route + "?cursor=" + their_cursor), 404);
    // Mine's cursor on theirs, or on another history of mine: not this list's.
    EXPECT_EQ(Admin().Get("/api/leads/" + theirs + route + "?cursor=" + old_cursor).status, 400);
    for (const auto& [other_route, other_kind] : kinds) {
      if (other_kind == kind) continue;
      EXPECT_EQ(ac.Get("/api/leads/" + mine + other_route + "?cursor=" + old_cursor).status, 400)
          << route << " cursor on " << other_route;
    }
  }
  // Delete, then page from the deleted lead's newest entry to its end.
  ASSERT_EQ(Admin().Delete("/api/leads/" + mine).status, 204);
  ExpectProblem(Admin().Get("/api/leads/" + mine), 404);
  auto page = Admin().Get("/api/leads/" + mine + "/history?limit=1");
  ASSERT_EQ(page.status, 200) << page.body;
  std::string cursor = page.Json().Find("next_cursor")->as_string();
  auto last = Admin().Get("/api/leads/" + mine + "/history?limit=1&cursor=" + cursor);
  ASSERT_EQ(last.status, 200) << last.body;
  ASSERT_EQ(last.Json().Find("data")->items().size(), 1u) << last.body;
  EXPECT_EQ(Str(last.Json().Find("data")->items()[0], "action"), "create");
  EXPECT_TRUE(last.Json().Find("next_cursor")->is_null());
  // An agent never reads a deleted lead's history, even one assigned to them.
  for (const char* route : {"/history", "/status-history", "/timeline"}) {
    ExpectProblem(ac.Get("/api/leads/" + mine + route), 404);
    EXPECT_EQ(Admin().Get("/api/leads/" + mine + route).status, 200) << route;
  }
}

TEST_F(LeadsApi, AnotherTenantsLeadIs404OnEveryRoute) {
  auto other = app_->db().CreateOrganization("Other", "o@other.test", "correct-horse-1");
  HttpClient them = app_->Client(other.api_key);
  std::string theirs =
      Create(them, R"({"phone":"+12065550100","tags":["secret"]})").Find("id")->as_string();
  std::string mine = CreateId(R"({"email":"mine@acme.test"})");
  const std::string path = "/api/leads/" + theirs;
  ExpectProblem(Admin().Get(path), 404);
  ExpectProblem(Admin().Patch(path, R"({"title":"x"})"), 404);
  ExpectProblem(Admin().Delete(path), 404);
  ExpectProblem(Admin().Post(path + "/restore", ""), 404);
  ExpectProblem(Admin().Post(path + "/merge", R"({"other_id":")" + mine + "\"}"), 404);
  ExpectProblem(Admin().Post("/api/leads/" + mine + "/merge", R"({"other_id":")" + theirs + "\"}"),
                404);
  ExpectProblem(Admin().Post(path + "/tags", R"({"add":["x"]})"), 404);
  ExpectProblem(Admin().Get(path + "/history"), 404);
  ExpectProblem(Admin().Get(path + "/status-history"), 404);
  ExpectProblem(Admin().Get(path + "/timeline"), 404);
  auto bulk = Admin().Post("/api/leads/bulk",
                           R"({"ids":[")" + theirs + R"("],"operation":{"set_status":"lost"}})");
  ASSERT_EQ(bulk.status, 200) << bulk.body;
  EXPECT_EQ(bulk.Json().Find("matched")->as_int(), 0);
  EXPECT_EQ(bulk.Json().Find("not_found")->as_int(), 1);
  EXPECT_EQ(Admin().Get("/api/leads").Json().Find("data")->items().size(), 1u);
  EXPECT_EQ(Admin().Get("/api/tags").Json().Find("data")->items().size(), 0u);
  // Their phone is not ours: the same number is free in this organization.
  EXPECT_EQ(Admin().Post("/api/leads", R"({"phone":"+12065550100"})").status, 201);
  // And nothing of theirs changed.
  auto still = them.Get(path).Json();
  EXPECT_EQ(still.Find("version")->as_int(), 1);
  EXPECT_EQ(Str(still, "status"), "new");
  // Malformed ids are 404 on every route too.
  for (const char* bad : {"/api/leads/nope", "/api/leads/nope/history",
                          "/api/leads/nope/status-history", "/api/leads/nope/timeline"}) {
    ExpectProblem(Admin().Get(bad), 404);
  }
  ExpectProblem(Admin().Patch("/api/leads/nope", R"({"title":"x"})"), 404);
  ExpectProblem(Admin().Delete("/api/leads/nope"), 404);
  ExpectProblem(Admin().Post("/api/leads/nope/restore", ""), 404);
  ExpectProblem(Admin().Post("/api/leads/nope/tags", R"({"add":["x"]})"), 404);
  ExpectProblem(Admin().Post("/api/leads/nope/merge", R"({"other_id":")" + mine + "\"}"), 404);
}

TEST_F(LeadsApi, MergeFillsFieldsUnionsTagsMovesEnrollmentsAndDeletesTheOther) {
  Actor agent = MakeUser("agent", "agent@acme.test");
  std::string survivor = CreateId(
      R"({"first_name":"Jane","email":"jane@example.com","tags":["vip"],"metadata":{"a":1}})");
  std::string other = CreateId(
      R"({"first_name":"Janet","last_name":"Doe","phone":"+12065550100","company":"Initech",)"
      R"("tags":["hot","vip"],"metadata":{"a":2,"b":3},"assigned_to":")" +
      agent.id + "\"}");
  // Three sequences: the survivor is already in s1; the other is in s1 and s2 (live) and
  // finished s3.
  std::string seqs = Scalar(
      "WITH s AS (INSERT INTO nurture_sequences (organization_id, name) "
      "SELECT $1::uuid, n FROM unnest(ARRAY['s1','s2','s3']) n RETURNING id, name) "
      "SELECT string_agg(id::text, ',' ORDER BY name) FROM s",
      db::Params().Add(org_.organization_id));
  std::string s1 = seqs.substr(0, 36), s2 = seqs.substr(37, 36), s3 = seqs.substr(74, 36);
  auto enroll = [&](const std::string& lead, const std::string& seq, const std::string& status) {
    Scalar(
        "INSERT INTO lead_sequence_enrollments (organization_id, lead_id, sequence_id, status) "
        "VALUES ($1, $2, $3, $4) RETURNING id",
        db::Params().Add(org_.organization_id).Add(lead).Add(seq).Add(status));
  };
  enroll(survivor, s1, "active");
  enroll(other, s1, "active");
  enroll(other, s2, "paused");
  enroll(other, s3, "completed");

  ExpectProblem(
      Admin().Post("/api/leads/" + survivor + "/merge", R"({"other_id":")" + survivor + "\"}"), 422,
      "other_id");
  ExpectProblem(Admin().Post("/api/leads/" + survivor + "/merge", R"({"other_id":"nope"})"), 422,
                "other_id");
  ExpectProblem(Admin().Post("/api/leads/" + survivor + "/merge", R"({})"), 422, "other_id");

  auto r = Admin().Post("/api/leads/" + survivor + "/merge", R"({"other_id":")" + other + "\"}");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = r.Json();
  EXPECT_EQ(Str(body, "merged_from"), other);
  const json::Value& lead = *body.Find("lead");
  EXPECT_EQ(Str(lead, "first_name"), "Jane") << "the survivor's values win";
  EXPECT_EQ(Str(lead, "last_name"), "Doe");
  EXPECT_EQ(Str(lead, "phone"), "+12065550100") << "the other's phone moved over";
  EXPECT_EQ(Str(lead, "company"), "Initech");
  EXPECT_EQ(Str(lead, "assigned_to"), agent.id);
  EXPECT_EQ(json::Serialize(*lead.Find("tags")), R"(["vip","hot"])");
  EXPECT_EQ(json::Serialize(*lead.Find("metadata")), R"({"a":1,"b":3})");
  const json::Value& moved = *body.Find("moved");
  EXPECT_EQ(json::Serialize(*moved.Find("fields")),
            R"(["last_name","phone","assigned_to","company","metadata"])");
  EXPECT_EQ(json::Serialize(*moved.Find("tags")), R"(["hot"])");
  EXPECT_EQ(moved.Find("enrollments")->as_int(), 1);
  EXPECT_EQ(moved.Find("enrollments_cancelled")->as_int(), 1);
  EXPECT_EQ(
      Scalar("SELECT string_agg(s.name || ':' || e.status, ',' ORDER BY s.name, e.status) "
             "FROM lead_sequence_enrollments e JOIN nurture_sequences s ON s.id = e.sequence_id "
             "WHERE e.lead_id = $1",
             db::Params().Add(survivor)),
      "s1:active,s2:paused");
  EXPECT_EQ(
      Scalar("SELECT string_agg(s.name || ':' || e.status, ',' ORDER BY s.name) "
             "FROM lead_sequence_enrollments e JOIN nurture_sequences s ON s.id = e.sequence_id "
             "WHERE e.lead_id = $1",
             db::Params().Add(other)),
      "s1:cancelled,s3:completed");

  // The other lead is gone from reads but its history stays reachable for managers.
  ExpectProblem(Admin().Get("/api/leads/" + other), 404);
  auto hist = Admin().Get("/api/leads/" + other + "/history");
  ASSERT_EQ(hist.status, 200) << hist.body;
  auto top = hist.Json().Find("data")->items().front();
  EXPECT_EQ(Str(top, "action"), "merge");
  EXPECT_EQ(top.Find("changes")->Find("merged_into")->Find("new")->as_string(), survivor);
  EXPECT_NE(top.Find("changes")->Find("deleted_at"), nullptr);
  EXPECT_EQ(Admin().Get("/api/leads/" + other + "/status-history").status, 200);
  auto shist =
      Admin().Get("/api/leads/" + survivor + "/history").Json().Find("data")->items().front();
  EXPECT_EQ(Str(shist, "action"), "merge");
  EXPECT_EQ(json::Serialize(*shist.Find("changes")->Find("merged_from")->Find("new")),
            "[\"" + other + "\"]");
  // Agents never see deleted leads' history.
  ExpectProblem(app_->Client(agent.token).Get("/api/leads/" + other + "/history"), 404);
  // Merging with a deleted lead, or restoring a merged one, is refused.
  ExpectProblem(
      Admin().Post("/api/leads/" + survivor + "/merge", R"({"other_id":")" + other + "\"}"), 404);
  ExpectProblem(Admin().Post("/api/leads/" + other + "/restore", ""), 409);
  EXPECT_EQ(Scalar("SELECT count(*) FROM lead_assignments WHERE lead_id = $1 AND reason = 'merge'",
                   db::Params().Add(survivor)),
            "1");
}

TEST_F(LeadsApi, TagsAddRemoveAndCounts) {
  std::string a = CreateId(R"({"email":"a@x.com","tags":["vip"]})");
  std::string b = CreateId(R"({"email":"b@x.com","tags":["vip","hot"]})");
  CreateId(R"({"email":"c@x.com","tags":["vip","hot","cold"]})");
  std::string d = CreateId(R"({"email":"d@x.com","tags":["zzz"]})");
  ASSERT_EQ(Admin().Delete("/api/leads/" + d).status, 204);

  auto r = Admin().Post("/api/leads/" + a + "/tags",
                        R"({"add":["hot"," new ","vip"],"remove":["vip"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::Serialize(*r.Json().Find("tags")), R"(["hot","new"])");
  EXPECT_EQ(r.Json().Find("version")->as_int(), 2);
  auto h = Admin().Get("/api/leads/" + a + "/history").Json().Find("data")->items().front();
  EXPECT_EQ(Str(h, "action"), "update");
  EXPECT_EQ(json::Serialize(*h.Find("changes")->Find("tags")),
            R"({"new":["hot","new"],"old":["vip"]})");
  EXPECT_EQ(AuditCount(a), 2) << "one audited update";

  ExpectProblem(Admin().Post("/api/leads/" + b + "/tags", R"({})"), 422, "add");
  ExpectProblem(Admin().Post("/api/leads/" + b + "/tags", R"({"add":[""]})"), 422, "add");
  ExpectProblem(Admin().Post("/api/leads/" + b + "/tags", R"({"add":"x"})"), 422, "add");
  ExpectProblem(Admin().Post("/api/leads/" + b + "/tags", R"({"add":["x"],"other":1})"), 422,
                "other");

  auto counts = Admin().Get("/api/tags");
  ASSERT_EQ(counts.status, 200) << counts.body;
  std::string got;
  auto count_body = counts.Json();
  for (const auto& t : count_body.Find("data")->items()) {
    got += Str(t, "tag") + "=" + std::to_string(t.Find("count")->as_int()) + " ";
  }
  EXPECT_EQ(got, "hot=3 vip=2 cold=1 new=1 ") << "live leads only, by count then tag";
  auto page1 = Admin().Get("/api/tags?limit=2").Json();
  ASSERT_EQ(page1.Find("data")->items().size(), 2u);
  auto page2 = Admin().Get("/api/tags?limit=2&cursor=" + page1.Find("next_cursor")->as_string());
  ASSERT_EQ(page2.status, 200) << page2.body;
  EXPECT_EQ(Str(page2.Json().Find("data")->items()[0], "tag"), "cold");
  ExpectProblem(Admin().Get("/api/tags?limit=9999"), 400, "limit");
}

}  // namespace
}  // namespace leadline
