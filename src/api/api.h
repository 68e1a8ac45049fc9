// The whole HTTP API: builds the router from every domain's routes and wraps it with
// metrics. `Handle` is the http::Handler given to the server.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "api/metrics.h"
#include "auth/auth_service.h"
#include "connectors/connectors_module.h"
#include "db/pool.h"
#include "dnc/compliance.h"
#include "http/message.h"
#include "http/router.h"
#include "imports/import_service.h"
#include "leads/lead_service.h"

namespace leadline::api {

struct ApiOptions {
  std::string web_dist_dir;  // built web UI served at /; empty = none
  // Uploads and fetched files of imports wait here for their job; empty = imports refused.
  // Give the HTTP server the same directory (ServerOptions::spool_dir).
  std::string imports_spool_dir;
  // Connector credentials are sealed with the key in LEADLINE_SECRET_KEY, else the file
  // LEADLINE_SECRET_KEY_FILE names, else this file (created on first use, mode 0600).
  std::string secret_key_file = "./var/secret.key";
  // Rows an import reads and applies per transaction (ImportServiceOptions::batch_rows).
  int64_t imports_batch_rows = imports::ImportServiceOptions{}.batch_rows;
};

class Api {
 public:
  Api(db::Pool& pool, ApiOptions options = {});
  ~Api();
  // Thread-safe.
  http::Response Handle(http::Request& request);
  const http::Router& router() const { return router_; }
  auth::AuthService& auth() { return auth_; }
  dnc::Compliance& compliance() { return *compliance_; }
  imports::ImportService& imports() { return *imports_; }
  connectors::ConnectorsModule& connectors() { return *connectors_; }
  // Background work of this process: the import worker and the connectors' sync scheduler.
  // StopWorkers returns once both have stopped (a running import stops after its current
  // batch and stays resumable); the destructor stops them too.
  void StartWorkers();
  void StopWorkers();

 private:
  void AddSystemRoutes();
  db::Pool& pool_;
  ApiOptions options_;
  auth::AuthService auth_;
  leads::LeadService leads_service_;
  std::unique_ptr<dnc::Compliance> compliance_;
  std::unique_ptr<imports::ImportService> imports_;
  std::unique_ptr<connectors::ConnectorsModule> connectors_;  // registers fetchers on imports_
  Metrics metrics_;
  http::Router router_;
};

// Requests whose handlers take long: a password hash (argon2id, 64 MiB, ~50 ms: signing in,
// creating a user), work on up to every lead of an organization (bulk changes, undoing an
// import, a registry load) or on everything one lead has (merging two leads), or opening an
// uploaded file (queueing an import or previewing one reads the file's header; an XLSX's shared
// strings come first: 0.4 s for a million). The server runs them off its I/O threads
// (http::ServerOptions::slow_request).
bool IsSlowRequest(http::Method method, std::string_view path);

// The OpenAPI document served at /api/openapi.json (embedded at build time).
std::string_view OpenApiDocument();

}  // namespace leadline::api
