// The whole HTTP API: builds the router from every domain's routes and wraps it with
// metrics. `Handle` is the http::Handler given to the server.
#pragma once

#include <memory>
#include <string>

#include "api/metrics.h"
#include "auth/auth_service.h"
#include "db/pool.h"
#include "dnc/compliance.h"
#include "http/message.h"
#include "http/router.h"
#include "leads/lead_service.h"

namespace leadline::api {

struct ApiOptions {
  std::string web_dist_dir;  // built web UI served at /; empty = none
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

 private:
  void AddSystemRoutes();
  db::Pool& pool_;
  ApiOptions options_;
  auth::AuthService auth_;
  leads::LeadService leads_service_;
  std::unique_ptr<dnc::Compliance> compliance_;
  Metrics metrics_;
  http::Router router_;
};

// The OpenAPI document served at /api/openapi.json (embedded at build time).
std::string_view OpenApiDocument();

}  // namespace leadline::api
