#include "connectors/connectors_module.h"

#include <spdlog/spdlog.h>

#include "connectors/connector_handlers.h"
#include "core/uuid.h"
#include "imports/import_handlers.h"

namespace leadline::connectors {

ConnectorsModule::ConnectorsModule(db::Pool& pool, imports::ImportService& imports,
                                   ModuleOptions options)
    : imports_(imports),
      keys_(options.secret_key_file),
      service_(pool, keys_),
      scheduler_(
          pool,
          [this](const std::string& org, const std::string& id) {
            return QueueScheduledSync(org, id);
          },
          options.schedule_poll) {
  for (Kind kind : {Kind::kHubSpot, Kind::kSalesforce}) {
    imports_.RegisterFetcher(std::string(KindName(kind)),
                             std::make_shared<ConnectorFetcher>(kind, service_, options.fetcher));
  }
}

Result<imports::ImportJob> ConnectorsModule::QueueSync(
    const auth::Principal& p, const Connector& c, imports::ImportOptions options,
    const imports::ImportService::BeforeInsert& reserve) {
  std::string display = c.name + " (" + std::string(ProviderName(c.kind)) + ")";
  return imports_.CreateFetchJob(p, std::string(KindName(c.kind)), c.id, std::move(display),
                                 std::move(options), reserve);
}

Status ConnectorsModule::QueueScheduledSync(const std::string& organization_id,
                                            const std::string& connector_id) {
  // The organization acting through its schedule: admin rights, no user (the job's
  // created_by stays empty).
  auth::Principal system;
  system.organization_id = organization_id;
  system.role = auth::Role::kAdmin;
  ASSIGN_OR_RETURN(Connector c, service_.Get(system, connector_id));
  ASSIGN_OR_RETURN(imports::ImportJob job,
                   QueueSync(system, c, c.sync_options, [&](db::Transaction& tx) {
                     return service_.ReserveScheduledSync(tx, c.id);
                   }));
  spdlog::info("connectors: scheduled sync of connector {} queued as job {}", c.id, job.id);
  return Status::Ok();
}

void ConnectorsModule::RegisterRoutes(http::Router& router, auth::AuthService& auth) {
  StartSync start = [this](const auth::Principal& p, const Connector& c,
                           imports::ImportOptions options, bool full) -> Result<SyncStarted> {
    ASSIGN_OR_RETURN(imports::ImportJob job, QueueSync(p, c, options, [&](db::Transaction& tx) {
                       return service_.ReserveSync(tx, c.id, full, options.owner_id);
                     }));
    json::Writer w;
    imports::ImportJobJson(w, job);
    return SyncStarted{job.id, w.Take()};
  };
  RegisterConnectorRoutes(router, auth, service_, std::move(start));
}

}  // namespace leadline::connectors
