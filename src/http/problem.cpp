// Status -> problem+json. Kept in one place so every layer reports errors the same way.
#include "http/problem.h"

#include <spdlog/spdlog.h>

#include "http/json.h"

namespace leadline::http {
namespace {

constexpr std::string_view kTypePrefix = "https://leadline.dev/problems/";

const char* DefaultTypeSuffix(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
      return "bad-request";
    case StatusCode::kUnauthenticated:
      return "unauthorized";
    case StatusCode::kPermissionDenied:
      return "forbidden";
    case StatusCode::kNotFound:
      return "not-found";
    case StatusCode::kAlreadyExists:
    case StatusCode::kConflict:
    case StatusCode::kAborted:
      return "conflict";
    case StatusCode::kPreconditionFailed:
      return "precondition-failed";
    case StatusCode::kPayloadTooLarge:
      return "payload-too-large";
    case StatusCode::kMethodNotAllowed:
      return "method-not-allowed";
    case StatusCode::kUnsupportedMediaType:
      return "unsupported-media-type";
    case StatusCode::kValidationFailed:
      return "validation-failed";
    case StatusCode::kRateLimited:
      return "rate-limited";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kOk:
    case StatusCode::kInternal:
      return "internal";
  }
  return "internal";
}

bool IsReservedMember(std::string_view key) {
  return key == "type" || key == "title" || key == "status" || key == "detail" || key == "errors";
}

}  // namespace

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kConflict:
      return 409;
    case StatusCode::kPreconditionFailed:
      return 412;
    case StatusCode::kPayloadTooLarge:
      return 413;
    case StatusCode::kMethodNotAllowed:
      return 405;
    case StatusCode::kUnsupportedMediaType:
      return 415;
    case StatusCode::kValidationFailed:
      return 422;
    case StatusCode::kRateLimited:
      return 429;
    case StatusCode::kAborted:
      return 409;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

const char* ReasonPhrase(int http_status) {
  switch (http_status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
  }
  return "Unknown";
}

Response ProblemResponse(const Status& status) {
  // An OK status here is a caller bug; answering 200 with a problem body would hide it.
  bool hide = status.code() == StatusCode::kInternal || status.ok();
  int http_status = status.ok() ? 500 : HttpStatusFor(status.code());
  if (hide) spdlog::error("internal error: {}", status.ToString());

  std::string_view suffix = !status.ok() && !status.type_suffix().empty()
                                ? std::string_view(status.type_suffix())
                                : std::string_view(DefaultTypeSuffix(status.code()));
  std::string type(kTypePrefix);
  type += suffix;

  json::Writer w;
  w.BeginObject();
  w.Field("type", type);
  w.Field("title", ReasonPhrase(http_status));
  w.Key("status").Int(http_status);
  w.Field("detail", hide ? std::string_view("internal error") : std::string_view(status.message()));
  // Field errors and extras may echo internal state, so an internal error shows neither.
  if (!hide) {
    if (!status.field_errors().empty()) {
      w.Key("errors").BeginArray();
      for (const FieldError& fe : status.field_errors()) {
        w.BeginObject().Field("field", fe.field).Field("message", fe.message).EndObject();
      }
      w.EndArray();
    }
    for (const auto& [key, value] : status.extras()) {
      if (IsReservedMember(key)) continue;
      if (const auto* text = std::get_if<std::string>(&value)) {
        w.Field(key, *text);
      } else {
        w.Key(key).Int(std::get<int64_t>(value));
      }
    }
  }
  w.EndObject();

  Response r;
  r.status = http_status;
  r.content_type = "application/problem+json";
  r.body = w.Take();
  if (status.code() == StatusCode::kUnauthenticated) r.SetHeader("WWW-Authenticate", "Bearer");
  return r;
}

}  // namespace leadline::http
