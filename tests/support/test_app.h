// A real leadline HTTP server on an ephemeral loopback port, over a fresh test database.
#pragma once

#include <memory>

#include "api/api.h"
#include "http/server.h"
#include "support/http_client.h"
#include "support/test_db.h"

namespace leadline::testing {

class TestApp {
 public:
  explicit TestApp(http::ServerOptions options = {}) : db_(TestDatabase::Create()) {
    api_ = std::make_unique<api::Api>(db_->app_pool());
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 2;
    server_ = std::make_unique<http::Server>(options,
                                             [this](http::Request& r) { return api_->Handle(r); });
    auto port = server_->Start();
    if (!port.ok()) throw std::runtime_error(port.status().ToString());
    port_ = *port;
  }
  ~TestApp() { server_->Stop(5); }

  TestDatabase& db() { return *db_; }
  uint16_t port() const { return port_; }
  HttpClient Client(const std::string& token = "") {
    HttpClient c(port_);
    c.SetToken(token);
    return c;
  }

 private:
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<api::Api> api_;
  std::unique_ptr<http::Server> server_;
  uint16_t port_ = 0;
};

}  // namespace leadline::testing
