#include "auth/auth_handlers.h"

#include "api/call.h"
#include "core/uuid.h"

namespace leadline::auth {
namespace {

using api::Call;
using api::FieldReader;
using api::JsonResponse;
using http::Method;
using http::Response;

void WriteOrganization(json::Writer& w, const Organization& o) {
  w.BeginObject()
      .Field("id", o.id)
      .Field("name", o.name)
      .Field("default_region", o.default_region)
      .Field("currency", o.currency)
      .Field("timezone", o.timezone)
      .Field("created_at", o.created_at)
      .EndObject();
}

Result<Response> HandleLogin(http::Request& req, const http::PathParams&, AuthService& auth) {
  ASSIGN_OR_RETURN(json::Value body, api::JsonObjectBody(req));
  FieldReader f(body);
  f.RejectUnknown({"email", "password", "organization_id"});
  auto email = f.String("email", 320);
  auto password = f.String("password", 1000);
  auto org = f.String("organization_id", 36);
  if (org && !IsUuid(*org)) f.Fail("organization_id", "must be an organization id (a UUID)");
  if (!email && !f.Has("email")) f.Fail("email", "is required");
  if (!password && !f.Has("password")) f.Fail("password", "is required");
  if (!f.ok()) return f.status();
  std::string ua(req.headers.Get("User-Agent").value_or(""));
  ASSIGN_OR_RETURN(LoginResult r,
                   auth.Login(*email, *password, org, api::ClientIp(req), ua.substr(0, 500)));
  json::Writer w;
  w.BeginObject().Field("token", r.token).Field("expires_at", r.expires_at).Key("user");
  WriteUser(w, r.user);
  w.EndObject();
  return JsonResponse(200, w.Take());
}

}  // namespace

void WriteUser(json::Writer& w, const User& u) {
  w.BeginObject()
      .Field("id", u.id)
      .Field("organization_id", u.organization_id)
      .Field("email", u.email)
      .Field("name", u.name)
      .Field("role", u.role)
      .Key("is_active")
      .Bool(u.is_active)
      .Field("created_at", u.created_at)
      .OptionalField("last_login_at", u.last_login_at)
      .EndObject();
}

void RegisterAuthRoutes(http::Router& router, AuthService& auth) {
  router.Add(Method::kPost, "/api/auth/login",
             api::Public([&auth](http::Request& req, const http::PathParams& p) {
               return HandleLogin(req, p, auth);
             }));

  router.Add(Method::kPost, "/api/auth/logout",
             api::Authed(auth, Role::kAgent, [&auth](Call& c) -> Result<Response> {
               RETURN_IF_ERROR(auth.Logout(c.principal, c.token));
               return api::NoContent();
             }));

  router.Add(Method::kGet, "/api/me",
             api::Authed(auth, Role::kAgent, [&auth](Call& c) -> Result<Response> {
               ASSIGN_OR_RETURN(User user, auth.GetUser(c.principal, c.principal.user_id));
               ASSIGN_OR_RETURN(Organization org, auth.GetOrganization(c.principal));
               json::Writer w;
               w.BeginObject().Key("user");
               WriteUser(w, user);
               w.Key("organization");
               WriteOrganization(w, org);
               w.Key("auth").String(c.principal.api_key_id.empty() ? "session" : "api_key");
               w.EndObject();
               return JsonResponse(200, w.Take());
             }));

  router.Add(Method::kGet, "/api/users",
             api::Authed(auth, Role::kAgent, [&auth](Call& c) -> Result<Response> {
               ASSIGN_OR_RETURN(auto users, auth.ListUsers(c.principal));
               json::Writer w;
               w.BeginObject().Key("data").BeginArray();
               for (const auto& u : users) WriteUser(w, u);
               w.EndArray().Key("next_cursor").Null().EndObject();
               return JsonResponse(200, w.Take());
             }));

  router.Add(Method::kGet, "/api/users/{id}",
             api::Authed(auth, Role::kAgent, [&auth](Call& c) -> Result<Response> {
               ASSIGN_OR_RETURN(User u, auth.GetUser(c.principal, c.params.Get("id")));
               json::Writer w;
               WriteUser(w, u);
               return JsonResponse(200, w.Take());
             }));

  router.Add(Method::kPost, "/api/users",
             api::Authed(auth, Role::kAdmin, [&auth](Call& c) -> Result<Response> {
               ASSIGN_OR_RETURN(json::Value body, api::JsonObjectBody(c.request));
               FieldReader f(body);
               f.RejectUnknown({"email", "password", "role", "name"});
               auto email = f.String("email", 320);
               auto password = f.String("password", 1000);
               auto role = f.String("role", 20);
               auto name = f.Text("name", 200);
               if (!email && !f.Has("email")) f.Fail("email", "is required");
               if (!password && !f.Has("password")) f.Fail("password", "is required");
               if (!role && !f.Has("role")) f.Fail("role", "is required");
               if (!f.ok()) return f.status();
               ASSIGN_OR_RETURN(User u,
                                auth.CreateUser(c.principal, *email, *password, *role, name));
               json::Writer w;
               WriteUser(w, u);
               Response r = JsonResponse(201, w.Take());
               r.SetHeader("Location", "/api/users/" + u.id);
               return r;
             }));

  router.Add(Method::kPost, "/api/api-keys",
             api::Authed(auth, Role::kAgent, [&auth](Call& c) -> Result<Response> {
               std::string name;
               if (!c.request.body.empty()) {
                 ASSIGN_OR_RETURN(json::Value body, api::JsonObjectBody(c.request));
                 FieldReader f(body);
                 f.RejectUnknown({"name"});
                 name = f.Text("name", 200).value_or("");
                 if (!f.ok()) return f.status();
               }
               ASSIGN_OR_RETURN(NewApiKey k, auth.CreateApiKey(c.principal, name));
               json::Writer w;
               w.BeginObject()
                   .Field("id", k.id)
                   .Field("api_key", k.api_key)
                   .Field("key_prefix", k.key_prefix)
                   .Field("name", k.name)
                   .Field("created_at", k.created_at)
                   .EndObject();
               return JsonResponse(201, w.Take());
             }));
}

}  // namespace leadline::auth
