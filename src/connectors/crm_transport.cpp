#include "connectors/crm_transport.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <thread>

namespace leadline::connectors::internal {
namespace {

// Retry-After in seconds; nullopt when absent or not a number (an HTTP-date is treated as
// absent: the backoff applies).
std::optional<int64_t> RetryAfterSeconds(const HttpResponse& r) {
  auto v = r.Header("retry-after");
  if (!v || v->empty() || v->size() > 9) return std::nullopt;
  int64_t n = 0;
  for (char c : *v) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace

std::string Scrub(std::string text, std::string_view secret) {
  if (!secret.empty()) {
    for (size_t pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos)) {
      text.replace(pos, secret.size(), "[redacted]");
    }
  }
  // Control characters would only garble the job's error; keep messages on one line.
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  if (text.size() > 300) {
    text.resize(300);
    // Do not leave half a UTF-8 sequence at the end.
    while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) {
      text.pop_back();
    }
    if (!text.empty() && static_cast<unsigned char>(text.back()) >= 0xC0) text.pop_back();
    text += "...";
  }
  return text;
}

Status ErrorFor(int status, std::string_view provider, std::string provider_message,
                std::string_view token) {
  std::string detail = Scrub(std::move(provider_message), token);
  if (status == 401 || status == 403) {
    std::string m =
        "credentials rejected by " + std::string(provider) + " (" + std::to_string(status) + ")";
    if (status == 403 && !detail.empty()) m += ": " + detail;
    return PermissionDenied(m);
  }
  std::string m = std::string(provider) + " answered " + std::to_string(status);
  if (!detail.empty()) m += ": " + detail;
  return InvalidArgument(m);
}

Result<HttpResponse> SendWithRetry(const HttpRequest& request, const RetryPolicy& retry,
                                   std::string_view provider, std::string_view token) {
  auto sleep = [&retry](std::chrono::milliseconds d) {
    if (retry.sleep) {
      retry.sleep(d);
    } else {
      std::this_thread::sleep_for(d);
    }
  };
  std::chrono::milliseconds backoff = retry.backoff_initial;
  const int attempts = std::max(1, retry.max_attempts);
  std::string last_problem;
  for (int attempt = 1;; ++attempt) {
    auto r = SendHttp(request);
    std::chrono::milliseconds wait = backoff;
    if (!r.ok()) {
      if (r.status().code() != StatusCode::kUnavailable) return r.status();
      last_problem = Scrub(r.status().message(), token);
    } else if (r->status == 429 || r->status >= 500) {
      last_problem = r->status == 429 ? "429 (rate limited)" : std::to_string(r->status);
      if (r->status == 429 || r->status == 503) {
        if (auto secs = RetryAfterSeconds(*r)) {
          wait = std::chrono::seconds(std::min<int64_t>(*secs, retry.max_retry_after.count()));
        }
      }
    } else {
      return r;
    }
    if (attempt >= attempts) {
      if (!r.ok()) {
        return Unavailable(std::string(provider) + " could not be reached after " +
                           std::to_string(attempts) + " attempts: " + last_problem);
      }
      return Unavailable(std::string(provider) + " kept answering " + last_problem + " after " +
                         std::to_string(attempts) + " attempts; try again later");
    }
    spdlog::info("connector: {} answered {}; retrying in {} ms (attempt {} of {})", provider,
                 last_problem, wait.count(), attempt + 1, attempts);
    sleep(wait);
    backoff = std::min(backoff * 2, retry.backoff_max);
  }
}

}  // namespace leadline::connectors::internal
