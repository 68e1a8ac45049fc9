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
  };
  std::optional<Sealed> credentials;
};
// The updated connector, or nullopt when there is no live connector with that id.
Result<std::optional<Connector>> Update(db::Transaction& tx, const std::string& id, const Patch& p);
// Marks the connector deleted and wipes its credentials; false when not found.
Result<bool> Disable(db::Transaction& tx, const std::string& id);

// The job id of a queued or running import of the connector, if any.
Result<std::optional<std::string>> ActiveJob(db::Transaction& tx, const std::string& id);
// Requests that the next sync fetch everything (full_sync_requested_at = now()).
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
  // source_cursor of the latest completed job (other than `job_id`) created after the last
  // full-sync request; nullopt = fetch everything.
  std::optional<std::string> since_cursor;
};
Result<std::optional<SyncRow>> LoadSyncRow(db::Pool& pool, const db::TenantContext& ctx,
                                           const std::string& id, const std::string& job_id);

}  // namespace leadline::connectors::repo
