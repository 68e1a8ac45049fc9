#include "connectors/outbound_http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

namespace leadline::connectors {
namespace {

void EnsureCurl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Collected {
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* c = static_cast<Collected*>(user);
  size_t bytes = size * n;
  if (c->body.size() + bytes > kMaxResponseBytes) {
    c->too_large = true;
    return 0;  // aborts the transfer
  }
  c->body.append(data, bytes);
  return bytes;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* c = static_cast<Collected*>(user);
  size_t bytes = size * n;
  std::string_view line(data, bytes);
  if (line.starts_with("HTTP/")) {
    c->headers.clear();  // a new response (e.g. after 100 Continue): keep only the last
    return bytes;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return bytes;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
    value.remove_suffix(1);
  c->headers.emplace_back(std::move(name), std::string(value));
  return bytes;
}

struct CurlDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

std::optional<std::string_view> HttpResponse::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return std::string_view(v);
  }
  return std::nullopt;
}

std::optional<std::string> UrlOrigin(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  std::string_view scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return std::nullopt;
  size_t host_start = scheme_end + 3;
  size_t end = url.find_first_of("/?#", host_start);
  if (end == std::string_view::npos) end = url.size();
  if (end == host_start) return std::nullopt;
  std::string_view authority = url.substr(host_start, end - host_start);
  // No credentials in URLs, and nothing that is not a plain host[:port].
  for (char ch : authority) {
    bool ok = std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == ':' ||
              ch == '[' || ch == ']' || ch == '_';
    if (!ok) return std::nullopt;
  }
  return std::string(url.substr(0, end));
}

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out.push_back(static_cast<char>(ch));
    } else {
      out.push_back('%');
      out.push_back(kHex[ch >> 4]);
      out.push_back(kHex[ch & 15]);
    }
  }
  return out;
}

Result<HttpResponse> SendHttp(const HttpRequest& request) {
  auto origin = UrlOrigin(request.url);
  if (!origin) return InvalidArgument("not an http(s) URL");
  EnsureCurl();
  std::unique_ptr<CURL, CurlDeleter> h(curl_easy_init());
  if (!h) return Unavailable("cannot start an HTTP request");
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  for (const auto& [k, v] : request.headers) {
    std::string line = k + ": " + v;
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (next == nullptr) return Unavailable("cannot start an HTTP request");
    headers.release();
    headers.reset(next);
  }
  // Without this, libcurl adds "Expect: 100-continue" to larger POST bodies.
  {
    curl_slist* next = curl_slist_append(headers.get(), "Expect:");
    if (next == nullptr) return Unavailable("cannot start an HTTP request");
    headers.release();
    headers.reset(next);
  }
  Collected c;
  CURL* e = h.get();
  curl_easy_setopt(e, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // whatever libcurl can decode
  curl_easy_setopt(e, CURLOPT_USERAGENT, "Leadline-Connector/1");
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &c);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &c);
  if (request.method == "POST") {
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method != "GET") {
    return InvalidArgument("unsupported method " + request.method);
  }
  CURLcode rc = curl_easy_perform(e);
  if (c.too_large) {
    return Unavailable(*origin + " sent an answer larger than " +
                       std::to_string(kMaxResponseBytes / (1024 * 1024)) + " MiB");
  }
  if (rc != CURLE_OK) {
    return Unavailable("request to " + *origin + " failed: " + curl_easy_strerror(rc));
  }
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  HttpResponse out;
  out.status = static_cast<int>(status);
  out.headers = std::move(c.headers);
  out.body = std::move(c.body);
  return out;
}

}  // namespace leadline::connectors
