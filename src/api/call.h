// Glue between HTTP and services: authentication, body parsing, JSON responses. Handlers
// return Result<Response>; an error becomes problem+json in exactly one place (Wrap*).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "auth/auth_service.h"
#include "auth/principal.h"
#include "core/status.h"
#include "http/json.h"
#include "http/message.h"
#include "http/router.h"

namespace leadline::api {

// One authenticated request.
struct Call {
  http::Request& request;
  const http::PathParams& params;
  auth::Principal principal;
  std::string token;  // the bearer token as sent
};

using Handler = std::function<Result<http::Response>(Call&)>;
using PublicHandler =
    std::function<Result<http::Response>(http::Request&, const http::PathParams&)>;

// Authenticates (401), checks the role (403), runs `fn`, maps errors to problem+json.
http::RouteHandler Authed(auth::AuthService& auth, auth::Role min_role, Handler fn);
// No authentication; errors still map through the one problem mapping.
http::RouteHandler Public(PublicHandler fn);

// The body as a JSON object: 415 unless Content-Type is application/json, 400 when empty,
// malformed or not an object.
Result<json::Value> JsonObjectBody(const http::Request& request);

// 400 naming each query parameter not in `allowed` ("unknown parameter", so a typo never
// silently does nothing) and each given twice ("must be given at most once").
Status CheckQueryNames(const http::Request& request,
                       std::initializer_list<std::string_view> allowed);

// The request's media type: the Content-Type without parameters or surrounding spaces, in
// lower case (media types are case-insensitive); empty when there is none.
std::string MediaType(const http::Request& request);

http::Response JsonResponse(int status, std::string body);
// 204: no body, so no Content-Type either.
http::Response NoContent();

// The `limit` query parameter of a list: 50 when absent; 400 unless it is an integer from 1
// to 500.
Result<int> Limit(const http::Request& request);
// The first value of query parameter `key`, copied (services take owned strings); nullopt
// when absent.
std::optional<std::string> QueryValue(const http::Request& request, std::string_view key);

// The client address: the socket peer (proxies are not trusted by default).
std::string ClientIp(const http::Request& request);

// Reads typed fields of a JSON object, collecting one 422 field error per bad field.
class FieldReader {
 public:
  explicit FieldReader(const json::Value& object) : object_(object) {}

  // Absent or null -> nullopt. Wrong type, too long, or holding a NUL character -> error.
  std::optional<std::string> String(std::string_view field, size_t max_len = 10000);
  // String, limited in characters (code points), which is what people count and what the
  // documentation states; the byte limit of String is four bytes a character.
  std::optional<std::string> Text(std::string_view field, size_t max_chars);
  std::optional<int64_t> Int(std::string_view field);
  std::optional<bool> Bool(std::string_view field);
  // A JSON object member, serialized (stored as jsonb): absent or null -> nullopt; not an
  // object, or holding a NUL character in a key or string -> error.
  std::optional<std::string> ObjectJson(std::string_view field);
  std::optional<std::vector<std::string>> StringArray(std::string_view field,
                                                      size_t max_items = 100, size_t max_len = 100);
  bool Has(std::string_view field) const { return object_.Find(field) != nullptr; }
  bool IsNull(std::string_view field) const {
    const json::Value* v = object_.Find(field);
    return v != nullptr && v->is_null();
  }
  // Adds an error for `field` (e.g. required and missing), unless it already has one.
  void Fail(std::string_view field, std::string_view message);
  // Fields the object has that are not in `allowed` are errors ("unknown field").
  void RejectUnknown(std::initializer_list<std::string_view> allowed);

  bool ok() const { return errors_.field_errors().empty(); }
  // kValidationFailed carrying every collected field error.
  const Status& status() const { return errors_; }

 private:
  const json::Value& object_;
  Status errors_{StatusCode::kValidationFailed, "validation failed"};
};

}  // namespace leadline::api
