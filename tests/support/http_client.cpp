#include "support/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace leadline::testing {

json::Value HttpResult::Json() const {
  auto v = json::Parse(body);
  if (!v.ok()) throw std::runtime_error("response is not JSON: " + body);
  return std::move(v).value();
}

std::string HttpResult::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

std::string HttpClient::SendRaw(const std::string& bytes) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port_);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    throw std::runtime_error("connect failed");
  }
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer (413) and close before reading everything
    sent += static_cast<size_t>(n);
  }
  shutdown(fd, SHUT_WR);
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

HttpResult HttpClient::Send(const std::string& method, const std::string& path,
                            const std::string& body,
                            const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!token_.empty()) req += "Authorization: Bearer " + token_ + "\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return ParseHttpResponse(SendRaw(req));
}

HttpResult ParseHttpResponse(const std::string& raw) {
  HttpResult r;
  size_t header_end = raw.find("\r\n\r\n");
  if (raw.size() < 12 || header_end == std::string::npos) {
    throw std::runtime_error("malformed HTTP response: " + raw.substr(0, 200));
  }
  r.status = std::stoi(raw.substr(9, 3));
  size_t pos = raw.find("\r\n") + 2;
  while (pos < header_end) {
    size_t eol = raw.find("\r\n", pos);
    std::string line = raw.substr(pos, eol - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      r.headers[name] = value;
    }
    pos = eol + 2;
  }
  std::string rest = raw.substr(header_end + 4);
  if (r.Header("transfer-encoding") == "chunked") {
    size_t p = 0;
    for (;;) {
      size_t eol = rest.find("\r\n", p);
      if (eol == std::string::npos) break;
      size_t len = std::stoul(rest.substr(p, eol - p), nullptr, 16);
      if (len == 0) break;
      r.body += rest.substr(eol + 2, len);
      p = eol + 2 + len + 2;
    }
  } else {
    r.body = rest;
  }
  return r;
}

}  // namespace leadline::testing
