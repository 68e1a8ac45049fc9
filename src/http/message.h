// Transport-neutral HTTP request/response. Handlers are plain functions from Request to
// Response, so they are testable without sockets; src/http/server.cpp converts Beast messages.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leadline::http {

enum class Method { kGet, kPost, kPut, kPatch, kDelete, kHead, kOptions, kOther };

const char* MethodName(Method m);

// Case-insensitive header lookup over a small vector (requests carry few headers).
class Headers {
 public:
  void Add(std::string name, std::string value) {
    items_.emplace_back(std::move(name), std::move(value));
  }
  // First value for `name` (case-insensitive), or nullopt.
  std::optional<std::string_view> Get(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

struct Request {
  Method method = Method::kGet;
  std::string target;  // raw request target, e.g. "/api/leads?status=new"
  std::string path;    // percent-decoded path without the query
  // Query parameters in order of appearance, percent-decoded; repeated keys allowed.
  std::vector<std::pair<std::string, std::string>> query;
  Headers headers;
  std::string body;
  std::string body_file;  // set instead of `body` for spooled uploads (see ServerOptions)
  std::string remote_ip;

  // First query value for key, or nullopt.
  std::optional<std::string_view> QueryParam(std::string_view key) const;
  // All values for a repeated key.
  std::vector<std::string_view> QueryParams(std::string_view key) const;
};

// A streamed body: called repeatedly with a sink; returns false when done. The sink
// returns false when the client went away (producer should stop).
using BodyWriter = std::function<void(const std::function<bool(std::string_view)>& sink)>;

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  BodyWriter stream;  // when set, sent with chunked encoding instead of `body`

  void SetHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

using Handler = std::function<Response(Request&)>;

// Splits "a=1&b=%20x" into decoded pairs ('+' means space). Invalid escapes are kept raw.
std::vector<std::pair<std::string, std::string>> ParseQueryString(std::string_view qs);
// Percent-decodes a path or query component; nullopt on malformed escapes.
std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space);

}  // namespace leadline::http
