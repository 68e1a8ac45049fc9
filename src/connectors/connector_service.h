// Connectors to external CRMs: create, read, change and delete them, seal their credentials,
// and hand the fetcher what a sync needs. Thread-safe. Admins manage connectors and start
// syncs; managers may read them. Credentials never leave this service in clear except to the
// fetcher (LoadSyncSource).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "auth/principal.h"
#include "connectors/field_mapping.h"
#include "connectors/model.h"
#include "connectors/secret_key.h"
#include "connectors/timestamps.h"
#include "core/status.h"
#include "db/pool.h"
#include "http/json.h"

namespace leadline::connectors {

// Limits of the API's input.
inline constexpr size_t kMaxNameChars = 200;
inline constexpr size_t kMaxBaseUrlBytes = 2000;
inline constexpr size_t kMaxTokenBytes = 8192;

struct NewConnectorInput {
  std::string kind;
  std::string name;
  std::optional<std::string> base_url;  // default: the provider's (HubSpot only)
  std::string token;
  std::optional<json::Value> field_mapping;  // overrides object
};

struct ConnectorPatchInput {
  std::optional<std::string> name;
  bool base_url_set = false;  // base_url given (null = back to the default)
  std::optional<std::string> base_url;
  std::optional<std::string> token;  // rotation
  bool field_mapping_set = false;    // field_mapping given (null = no overrides)
  std::optional<json::Value> field_mapping;
};

struct ConnectorPage {
  std::vector<Connector> items;
  std::optional<std::string> next_cursor;
};

// Everything a sync needs, credentials in clear. Wiped on destruction.
struct SyncSource {
  Kind kind = Kind::kHubSpot;
  std::string base_url;
  std::string token;
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
  // Admin only. Checks that the connector can sync (exists, has credentials, no sync of it
  // queued or running: kConflict with existing_job_id) and, when `full`, makes the next sync
  // fetch everything. Returns the connector.
  Result<Connector> PrepareSync(const auth::Principal& p, std::string_view id, bool full);

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
