// Outbound HTTP(S) for the connectors: one blocking request at a time over libcurl (kept
// inside outbound_http.cpp). Redirects are not followed, so a bearer token only ever goes to
// the host it was configured for.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace leadline::connectors {

struct HttpRequest {
  std::string method = "GET";  // GET or POST
  std::string url;             // http:// or https:// only
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{60000};          // the whole exchange
  std::chrono::milliseconds connect_timeout{10000};  // TCP + TLS handshake
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  // First value of a header (name in lower case), or nullopt.
  std::optional<std::string_view> Header(std::string_view lower_name) const;
};

// Answers larger than this are refused (kUnavailable) instead of filling memory.
inline constexpr size_t kMaxResponseBytes = 64 * 1024 * 1024;

// Sends the request and returns whatever status the server answered. Thread-safe (each call
// uses its own handle). Errors: kInvalidArgument for a URL that is not http(s);
// kUnavailable for transport failures (DNS, connect, TLS, timeout, oversized answer), with a
// message naming the host and the failure, never the request's headers.
Result<HttpResponse> SendHttp(const HttpRequest& request);

// Percent-encodes a query component (RFC 3986 unreserved characters stay as they are).
std::string UrlEncode(std::string_view s);
// The scheme and authority of an absolute URL ("https://x.example:8443"), or nullopt.
std::optional<std::string> UrlOrigin(std::string_view url);

}  // namespace leadline::connectors
