// Tests for the Status -> HTTP problem+json mapping.
#include "http/problem.h"

#include <gtest/gtest.h>

#include "http/json.h"

namespace leadline::http {
namespace {

json::Value Body(const Response& r) {
  auto parsed = json::Parse(r.body);
  EXPECT_TRUE(parsed.ok()) << r.body;
  return parsed.ok() ? std::move(parsed).value() : json::Value();
}

std::optional<std::string> Header(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return std::nullopt;
}

TEST(Problem, HttpStatusForEveryCode) {
  EXPECT_EQ(HttpStatusFor(StatusCode::kOk), 200);
  EXPECT_EQ(HttpStatusFor(StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kConflict), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kPreconditionFailed), 412);
  EXPECT_EQ(HttpStatusFor(StatusCode::kPayloadTooLarge), 413);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnsupportedMediaType), 415);
  EXPECT_EQ(HttpStatusFor(StatusCode::kValidationFailed), 422);
  EXPECT_EQ(HttpStatusFor(StatusCode::kRateLimited), 429);
  EXPECT_EQ(HttpStatusFor(StatusCode::kAborted), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(StatusCode::kInternal), 500);
}

struct Case {
  StatusCode code;
  int http;
  const char* title;
  const char* suffix;
};

TEST(Problem, DefaultTypeAndTitlePerCode) {
  const Case cases[] = {
      {StatusCode::kInvalidArgument, 400, "Bad Request", "bad-request"},
      {StatusCode::kUnauthenticated, 401, "Unauthorized", "unauthorized"},
      {StatusCode::kPermissionDenied, 403, "Forbidden", "forbidden"},
      {StatusCode::kNotFound, 404, "Not Found", "not-found"},
      {StatusCode::kAlreadyExists, 409, "Conflict", "conflict"},
      {StatusCode::kConflict, 409, "Conflict", "conflict"},
      {StatusCode::kPreconditionFailed, 412, "Precondition Failed", "precondition-failed"},
      {StatusCode::kPayloadTooLarge, 413, "Payload Too Large", "payload-too-large"},
      {StatusCode::kUnsupportedMediaType, 415, "Unsupported Media Type", "unsupported-media-type"},
      {StatusCode::kValidationFailed, 422, "Unprocessable Entity", "validation-failed"},
      {StatusCode::kRateLimited, 429, "Too Many Requests", "rate-limited"},
      {StatusCode::kAborted, 409, "Conflict", "conflict"},
      {StatusCode::kUnavailable, 503, "Service Unavailable", "unavailable"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(StatusCodeName(c.code));
    Response r = ProblemResponse(Status(c.code, "the detail"));
    EXPECT_EQ(r.status, c.http);
    EXPECT_EQ(r.content_type, "application/problem+json");
    EXPECT_FALSE(r.stream);
    json::Value b = Body(r);
    EXPECT_EQ(b.Find("type")->as_string(),
              std::string("https://leadline.dev/problems/") + c.suffix);
    EXPECT_EQ(b.Find("title")->as_string(), c.title);
    EXPECT_EQ(b.Find("status")->as_int(), c.http);
    EXPECT_EQ(b.Find("detail")->as_string(), "the detail");
    EXPECT_EQ(b.Find("errors"), nullptr);
  }
}

TEST(Problem, PayloadTooLargeBodyIsExact) {
  Response r =
      ProblemResponse(Status(StatusCode::kPayloadTooLarge, "request body exceeds 10 bytes"));
  EXPECT_EQ(
      r.body,
      R"({"type":"https://leadline.dev/problems/payload-too-large","title":"Payload Too Large",)"
      R"("status":413,"detail":"request body exceeds 10 bytes"})");
}

TEST(Problem, UnauthenticatedAsksForBearer) {
  Response r = ProblemResponse(Unauthenticated("missing token"));
  EXPECT_EQ(Header(r, "WWW-Authenticate"), "Bearer");
  EXPECT_FALSE(Header(ProblemResponse(PermissionDenied("no")), "WWW-Authenticate").has_value());
}

TEST(Problem, FieldErrorsBecomeErrorsArray) {
  Status st = ValidationFailed("invalid lead");
  st.AddFieldError("phone", "not a valid phone number").AddFieldError("lead_score", "0..100");
  json::Value b = Body(ProblemResponse(st));
  const json::Value* errors = b.Find("errors");
  ASSERT_NE(errors, nullptr);
  ASSERT_EQ(errors->items().size(), 2u);
  EXPECT_EQ(errors->items()[0].Find("field")->as_string(), "phone");
  EXPECT_EQ(errors->items()[0].Find("message")->as_string(), "not a valid phone number");
  EXPECT_EQ(errors->items()[1].Find("field")->as_string(), "lead_score");
}

TEST(Problem, TypeSuffixAndExtraMembers) {
  Status st = Conflict("phone already used");
  st.WithType("duplicate-phone").WithExtraString("existing_id", "0b1e\"x");
  st.WithExtraString("status", "must not override");
  Response r = ProblemResponse(st);
  json::Value b = Body(r);
  EXPECT_EQ(b.Find("type")->as_string(), "https://leadline.dev/problems/duplicate-phone");
  EXPECT_EQ(b.Find("existing_id")->as_string(), "0b1e\"x");
  EXPECT_EQ(b.Find("status")->as_int(), 409);
  int status_members = 0;
  for (const auto& [k, v] : b.members()) status_members += k == "status";
  EXPECT_EQ(status_members, 1);
}

TEST(Problem, CallingHoursTypeForCompliance) {
  json::Value b =
      Body(ProblemResponse(Conflict("outside calling hours").WithType("calling-hours")));
  EXPECT_EQ(b.Find("type")->as_string(), "https://leadline.dev/problems/calling-hours");
}

TEST(Problem, InternalHidesDetail) {
  Status st = Internal("SELECT * FROM leads failed at /srv/app/db.cpp:42");
  st.AddFieldError("sql", "secret").WithExtraString("query", "secret");
  Response r = ProblemResponse(st);
  EXPECT_EQ(r.status, 500);
  json::Value b = Body(r);
  EXPECT_EQ(b.Find("title")->as_string(), "Internal Server Error");
  EXPECT_EQ(b.Find("detail")->as_string(), "internal error");
  EXPECT_EQ(b.Find("type")->as_string(), "https://leadline.dev/problems/internal");
  EXPECT_EQ(r.body.find("SELECT"), std::string::npos);
  EXPECT_EQ(r.body.find("secret"), std::string::npos);
}

TEST(Problem, OkStatusIsTreatedAsInternalBug) {
  Response r = ProblemResponse(Status::Ok());
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(Body(r).Find("detail")->as_string(), "internal error");
}

TEST(Problem, ReasonPhrases) {
  EXPECT_STREQ(ReasonPhrase(200), "OK");
  EXPECT_STREQ(ReasonPhrase(405), "Method Not Allowed");
  EXPECT_STREQ(ReasonPhrase(503), "Service Unavailable");
  EXPECT_STREQ(ReasonPhrase(599), "Unknown");
}

}  // namespace
}  // namespace leadline::http
