// A real leadline HTTP server on an ephemeral loopback port, over a fresh test database.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "api/api.h"
#include "http/server.h"
#include "imports/import_handlers.h"
#include "support/http_client.h"
#include "support/test_db.h"

namespace leadline::testing {

class TestApp {
 public:
  // `start_workers`: run the import worker, as `leadline serve` does. `import_batch_rows`: rows
  // per import transaction (small values make every file span several batches).
  explicit TestApp(http::ServerOptions options = {}, bool start_workers = true,
                   int64_t import_batch_rows = api::ApiOptions{}.imports_batch_rows)
      : db_(TestDatabase::Create()) {
    char spool[] = "/tmp/leadline-spool-XXXXXX";
    if (::mkdtemp(spool) == nullptr) throw std::runtime_error("mkdtemp failed");
    spool_dir_ = spool;
    api::ApiOptions api_options;
    api_options.imports_spool_dir = spool_dir_;
    api_options.secret_key_file = spool_dir_ + "/secret.key";
    api_options.imports_batch_rows = import_batch_rows;
    api_ = std::make_unique<api::Api>(db_->app_pool(), api_options);
    options.spool_body = imports::IsUploadRequest;
    options.slow_request = api::IsSlowRequest;
    options.spool_dir = spool_dir_;
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 2;
    server_ = std::make_unique<http::Server>(options,
                                             [this](http::Request& r) { return api_->Handle(r); });
    auto port = server_->Start();
    if (!port.ok()) throw std::runtime_error(port.status().ToString());
    port_ = *port;
    if (start_workers) api_->StartWorkers();
  }
  ~TestApp() {
    server_->Stop(5);
    api_.reset();
    std::error_code ec;
    std::filesystem::remove_all(spool_dir_, ec);
  }

  api::Api& api() { return *api_; }
  const std::string& spool_dir() const { return spool_dir_; }

  TestDatabase& db() { return *db_; }
  uint16_t port() const { return port_; }
  HttpClient Client(const std::string& token = "") {
    HttpClient c(port_);
    c.SetToken(token);
    return c;
  }

 private:
  std::unique_ptr<TestDatabase> db_;
  std::string spool_dir_;
  std::unique_ptr<api::Api> api_;
  std::unique_ptr<http::Server> server_;
  uint16_t port_ = 0;
};

}  // namespace leadline::testing
