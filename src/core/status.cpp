#include "core/status.h"

namespace leadline {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case StatusCode::kUnauthenticated:
      return "UNAUTHENTICATED";
    case StatusCode::kPermissionDenied:
      return "PERMISSION_DENIED";
    case StatusCode::kNotFound:
      return "NOT_FOUND";
    case StatusCode::kAlreadyExists:
      return "ALREADY_EXISTS";
    case StatusCode::kConflict:
      return "CONFLICT";
    case StatusCode::kPreconditionFailed:
      return "PRECONDITION_FAILED";
    case StatusCode::kPayloadTooLarge:
      return "PAYLOAD_TOO_LARGE";
    case StatusCode::kMethodNotAllowed:
      return "METHOD_NOT_ALLOWED";
    case StatusCode::kUnsupportedMediaType:
      return "UNSUPPORTED_MEDIA_TYPE";
    case StatusCode::kValidationFailed:
      return "VALIDATION_FAILED";
    case StatusCode::kRateLimited:
      return "RATE_LIMITED";
    case StatusCode::kAborted:
      return "ABORTED";
    case StatusCode::kUnavailable:
      return "UNAVAILABLE";
    case StatusCode::kInternal:
      return "INTERNAL";
  }
  return "UNKNOWN";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string s = StatusCodeName(code_);
  s += ": ";
  s += message_;
  for (const auto& fe : field_errors_) {
    s += " [" + fe.field + ": " + fe.message + "]";
  }
  return s;
}

}  // namespace leadline
