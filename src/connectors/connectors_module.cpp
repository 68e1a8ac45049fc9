#include "connectors/connectors_module.h"

#include "connectors/connector_handlers.h"
#include "imports/import_handlers.h"

namespace leadline::connectors {

ConnectorsModule::ConnectorsModule(db::Pool& pool, imports::ImportService& imports,
                                   ModuleOptions options)
    : imports_(imports), keys_(options.secret_key_file), service_(pool, keys_) {
  for (Kind kind : {Kind::kHubSpot, Kind::kSalesforce}) {
    imports_.RegisterFetcher(std::string(KindName(kind)),
                             std::make_shared<ConnectorFetcher>(kind, service_, options.fetcher));
  }
}

void ConnectorsModule::RegisterRoutes(http::Router& router, auth::AuthService& auth) {
  StartSync start = [this](const auth::Principal& p, const Connector& c,
                           imports::ImportOptions options) -> Result<SyncStarted> {
    std::string display = c.name + " (" + std::string(ProviderName(c.kind)) + ")";
    ASSIGN_OR_RETURN(imports::ImportJob job,
                     imports_.CreateFetchJob(p, std::string(KindName(c.kind)), c.id,
                                             std::move(display), std::move(options)));
    json::Writer w;
    imports::ImportJobJson(w, job);
    return SyncStarted{job.id, w.Take()};
  };
  RegisterConnectorRoutes(router, auth, service_, std::move(start));
}

}  // namespace leadline::connectors
