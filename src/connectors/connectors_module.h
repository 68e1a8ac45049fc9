// The connectors feature as one unit: the secret key, the service, the HubSpot and
// Salesforce fetchers registered with the import system, and the HTTP routes whose syncs
// become import jobs. The server builds one next to its ImportService.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "auth/auth_service.h"
#include "connectors/connector_fetcher.h"
#include "connectors/connector_service.h"
#include "connectors/secret_key.h"
#include "connectors/sync_scheduler.h"
#include "db/pool.h"
#include "http/router.h"
#include "imports/import_service.h"

namespace leadline::connectors {

struct ModuleOptions {
  // Used when neither LEADLINE_SECRET_KEY nor LEADLINE_SECRET_KEY_FILE is set; the server
  // passes <data-dir>/secret.key.
  std::string secret_key_file = "./var/secret.key";
  FetcherOptions fetcher;
  // How often the scheduler looks for connectors whose scheduled sync is due.
  std::chrono::milliseconds schedule_poll{30000};
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
  SyncScheduler& scheduler() { return scheduler_; }

  // The scheduler's thread: start it with the import worker, stop it before imports stop.
  void StartScheduler() { scheduler_.Start(); }
  void StopScheduler() { scheduler_.Stop(); }

 private:
  // Queues a sync job of `c`, checked and reserved by `reserve` in the job's transaction.
  Result<imports::ImportJob> QueueSync(const auth::Principal& p, const Connector& c,
                                       imports::ImportOptions options,
                                       const imports::ImportService::BeforeInsert& reserve);
  // The scheduler's sync of a connector: acts as the organization itself (no user), with the
  // connector's sync options.
  Status QueueScheduledSync(const std::string& organization_id, const std::string& connector_id);

  imports::ImportService& imports_;
  SecretKeyProvider keys_;
  ConnectorService service_;
  SyncScheduler scheduler_;
};

}  // namespace leadline::connectors
