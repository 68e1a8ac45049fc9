// Black-box HTTP tests of the foundation: health, metrics, OpenAPI, login, tokens, roles,
// and the error conventions (401, 400, 413, 415, 422, 404 across tenants).
#include <gtest/gtest.h>

#include "support/test_app.h"

namespace leadline {
namespace {

using testing::HttpClient;
using testing::TestApp;

class FoundationApi : public ::testing::Test {
 protected:
  void SetUp() override {
    http::ServerOptions options;
    options.max_body_bytes = 64 * 1024;
    app_ = std::make_unique<TestApp>(options);
    org_ = app_->db().CreateOrganization("Acme", "boss@acme.test", "correct-horse-1");
  }

  std::string Login(const std::string& email, const std::string& password) {
    auto r = app_->Client().Post(
        "/api/auth/login", R"({"email":")" + email + R"(","password":")" + password + R"("})");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json().Find("token")->as_string();
  }

  void ExpectProblem(const testing::HttpResult& r, int status) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.Header("content-type"), "application/problem+json") << r.body;
    auto body = r.Json();
    ASSERT_NE(body.Find("status"), nullptr) << r.body;
    EXPECT_EQ(body.Find("status")->as_int(), status);
    EXPECT_NE(body.Find("title"), nullptr);
    EXPECT_NE(body.Find("type"), nullptr);
  }

  std::unique_ptr<TestApp> app_;
  auth::NewOrganization org_;
};

TEST_F(FoundationApi, Health) {
  auto r = app_->Client().Get("/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"ok"})");
}

TEST_F(FoundationApi, MetricsInPrometheusFormat) {
  app_->Client().Get("/healthz");
  auto r = app_->Client().Get("/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("leadline_http_requests_total{method=\"GET\",status=\"200\"}"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("# TYPE leadline_http_request_duration_seconds histogram"),
            std::string::npos);
}

TEST_F(FoundationApi, EveryRouteIsDocumentedInOpenApi) {
  auto doc = json::Parse(api::OpenApiDocument());
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  const json::Value* paths = doc->Find("paths");
  ASSERT_NE(paths, nullptr);
  api::Api api(app_->db().app_pool());
  for (const auto& [method, pattern] : api.router().Routes()) {
    const json::Value* item = paths->Find(pattern);
    ASSERT_NE(item, nullptr) << pattern << " is not in docs/openapi.json";
    std::string m = http::MethodName(method);
    for (char& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_NE(item->Find(m), nullptr) << m << " " << pattern << " is not in docs/openapi.json";
  }
  // And nothing documented is missing from the server.
  for (const auto& [path, item] : paths->members()) {
    for (const auto& [m, op] : item.members()) {
      bool found = false;
      for (const auto& [method, pattern] : api.router().Routes()) {
        std::string name = http::MethodName(method);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        found = found || (pattern == path && name == m);
      }
      EXPECT_TRUE(found) << m << " " << path << " is documented but not served";
    }
  }
}

// The server runs these handlers off its I/O threads; each must name a route that exists,
// so that a renamed route cannot drop off the list unnoticed.
TEST_F(FoundationApi, SlowRequestsAreRealRoutes) {
  api::Api api(app_->db().app_pool());
  auto served = [&](http::Method method, std::string_view pattern) {
    for (const auto& [m, p] : api.router().Routes()) {
      if (m == method && p == pattern) return true;
    }
    return false;
  };
  using M = http::Method;
  const std::pair<std::string_view, std::string_view> slow[] = {
      {"/api/auth/login", "/api/auth/login"},
      {"/api/users", "/api/users"},
      {"/api/leads/bulk", "/api/leads/bulk"},
      {"/api/dnc/registry", "/api/dnc/registry"},
      {"/api/imports", "/api/imports"},
      {"/api/imports/preview", "/api/imports/preview"},
      {"/api/imports/0190f0a2-0000-7000-8000-000000000000/undo", "/api/imports/{id}/undo"},
      {"/api/leads/0190f0a2-0000-7000-8000-000000000000/merge", "/api/leads/{id}/merge"}};
  for (const auto& [path, pattern] : slow) {
    EXPECT_TRUE(api::IsSlowRequest(M::kPost, path)) << path;
    EXPECT_TRUE(served(M::kPost, pattern)) << pattern;
  }
  EXPECT_FALSE(api::IsSlowRequest(M::kGet, "/api/auth/login"));
  EXPECT_FALSE(api::IsSlowRequest(M::kPost, "/api/leads"));
  EXPECT_FALSE(api::IsSlowRequest(M::kGet, "/api/leads/0190f0a2-0000-7000-8000-000000000000"));
  EXPECT_FALSE(api::IsSlowRequest(M::kPost, "/api/imports//undo"));
  EXPECT_FALSE(api::IsSlowRequest(M::kPost, "/api/imports/undo"));
  EXPECT_FALSE(api::IsSlowRequest(M::kGet, "/api/imports"));
  EXPECT_FALSE(api::IsSlowRequest(M::kPost, "/api/leads//merge"));
  EXPECT_FALSE(
      api::IsSlowRequest(M::kPost, "/api/leads/0190f0a2-0000-7000-8000-000000000000/tags"));
}

TEST_F(FoundationApi, OpenApiDocumentIsServed) {
  auto r = app_->Client().Get("/api/openapi.json");
  ASSERT_EQ(r.status, 200);
  auto doc = r.Json();
  ASSERT_NE(doc.Find("openapi"), nullptr);
  ASSERT_NE(doc.Find("paths"), nullptr);
  EXPECT_NE(doc.Find("paths")->Find("/api/auth/login"), nullptr);
}

TEST_F(FoundationApi, LoginAndMe) {
  std::string token = Login("boss@acme.test", "correct-horse-1");
  EXPECT_EQ(token.rfind("lls_", 0), 0u);
  auto me = app_->Client(token).Get("/api/me");
  ASSERT_EQ(me.status, 200) << me.body;
  auto body = me.Json();
  EXPECT_EQ(body.Find("user")->Find("email")->as_string(), "boss@acme.test");
  EXPECT_EQ(body.Find("user")->Find("role")->as_string(), "admin");
  EXPECT_EQ(body.Find("organization")->Find("id")->as_string(), org_.organization_id);
  EXPECT_EQ(body.Find("user")->Find("password_hash"), nullptr);
}

TEST_F(FoundationApi, EmailIsCaseInsensitiveAtLogin) { Login("BOSS@Acme.Test", "correct-horse-1"); }

TEST_F(FoundationApi, WrongPasswordIs401) {
  auto r = app_->Client().Post("/api/auth/login",
                               R"({"email":"boss@acme.test","password":"nope-nope"})");
  ExpectProblem(r, 401);
  auto unknown =
      app_->Client().Post("/api/auth/login", R"({"email":"who@acme.test","password":"nope-nope"})");
  ExpectProblem(unknown, 401);
  EXPECT_EQ(r.Json().Find("detail")->as_string(), unknown.Json().Find("detail")->as_string())
      << "no hint whether the email exists";
}

TEST_F(FoundationApi, RepeatedFailuresAreRateLimited) {
  int last = 0;
  for (int i = 0; i < 12; ++i) {
    last = app_->Client()
               .Post("/api/auth/login", R"({"email":"boss@acme.test","password":"wrong-guess"})")
               .status;
  }
  EXPECT_EQ(last, 429);
}

TEST_F(FoundationApi, MissingOrBadTokenIs401) {
  ExpectProblem(app_->Client().Get("/api/me"), 401);
  ExpectProblem(app_->Client("lls_not-a-real-token").Get("/api/me"), 401);
  ExpectProblem(app_->Client("garbage").Get("/api/me"), 401);
  auto r = app_->Client().Get("/api/me");
  EXPECT_EQ(r.Header("www-authenticate").rfind("Bearer", 0), 0u);
}

TEST_F(FoundationApi, ApiKeyAuthenticates) {
  auto me = app_->Client(org_.api_key).Get("/api/me");
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.Json().Find("auth")->as_string(), "api_key");
  auto created = app_->Client(org_.api_key).Post("/api/api-keys", R"({"name":"zapier"})");
  ASSERT_EQ(created.status, 201) << created.body;
  std::string key = created.Json().Find("api_key")->as_string();
  EXPECT_EQ(app_->Client(key).Get("/api/me").status, 200);
  // Only the hash is stored.
  auto conn = app_->db().owner_pool().Acquire();
  auto rows =
      (*conn)->Exec("SELECT count(*) FROM api_keys WHERE key_hash::text LIKE '%' || $1 || '%'",
                    db::Params().Add(key));
  EXPECT_EQ(rows->Get(0, 0), "0");
}

TEST_F(FoundationApi, LogoutRevokesTheSession) {
  std::string token = Login("boss@acme.test", "correct-horse-1");
  EXPECT_EQ(app_->Client(token).Post("/api/auth/logout", "").status, 204);
  ExpectProblem(app_->Client(token).Get("/api/me"), 401);
}

TEST_F(FoundationApi, PasswordsAreArgon2id) {
  auto conn = app_->db().owner_pool().Acquire();
  auto rows = (*conn)->Exec("SELECT password_hash FROM users WHERE email = 'boss@acme.test'");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(std::string(rows->Get(0, 0)).rfind("$argon2id$", 0), 0u);
}

TEST_F(FoundationApi, MalformedJsonIs400) {
  ExpectProblem(app_->Client().Post("/api/auth/login", R"({"email": "a@b.c", )"), 400);
  ExpectProblem(app_->Client().Post("/api/auth/login", "[1,2]"), 400);
  ExpectProblem(app_->Client().Post("/api/auth/login", "{\"email\":\"\xff\xfe\"}"), 400);
}

TEST_F(FoundationApi, LoginFieldsAreChecked) {
  auto bad_org = app_->Client().Post(
      "/api/auth/login",
      R"({"email":"boss@acme.test","password":"correct-horse-1","organization_id":"bad"})");
  ExpectProblem(bad_org, 422);
  EXPECT_NE(bad_org.body.find("\"organization_id\""), std::string::npos) << bad_org.body;
  auto unknown = app_->Client().Post(
      "/api/auth/login", R"({"email":"boss@acme.test","password":"correct-horse-1","remember":1})");
  ExpectProblem(unknown, 422);
  EXPECT_NE(unknown.body.find("\"remember\""), std::string::npos) << unknown.body;
  EXPECT_EQ(
      app_->Client()
          .Post("/api/auth/login", R"({"email":"boss@acme.test","password":"correct-horse-1",)"
                                   R"("organization_id":")" +
                                       org_.organization_id + R"("})")
          .status,
      200);
}

TEST_F(FoundationApi, WrongContentTypeIs415) {
  auto r =
      app_->Client().Send("POST", "/api/auth/login", "email=a", {{"Content-Type", "text/plain"}});
  ExpectProblem(r, 415);
  // Media types are case-insensitive; parameters do not matter.
  auto cased = app_->Client().Send("POST", "/api/auth/login",
                                   R"({"email":"nobody@example.com","password":"wrong-horse-1"})",
                                   {{"Content-Type", "Application/JSON; charset=UTF-8"}});
  EXPECT_EQ(cased.status, 401) << cased.body;
}

TEST_F(FoundationApi, OversizedBodyIs413) {
  std::string big = R"({"email":")" + std::string(100 * 1024, 'a') + R"("})";
  ExpectProblem(app_->Client().Post("/api/auth/login", big), 413);
}

TEST_F(FoundationApi, WrongTypesAre422NamingTheField) {
  auto r = app_->Client().Post("/api/auth/login", R"({"email": 5, "password": true})");
  ExpectProblem(r, 422);
  auto body = r.Json();
  auto errors = body.Find("errors");
  ASSERT_NE(errors, nullptr);
  ASSERT_EQ(errors->items().size(), 2u) << r.body;
  EXPECT_EQ(errors->items()[0].Find("field")->as_string(), "email");
}

TEST_F(FoundationApi, UnknownRouteIs404AndWrongMethodIs405) {
  ExpectProblem(app_->Client().Get("/api/no-such-thing"), 404);
  auto r = app_->Client().Send("DELETE", "/api/auth/login", "", {});
  ExpectProblem(r, 405);
  EXPECT_EQ(r.Header("allow"), "POST");
}

TEST_F(FoundationApi, AdminCreatesUsersAndRolesAreEnforced) {
  HttpClient admin = app_->Client(org_.api_key);
  auto created = admin.Post(
      "/api/users",
      R"({"email":"Agent@Acme.test","password":"agent-pass-1","role":"agent","name":"Al"})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Json().Find("email")->as_string(), "agent@acme.test");
  EXPECT_EQ(created.Header("location"), "/api/users/" + created.Json().Find("id")->as_string());

  auto dup = admin.Post("/api/users",
                        R"({"email":"agent@acme.test","password":"agent-pass-1","role":"agent"})");
  ExpectProblem(dup, 409);

  auto invalid = admin.Post("/api/users", R"({"email":"nope","password":"short","role":"boss"})");
  ExpectProblem(invalid, 422);
  EXPECT_EQ(invalid.Json().Find("errors")->items().size(), 3u) << invalid.body;

  std::string agent = Login("agent@acme.test", "agent-pass-1");
  auto forbidden = app_->Client(agent).Post(
      "/api/users", R"({"email":"x@acme.test","password":"agent-pass-1","role":"admin"})");
  ExpectProblem(forbidden, 403);
  auto list = app_->Client(agent).Get("/api/users");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.Json().Find("data")->items().size(), 2u);
}

TEST_F(FoundationApi, AnotherTenantsUserIs404) {
  auto other = app_->db().CreateOrganization("Other", "other@other.test", "correct-horse-1");
  auto r = app_->Client(org_.api_key).Get("/api/users/" + other.user_id);
  ExpectProblem(r, 404);
  auto mine = app_->Client(org_.api_key).Get("/api/users/" + org_.user_id);
  EXPECT_EQ(mine.status, 200);
  ExpectProblem(app_->Client(org_.api_key).Get("/api/users/not-a-uuid"), 404);
}

}  // namespace
}  // namespace leadline
