// SQL of the connectors domain. Every function runs as the caller's tenant (row-level
// security applies) and filters by app_current_org() explicitly as well. Deleted (disabled)
// connectors are invisible here except to LoadSyncSource, which reports them.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "connectors/model.h"
#include "core/status.h"
#include "db/transaction.h"

namespace leadline::connectors::repo {

struct NewConnector {
  std::string id;
  Kind kind = Kind::kHubSpot;
  std::string name;
  std::string base_url;
  std::string field_mapping_json;
  std::string ciphertext;  // raw bytes
  std::string nonce;       // raw bytes
  std::string key_id;
  std::string credentials_kind;  // "token" or "refresh_token"
  std::optional<int64_t> sync_every_minutes;
  std::string sync_options_json = "{}";  // SyncOptionsJson
};
// kAlreadyExists (constraint crm_connectors_name_key) when the name is taken.
Result<Connector> Insert(db::Transaction& tx, const NewConnector& c);

// A live connector with its latest import job, or nullopt.
Result<std::optional<Connector>> Get(db::Pool& pool, const db::TenantContext& ctx,
                                     const std::string& id);
// Live connectors, oldest first, after the cursor (created_us, id).
Result<std::vector<Connector>> List(db::Pool& pool, const db::TenantContext& ctx,
                                    const std::optional<std::pair<int64_t, std::string>>& after,
                                    int limit);

// Each set member replaces the column; nullopt members leave it alone.
struct Patch {
  std::optional<std::string> name;
  std::optional<std::string> base_url;
  std::optional<std::string> field_mapping_json;
  struct Sealed {
    std::string ciphertext;
    std::string nonce;
    std::string key_id;
    std::string kind;  // "token" or "refresh_token"
  };
  std::optional<Sealed> credentials;
  std::optional<std::optional<int64_t>> sync_every_minutes;  // set: a schedule, or none
  std::optional<std::string> sync_options_json;              // SyncOptionsJson
};
// The updated connector, or nullopt when there is no live connector with that id.
Result<std::optional<Connector>> Update(db::Transaction& tx, const std::string& id, const Patch& p);
// Marks the connector deleted and wipes its credentials; false when not found.
Result<bool> Disable(db::Transaction& tx, const std::string& id);

// The job id of a queued or running import of the connector, if any.
Result<std::optional<std::string>> ActiveJob(db::Transaction& tx, const std::string& id);
// Locks the live connector's row for the rest of the transaction, so that checking for an
// active sync and queueing one are a single step for concurrent requests; false when there is
// no live connector with that id.
Result<bool> LockForSync(db::Transaction& tx, const std::string& id);
// Locks the connector's row and tells whether its scheduled sync is due
// (connector_sync_is_due, migration 0016): a schedule, credentials, no active sync, and the
// period since its latest sync has passed.
Result<bool> LockIfScheduledSyncDue(db::Transaction& tx, const std::string& id);

// A connector whose scheduled sync is due, of any organization.
struct DueSync {
  std::string organization_id;
  std::string connector_id;
};
// Up to `limit` of them, longest overdue first, across organizations (connector_due_syncs: it
// sees past row-level security for this one query). Runs without a tenant.
Result<std::vector<DueSync>> DueSyncs(db::Pool& pool, int limit);

// Requests that the next sync fetch everything: full_sync_requested_at = now(), the
// transaction's time, which the job queued in the same transaction shares (a sync counts as
// a since-point when created at or after the request).
Status RequestFullSync(db::Transaction& tx, const std::string& id);

// What the fetcher needs for a job: the sealed credentials and where to start.
struct SyncRow {
  Kind kind = Kind::kHubSpot;
  std::string base_url;
  std::string field_mapping_json;
  std::optional<std::string> ciphertext;  // raw bytes
  std::optional<std::string> nonce;
  std::optional<std::string> key_id;
  bool disabled = false;
  // source_cursor of the latest completed job (other than `job_id`) created at or after the last
  // full-sync request; nullopt = fetch everything.
  std::optional<std::string> since_cursor;
};
Result<std::optional<SyncRow>> LoadSyncRow(db::Pool& pool, const db::TenantContext& ctx,
                                           const std::string& id, const std::string& job_id);

}  // namespace leadline::connectors::repo
