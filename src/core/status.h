// Status and Result<T>: how fallible functions report failure (no exceptions for
// expected errors). One code per kind of failure; src/http/problem.cpp maps codes to HTTP.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace leadline {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,       // malformed input (bad JSON, bad parameter) -> 400
  kUnauthenticated,       // no or invalid credentials -> 401
  kPermissionDenied,      // role not allowed -> 403
  kNotFound,              // missing, deleted or another tenant's -> 404
  kAlreadyExists,         // unique violation -> 409
  kConflict,              // state forbids the action (e.g. compliance) -> 409
  kPreconditionFailed,    // stale If-Match version -> 412
  kPayloadTooLarge,       // body over the limit -> 413
  kMethodNotAllowed,      // known path, other method -> 405
  kUnsupportedMediaType,  // -> 415
  kValidationFailed,      // well-formed but invalid fields -> 422
  kRateLimited,           // -> 429
  kAborted,               // serialization failure / deadlock: retry -> 409 (or retried)
  kUnavailable,           // database down -> 503
  kInternal,              // bug or unexpected failure -> 500 (detail never shown)
};

const char* StatusCodeName(StatusCode code);

// One field-level problem, reported in the problem+json "errors" array.
struct FieldError {
  std::string field;
  std::string message;
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Optional refinements used by the HTTP mapping.
  const std::vector<FieldError>& field_errors() const { return field_errors_; }
  Status& AddFieldError(std::string field, std::string message) {
    field_errors_.push_back({std::move(field), std::move(message)});
    return *this;
  }
  // Suffix of the problem "type" URI, e.g. "dnc" -> ".../problems/dnc".
  const std::string& type_suffix() const { return type_suffix_; }
  Status& WithType(std::string suffix) {
    type_suffix_ = std::move(suffix);
    return *this;
  }
  // Extra members of the problem body ("existing_id": "...", "current_version": 3).
  using ExtraValue = std::variant<std::string, int64_t>;
  const std::vector<std::pair<std::string, ExtraValue>>& extras() const { return extras_; }
  Status& WithExtraString(std::string key, std::string value) {
    extras_.emplace_back(std::move(key), std::move(value));
    return *this;
  }
  Status& WithExtraInt(std::string key, int64_t value) {
    extras_.emplace_back(std::move(key), value);
    return *this;
  }

  // The database constraint that rejected a write, when the status came from one; lets a
  // service name the offending field without parsing messages.
  const std::string& constraint() const { return constraint_; }
  Status& WithConstraint(std::string name) {
    constraint_ = std::move(name);
    return *this;
  }

  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::vector<FieldError> field_errors_;
  std::string type_suffix_;
  std::vector<std::pair<std::string, ExtraValue>> extras_;
  std::string constraint_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status Unauthenticated(std::string m) {
  return {StatusCode::kUnauthenticated, std::move(m)};
}
inline Status PermissionDenied(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
inline Status PreconditionFailed(std::string m) {
  return {StatusCode::kPreconditionFailed, std::move(m)};
}
inline Status ValidationFailed(std::string m) {
  return {StatusCode::kValidationFailed, std::move(m)};
}
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status Aborted(std::string m) { return {StatusCode::kAborted, std::move(m)}; }

// Value or error. Accessing value() of an error is a bug (asserts).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace leadline

#define LEADLINE_CONCAT_INNER(a, b) a##b
#define LEADLINE_CONCAT(a, b) LEADLINE_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)        \
  do {                               \
    ::leadline::Status _st = (expr); \
    if (!_st.ok()) return _st;       \
  } while (0)

#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(LEADLINE_CONCAT(_result_, __LINE__), lhs, expr)
