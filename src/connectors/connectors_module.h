// The connectors feature as one unit: the secret key, the service, the HubSpot and
// Salesforce fetchers registered with the import system, and the HTTP routes whose syncs
// become import jobs. The server builds one next to its ImportService.
#pragma once

#include <memory>
#include <string>

#include "auth/auth_service.h"
#include "connectors/connector_fetcher.h"
#include "connectors/connector_service.h"
#include "connectors/secret_key.h"
#include "db/pool.h"
#include "http/router.h"
#include "imports/import_service.h"

namespace leadline::connectors {

struct ModuleOptions {
  // Used when neither LEADLINE_SECRET_KEY nor LEADLINE_SECRET_KEY_FILE is set; the server
  // passes <data-dir>/secret.key.
  std::string secret_key_file = "./var/secret.key";
  FetcherOptions fetcher;
};

class ConnectorsModule {
 public:
  // Registers the fetchers for "hubspot" and "salesforce" with `imports`: construct it before
  // imports.Start(). `pool` and `imports` must outlive the module.
  ConnectorsModule(db::Pool& pool, imports::ImportService& imports, ModuleOptions options = {});
  ConnectorsModule(const ConnectorsModule&) = delete;
  ConnectorsModule& operator=(const ConnectorsModule&) = delete;

  // Adds the /api/connectors routes. The module and `auth` must outlive the router.
  void RegisterRoutes(http::Router& router, auth::AuthService& auth);

  ConnectorService& service() { return service_; }

 private:
  imports::ImportService& imports_;
  SecretKeyProvider keys_;
  ConnectorService service_;
};

}  // namespace leadline::connectors
