// A minimal blocking HTTP/1.1 client over loopback for black-box API tests.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "http/json.h"

namespace leadline::testing {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  json::Value Json() const;  // parsed body; throws on malformed JSON
  std::string Header(const std::string& lower_name) const;
};

class HttpClient {
 public:
  explicit HttpClient(uint16_t port) : port_(port) {}
  void SetToken(std::string token) { token_ = std::move(token); }

  HttpResult Get(const std::string& path) { return Send("GET", path, "", {}); }
  HttpResult Delete(const std::string& path) { return Send("DELETE", path, "", {}); }
  HttpResult Post(const std::string& path, const std::string& json_body) {
    return Send("POST", path, json_body, {{"Content-Type", "application/json"}});
  }
  HttpResult Patch(const std::string& path, const std::string& json_body,
                   std::vector<std::pair<std::string, std::string>> extra = {}) {
    extra.emplace_back("Content-Type", "application/json");
    return Send("PATCH", path, json_body, extra);
  }
  // Sends exactly these headers (plus Host, Content-Length, Connection: close and the token).
  HttpResult Send(const std::string& method, const std::string& path, const std::string& body,
                  const std::vector<std::pair<std::string, std::string>>& headers);
  // Sends raw bytes and returns the raw answer (for malformed-request tests).
  std::string SendRaw(const std::string& bytes);

 private:
  uint16_t port_;
  std::string token_;
};

HttpResult ParseHttpResponse(const std::string& raw);

}  // namespace leadline::testing
