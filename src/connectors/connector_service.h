// Connectors to external CRMs: create, read, change and delete them, seal their credentials,
// and hand the fetcher what a sync needs. Thread-safe. Admins manage connectors and start
// syncs; managers may read them. Credentials never leave this service in clear except to the
// fetcher (LoadSyncSource).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "auth/principal.h"
#include "connectors/crm_source.h"
#include "connectors/field_mapping.h"
#include "connectors/model.h"
#include "connectors/secret_key.h"
#include "connectors/timestamps.h"
#include "core/status.h"
#include "db/pool.h"
#include "db/transaction.h"
#include "http/json.h"

namespace leadline::connectors {

// Limits of the API's input.
inline constexpr size_t kMaxNameChars = 200;
inline constexpr size_t kMaxBaseUrlBytes = 2000;
inline constexpr size_t kMaxTokenBytes = 8192;
inline constexpr int64_t kMinSyncEveryMinutes = 15;
inline constexpr int64_t kMaxSyncEveryMinutes = 7 * 24 * 60;

struct NewConnectorInput {
  std::string kind;
  std::string name;
  std::optional<std::string> base_url;  // default: the provider's (HubSpot only)
  // The credentials: a bearer token, or (Salesforce) a refresh token; exactly one.
  std::optional<std::string> token;
  std::optional<SalesforceRefreshToken> oauth;
  std::optional<json::Value> field_mapping;   // overrides object
  std::optional<int64_t> sync_every_minutes;  // nullopt = no schedule
  imports::ImportOptions sync_options;        // see sync_options.h
};

struct ConnectorPatchInput {
  std::optional<std::string> name;
  bool base_url_set = false;  // base_url given (null = back to the default)
  std::optional<std::string> base_url;
  std::optional<std::string> token;             // rotation to a token
  std::optional<SalesforceRefreshToken> oauth;  // or to a refresh token (Salesforce)
  bool field_mapping_set = false;               // field_mapping given (null = no overrides)
  std::optional<json::Value> field_mapping;
  bool sync_every_minutes_set = false;  // given (null = no schedule)
  std::optional<int64_t> sync_every_minutes;
  // The "sync_options" member as given (read over the stored options; null = the defaults).
  std::optional<json::Value> sync_options;
};

struct ConnectorPage {
  std::vector<Connector> items;
  std::optional<std::string> next_cursor;
};

// Everything a sync needs, credentials in clear. Wiped on destruction.
struct SyncSource {
  Kind kind = Kind::kHubSpot;
  std::string base_url;
  std::string token;                              // a bearer token, or
  std::optional<SalesforceRefreshToken> refresh;  // one to exchange for it first
  std::vector<MappingEntry> mapping;
  std::optional<SysTime> since;  // nullopt = full sync
  SyncSource() = default;
  SyncSource(SyncSource&&) = default;
  SyncSource& operator=(SyncSource&&) = default;
  ~SyncSource();
};

class ConnectorService {
 public:
  ConnectorService(db::Pool& pool, SecretKeyProvider& keys) : pool_(pool), keys_(keys) {}

  // Admin only. Errors: kValidationFailed naming each bad field (kind, name, base_url, token,
  // field_mapping.<property>); kAlreadyExists when a live connector has the name; kInternal
  // when the secret key cannot be loaded (logged).
  Result<Connector> Create(const auth::Principal& p, const NewConnectorInput& in);
  // Manager or admin. Oldest first; `cursor` from a previous page. kInvalidArgument for a
  // malformed cursor.
  Result<ConnectorPage> List(const auth::Principal& p, const std::optional<std::string>& cursor,
                             int limit);
  // Manager or admin. kNotFound when missing, deleted, malformed or another tenant's.
  Result<Connector> Get(const auth::Principal& p, std::string_view id);
  // Admin only. Errors as Create, and kNotFound.
  Result<Connector> Update(const auth::Principal& p, std::string_view id,
                           const ConnectorPatchInput& in);
  // Admin only. The connector disappears from the API and its credentials are wiped; its
  // import jobs stay. kNotFound when there is none.
  Status Delete(const auth::Principal& p, std::string_view id);
  // Admin only. Checks that the connector can sync: it exists and has credentials. Returns it.
  Result<Connector> CheckCanSync(const auth::Principal& p, std::string_view id);
  // In the transaction that queues a sync of connector `id` (canonical), before the job is
  // inserted: locks the connector's row, so that concurrent requests queue one sync at most;
  // kConflict with existing_job_id when a sync of it is queued or running; kNotFound when it
  // was deleted meanwhile. `full` makes this and the following syncs fetch everything until
  // one completes. The sync's owner, if any, must be an active user (kValidationFailed on
  // owner_id).
  Status ReserveSync(db::Transaction& tx, const std::string& id, bool full,
                     const std::optional<std::string>& owner_id);
  // The same for a scheduled sync: kConflict unless it is due (a schedule, credentials, no
  // active sync, and its period since the latest sync has passed), checked under the lock.
  Status ReserveScheduledSync(db::Transaction& tx, const std::string& id);

  // For the fetcher of `job_id`: the connector's credentials (opened), effective mapping and
  // the since-point of an incremental sync. Errors carry messages fit for the job's error:
  // kNotFound (deleted), kConflict (no credentials, or sealed with another secret key),
  // kUnavailable (the secret key cannot be loaded; details in the log).
  Result<SyncSource> LoadSyncSource(db::Pool& pool, const db::TenantContext& ctx,
                                    const std::string& connector_id, const std::string& job_id);

  // The associated data sealing a connector's credentials.
  static std::string AssociatedData(std::string_view organization_id,
                                    std::string_view connector_id);

 private:
  // The normalised URL (the provider's default when absent); adds a field error when bad.
  static std::string ValidateBaseUrl(Kind kind, const std::optional<std::string>& in,
                                     Status& errors);
  db::Pool& pool_;
  SecretKeyProvider& keys_;
};

}  // namespace leadline::connectors
