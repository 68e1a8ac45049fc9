#include "api/call.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/utf8.h"
#include "http/problem.h"

namespace leadline::api {
namespace {

std::optional<std::string_view> BearerToken(const http::Request& r) {
  auto h = r.headers.Get("Authorization");
  if (!h) return std::nullopt;
  std::string_view v = *h;
  constexpr std::string_view kBearer = "Bearer ";
  if (v.size() <= kBearer.size()) return std::nullopt;
  for (size_t i = 0; i < kBearer.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(v[i])) !=
        std::tolower(static_cast<unsigned char>(kBearer[i]))) {
      return std::nullopt;
    }
  }
  v.remove_prefix(kBearer.size());
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.empty()) return std::nullopt;
  return v;
}

// A query parameter that is not UTF-8 text (or holds a NUL) is malformed whatever the route:
// 400 naming it, before a handler could hand it to the database.
Status CheckQueryText(const http::Request& req) {
  for (const auto& [key, value] : req.query) {
    if (!IsText(key)) {
      return InvalidArgument("a query parameter name is not UTF-8 text")
          .AddFieldError("query", "parameter names must be UTF-8 text without NUL characters");
    }
    if (!IsText(value)) {
      return InvalidArgument("invalid query parameter")
          .AddFieldError(key, "must be UTF-8 text without NUL characters");
    }
  }
  return Status::Ok();
}

http::Response Finish(Result<http::Response> r) {
  if (r.ok()) return std::move(r).value();
  return http::ProblemResponse(r.status());
}

}  // namespace

http::RouteHandler Authed(auth::AuthService& auth, auth::Role min_role, Handler fn) {
  return [&auth, min_role, fn = std::move(fn)](http::Request& req, const http::PathParams& params) {
    auto token = BearerToken(req);
    if (!token) return http::ProblemResponse(Unauthenticated("missing bearer token"));
    if (Status st = CheckQueryText(req); !st.ok()) return http::ProblemResponse(st);
    auto principal = auth.Authenticate(*token);
    if (!principal.ok()) return http::ProblemResponse(principal.status());
    if (!principal->AtLeast(min_role)) {
      return http::ProblemResponse(PermissionDenied(
          "this action needs the " + std::string(auth::RoleName(min_role)) + " role"));
    }
    Call call{req, params, std::move(principal).value(), std::string(*token)};
    call.principal.client_ip = ClientIp(req);
    if (auto ua = req.headers.Get("User-Agent"))
      call.principal.user_agent = std::string(ua->substr(0, 500));
    return Finish(fn(call));
  };
}

http::RouteHandler Public(PublicHandler fn) {
  return [fn = std::move(fn)](http::Request& req, const http::PathParams& params) {
    if (Status st = CheckQueryText(req); !st.ok()) return http::ProblemResponse(st);
    return Finish(fn(req, params));
  };
}

Status CheckQueryNames(const http::Request& request,
                       std::initializer_list<std::string_view> allowed) {
  Status errors = InvalidArgument("invalid query parameter");
  for (size_t i = 0; i < request.query.size(); ++i) {
    const std::string& name = request.query[i].first;
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      errors.AddFieldError(name, "unknown parameter");
      continue;
    }
    for (size_t j = 0; j < i; ++j) {
      if (request.query[j].first == name) {
        errors.AddFieldError(name, "must be given at most once");
        break;
      }
    }
  }
  if (errors.field_errors().empty()) return Status::Ok();
  return errors;
}

std::string MediaType(const http::Request& request) {
  auto ct = request.headers.Get("Content-Type");
  std::string_view type = ct ? *ct : std::string_view();
  type = type.substr(0, type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  std::string out(type);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<json::Value> JsonObjectBody(const http::Request& request) {
  if (MediaType(request) != "application/json") {
    return Status(StatusCode::kUnsupportedMediaType, "Content-Type must be application/json");
  }
  if (request.body.empty()) return InvalidArgument("request body is empty");
  ASSIGN_OR_RETURN(json::Value v, json::Parse(request.body));
  if (!v.is_object()) return InvalidArgument("request body must be a JSON object");
  return v;
}

http::Response JsonResponse(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

http::Response NoContent() {
  http::Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

Result<int> Limit(const http::Request& request) {
  auto v = request.QueryParam("limit");
  if (!v) return 50;
  int n = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || ptr != v->data() + v->size() || n < 1 || n > 500) {
    return InvalidArgument("limit must be an integer from 1 to 500");
  }
  return n;
}

std::optional<std::string> QueryValue(const http::Request& request, std::string_view key) {
  auto v = request.QueryParam(key);
  if (!v) return std::nullopt;
  return std::string(*v);
}

std::string ClientIp(const http::Request& request) { return request.remote_ip; }

namespace {

// PostgreSQL stores no NUL in text or jsonb; libpq would cut a text value at one, silently.
constexpr std::string_view kNulMessage = "must not contain NUL characters";

bool HasNul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

bool HoldsNul(const json::Value& v) {
  if (v.is_string()) return HasNul(v.as_string());
  if (v.is_array()) {
    for (const auto& item : v.items()) {
      if (HoldsNul(item)) return true;
    }
  }
  if (v.is_object()) {
    for (const auto& [key, value] : v.members()) {
      if (HasNul(key) || HoldsNul(value)) return true;
    }
  }
  return false;
}

}  // namespace

std::optional<std::string> FieldReader::String(std::string_view field, size_t max_len) {
  const json::Value* v = object_.Find(field);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_string()) {
    Fail(field, "must be a string");
    return std::nullopt;
  }
  if (v->as_string().size() > max_len) {
    Fail(field, "must be at most " + std::to_string(max_len) + " bytes");
    return std::nullopt;
  }
  if (HasNul(v->as_string())) {
    Fail(field, kNulMessage);
    return std::nullopt;
  }
  return v->as_string();
}

std::optional<std::string> FieldReader::Text(std::string_view field, size_t max_chars) {
  const json::Value* v = object_.Find(field);
  if (v != nullptr && v->is_string() && Utf8Length(v->as_string()) > max_chars) {
    Fail(field, "must be at most " + std::to_string(max_chars) + " characters");
    return std::nullopt;
  }
  return String(field, 4 * max_chars);
}

std::optional<std::string> FieldReader::ObjectJson(std::string_view field) {
  const json::Value* v = object_.Find(field);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_object()) {
    Fail(field, "must be an object");
    return std::nullopt;
  }
  if (HoldsNul(*v)) {
    Fail(field, kNulMessage);
    return std::nullopt;
  }
  return json::Serialize(*v);
}

std::optional<int64_t> FieldReader::Int(std::string_view field) {
  const json::Value* v = object_.Find(field);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_integer()) {
    Fail(field, "must be an integer");
    return std::nullopt;
  }
  return v->as_int();
}

std::optional<bool> FieldReader::Bool(std::string_view field) {
  const json::Value* v = object_.Find(field);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_bool()) {
    Fail(field, "must be true or false");
    return std::nullopt;
  }
  return v->as_bool();
}

std::optional<std::vector<std::string>> FieldReader::StringArray(std::string_view field,
                                                                 size_t max_items, size_t max_len) {
  const json::Value* v = object_.Find(field);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_array()) {
    Fail(field, "must be an array of strings");
    return std::nullopt;
  }
  if (v->items().size() > max_items) {
    Fail(field, "must have at most " + std::to_string(max_items) + " items");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& item : v->items()) {
    if (!item.is_string()) {
      Fail(field, "must be an array of strings");
      return std::nullopt;
    }
    if (item.as_string().size() > max_len) {
      Fail(field, "items must be at most " + std::to_string(max_len) + " bytes");
      return std::nullopt;
    }
    if (HasNul(item.as_string())) {
      Fail(field, kNulMessage);
      return std::nullopt;
    }
    out.push_back(item.as_string());
  }
  return out;
}

void FieldReader::Fail(std::string_view field, std::string_view message) {
  // The first reason a field is wrong is the one to fix: "must be a string" is not followed by
  // "is required" for the same field.
  for (const auto& fe : errors_.field_errors()) {
    if (fe.field == field) return;
  }
  errors_.AddFieldError(std::string(field), std::string(message));
}

void FieldReader::RejectUnknown(std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : object_.members()) {
    bool known = false;
    for (auto a : allowed) known = known || a == key;
    if (!known) Fail(key, "unknown field");
  }
}

}  // namespace leadline::api
