// HTTP routes of the connectors API (/api/connectors...): parse requests, call
// ConnectorService, write JSON. Starting a sync is delegated to the import system through
// StartSync, so these routes do not depend on how jobs run.
#pragma once

#include <functional>
#include <string>

#include "auth/auth_service.h"
#include "auth/principal.h"
#include "connectors/connector_service.h"
#include "connectors/model.h"
#include "core/status.h"
#include "http/json.h"
#include "http/router.h"
#include "imports/import_job.h"

namespace leadline::connectors {

// A queued sync job, as the import system describes it.
struct SyncStarted {
  std::string job_id;
  std::string job_json;  // the import job object (GET /api/imports/{id})
};
// Queues an import job of `connector` with `options` (`full`: fetch everything); errors map to
// HTTP as usual, kConflict with existing_job_id when a sync of it is already queued or running.
using StartSync =
    std::function<Result<SyncStarted>(const auth::Principal& p, const Connector& connector,
                                      imports::ImportOptions options, bool full)>;

// The body of POST /api/connectors/{id}/sync: {"full", "dedupe", "update_mode", "dnc",
// "tags", "owner_id"}, every member optional; the options it does not name are the
// connector's (its sync_options). kValidationFailed naming each bad member.
struct SyncRequest {
  bool full = false;
  imports::ImportOptions options;
};
Result<SyncRequest> ParseSyncRequest(const json::Value& body,
                                     const imports::ImportOptions& connector_options);

// The connector object: never a credential, only has_credentials.
void WriteConnector(json::Writer& w, const Connector& c);

// Registers every connectors route. `auth` and `service` must outlive the router.
void RegisterConnectorRoutes(http::Router& router, auth::AuthService& auth,
                             ConnectorService& service, StartSync start_sync);

}  // namespace leadline::connectors
