#include "connectors/connector_repository.h"

#include "connectors/sync_options.h"
#include "core/crypto.h"

namespace leadline::connectors::repo {
namespace {

using db::Params;
using db::Query;
using db::Rows;

// The connector's columns (c) and its latest import job's (j), in the order ReadConnector
// expects them. next_sync_at is the latest job's queueing plus the period (now when that has
// passed or there is no job: greatest() ignores the null).
#define CONNECTOR_COLUMNS                                                                      \
  "c.id, c.kind, c.name, c.base_url, c.field_mapping::text, "                                  \
  "c.credentials_ciphertext IS NOT NULL, c.created_by, app_rfc3339(c.created_at), "            \
  "app_rfc3339(c.updated_at), (extract(epoch FROM c.created_at) * 1000000)::bigint, "          \
  "j.id, j.status, app_rfc3339(j.created_at), app_rfc3339(j.started_at), "                     \
  "app_rfc3339(j.finished_at), j.error, j.source_cursor, j.total_rows, j.created, j.updated, " \
  "j.skipped, j.failed, c.sync_every_minutes, "                                                \
  "app_rfc3339(CASE WHEN c.sync_every_minutes IS NOT NULL THEN greatest(now(), "               \
  "j.created_at + make_interval(mins => c.sync_every_minutes)) END), "                         \
  "c.credentials_kind, c.sync_options::text"

#define LATEST_JOB_JOIN                                                       \
  " LEFT JOIN LATERAL (SELECT * FROM import_jobs j "                          \
  "   WHERE j.organization_id = c.organization_id AND j.connector_id = c.id " \
  "   ORDER BY j.created_at DESC, j.id DESC LIMIT 1) j ON true"

constexpr Query kInsert{
    "connectors_insert",
    "WITH c AS (INSERT INTO crm_connectors (organization_id, id, kind, name, base_url, "
    "field_mapping, credentials_ciphertext, credentials_nonce, key_id, credentials_kind, "
    "sync_every_minutes, sync_options, created_by) "
    "VALUES (app_current_org(), $1, $2, $3, $4, $5::jsonb, decode($6, 'hex'), decode($7, 'hex'), "
    "$8, $10, $9::integer, $11::jsonb, app_current_user()) RETURNING *) "
    "SELECT " CONNECTOR_COLUMNS " FROM c" LATEST_JOB_JOIN};

constexpr Query kGet{"connectors_get",
                     "SELECT " CONNECTOR_COLUMNS " FROM crm_connectors c" LATEST_JOB_JOIN
                     " WHERE c.organization_id = app_current_org() AND c.id = $1 "
                     "AND c.disabled_at IS NULL"};

constexpr Query kList{"connectors_list",
                      "SELECT " CONNECTOR_COLUMNS " FROM crm_connectors c" LATEST_JOB_JOIN
                      " WHERE c.organization_id = app_current_org() AND c.disabled_at IS NULL "
                      "AND ($1::bigint IS NULL OR (c.created_at, c.id) > "
                      "(timestamptz 'epoch' + $1::bigint * interval '1 microsecond', $2::uuid)) "
                      "ORDER BY c.created_at, c.id LIMIT $3"};

constexpr Query kUpdate{
    "connectors_update",
    "WITH c AS (UPDATE crm_connectors SET "
    "name = CASE WHEN $2::boolean THEN $3 ELSE name END, "
    "base_url = CASE WHEN $4::boolean THEN $5 ELSE base_url END, "
    "field_mapping = CASE WHEN $6::boolean THEN $7::jsonb ELSE field_mapping END, "
    "credentials_ciphertext = CASE WHEN $8::boolean THEN decode($9, 'hex') "
    "  ELSE credentials_ciphertext END, "
    "credentials_nonce = CASE WHEN $8::boolean THEN decode($10, 'hex') ELSE credentials_nonce END, "
    "key_id = CASE WHEN $8::boolean THEN $11 ELSE key_id END, "
    "credentials_kind = CASE WHEN $8::boolean THEN $14 ELSE credentials_kind END, "
    "sync_every_minutes = CASE WHEN $12::boolean THEN $13::integer ELSE sync_every_minutes END, "
    "sync_options = coalesce($15::jsonb, sync_options) "
    "WHERE organization_id = app_current_org() AND id = $1 AND disabled_at IS NULL "
    "RETURNING *) "
    "SELECT " CONNECTOR_COLUMNS " FROM c" LATEST_JOB_JOIN};

constexpr Query kDisable{
    "connectors_disable",
    "UPDATE crm_connectors SET disabled_at = now(), credentials_ciphertext = NULL, "
    "credentials_nonce = NULL, key_id = NULL, credentials_kind = NULL "
    "WHERE organization_id = app_current_org() AND id = $1 AND disabled_at IS NULL"};

constexpr Query kActiveJob{"connectors_active_job",
                           "SELECT id FROM import_jobs WHERE organization_id = app_current_org() "
                           "AND connector_id = $1 AND status IN ('queued', 'running') LIMIT 1"};

constexpr Query kLockForSync{"connectors_lock_for_sync",
                             "SELECT 1 FROM crm_connectors WHERE organization_id = "
                             "app_current_org() AND id = $1 AND disabled_at IS NULL FOR UPDATE"};

constexpr Query kScheduledSyncDue{"connectors_scheduled_sync_due",
                                  "SELECT connector_sync_is_due($1)"};

constexpr Query kDueSyncs{"connectors_due_syncs",
                          "SELECT organization_id, id FROM connector_due_syncs($1)"};

constexpr Query kRequestFull{
    "connectors_request_full",
    "UPDATE crm_connectors SET full_sync_requested_at = now() "
    "WHERE organization_id = app_current_org() AND id = $1 AND disabled_at IS NULL"};

constexpr Query kSyncRow{
    "connectors_sync_row",
    "SELECT c.kind, c.base_url, c.field_mapping::text, encode(c.credentials_ciphertext, 'hex'), "
    "encode(c.credentials_nonce, 'hex'), c.key_id, c.disabled_at IS NOT NULL, "
    "(SELECT j.source_cursor FROM import_jobs j "
    " WHERE j.organization_id = c.organization_id AND j.connector_id = c.id "
    " AND j.status = 'completed' AND j.source_cursor IS NOT NULL AND j.id <> $2::uuid "
    " AND (c.full_sync_requested_at IS NULL OR j.created_at >= c.full_sync_requested_at) "
    " ORDER BY j.finished_at DESC NULLS LAST, j.created_at DESC LIMIT 1) "
    "FROM crm_connectors c WHERE c.organization_id = app_current_org() AND c.id = $1"};

Connector ReadConnector(const Rows& r, int i) {
  Connector c;
  c.id = std::string(r.Get(i, 0));
  c.kind = ParseKind(r.Get(i, 1)).value_or(Kind::kHubSpot);
  c.name = std::string(r.Get(i, 2));
  c.base_url = std::string(r.Get(i, 3));
  c.field_mapping_json = std::string(r.Get(i, 4));
  c.has_credentials = r.GetBool(i, 5);
  c.created_by = r.GetOptional(i, 6);
  c.created_at = std::string(r.Get(i, 7));
  c.updated_at = std::string(r.Get(i, 8));
  c.created_us = r.GetInt(i, 9);
  if (!r.IsNull(i, 10)) {
    SyncSummary s;
    s.job_id = std::string(r.Get(i, 10));
    s.status = std::string(r.Get(i, 11));
    s.created_at = std::string(r.Get(i, 12));
    s.started_at = r.GetOptional(i, 13);
    s.finished_at = r.GetOptional(i, 14);
    s.error = r.GetOptional(i, 15);
    s.source_cursor = r.GetOptional(i, 16);
    s.total_rows = r.GetInt(i, 17);
    s.created = r.GetInt(i, 18);
    s.updated = r.GetInt(i, 19);
    s.skipped = r.GetInt(i, 20);
    s.failed = r.GetInt(i, 21);
    c.last_sync = std::move(s);
  }
  if (!r.IsNull(i, 22)) c.sync_every_minutes = r.GetInt(i, 22);
  c.next_sync_at = r.GetOptional(i, 23);
  c.credentials_kind = r.GetOptional(i, 24);
  c.sync_options = SyncOptionsFromJson(r.Get(i, 25));
  return c;
}

}  // namespace

Result<Connector> Insert(db::Transaction& tx, const NewConnector& c) {
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kInsert, Params()
                                                .Add(c.id)
                                                .Add(KindName(c.kind))
                                                .Add(c.name)
                                                .Add(c.base_url)
                                                .Add(c.field_mapping_json)
                                                .Add(crypto::ToHex(c.ciphertext))
                                                .Add(crypto::ToHex(c.nonce))
                                                .Add(c.key_id)
                                                .Add(c.sync_every_minutes)
                                                .Add(c.credentials_kind)
                                                .Add(c.sync_options_json)));
  if (r.empty()) return Internal("connector insert returned no row");
  return ReadConnector(r, 0);
}

Result<std::optional<Connector>> Get(db::Pool& pool, const db::TenantContext& ctx,
                                     const std::string& id) {
  ASSIGN_OR_RETURN(Rows r, db::ReadInTenant(pool, ctx, kGet, Params().Add(id)));
  if (r.empty()) return std::optional<Connector>();
  return std::optional<Connector>(ReadConnector(r, 0));
}

Result<std::vector<Connector>> List(db::Pool& pool, const db::TenantContext& ctx,
                                    const std::optional<std::pair<int64_t, std::string>>& after,
                                    int limit) {
  Params params;
  if (after) {
    params.Add(after->first).Add(after->second);
  } else {
    params.AddNull().AddNull();
  }
  params.Add(limit);
  ASSIGN_OR_RETURN(Rows r, db::ReadInTenant(pool, ctx, kList, params));
  std::vector<Connector> out;
  out.reserve(r.size());
  for (int i = 0; i < r.size(); ++i) out.push_back(ReadConnector(r, i));
  return out;
}

Result<std::optional<Connector>> Update(db::Transaction& tx, const std::string& id,
                                        const Patch& p) {
  Params params;
  params.Add(id);
  params.Add(p.name.has_value()).Add(p.name);
  params.Add(p.base_url.has_value()).Add(p.base_url);
  params.Add(p.field_mapping_json.has_value()).Add(p.field_mapping_json);
  params.Add(p.credentials.has_value());
  if (p.credentials) {
    params.Add(crypto::ToHex(p.credentials->ciphertext))
        .Add(crypto::ToHex(p.credentials->nonce))
        .Add(p.credentials->key_id);
  } else {
    params.AddNull().AddNull().AddNull();
  }
  params.Add(p.sync_every_minutes.has_value()).Add(p.sync_every_minutes.value_or(std::nullopt));
  params.Add(p.credentials ? std::optional<std::string>(p.credentials->kind) : std::nullopt);
  params.Add(p.sync_options_json);
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kUpdate, params));
  if (r.empty()) return std::optional<Connector>();
  return std::optional<Connector>(ReadConnector(r, 0));
}

Result<bool> Disable(db::Transaction& tx, const std::string& id) {
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kDisable, Params().Add(id)));
  return r.affected() > 0;
}

Result<std::optional<std::string>> ActiveJob(db::Transaction& tx, const std::string& id) {
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kActiveJob, Params().Add(id)));
  if (r.empty()) return std::optional<std::string>();
  return std::optional<std::string>(std::string(r.Get(0, 0)));
}

Result<bool> LockForSync(db::Transaction& tx, const std::string& id) {
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kLockForSync, Params().Add(id)));
  return !r.empty();
}

Result<bool> LockIfScheduledSyncDue(db::Transaction& tx, const std::string& id) {
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kScheduledSyncDue, Params().Add(id)));
  return !r.empty() && r.GetBool(0, 0);
}

Result<std::vector<DueSync>> DueSyncs(db::Pool& pool, int limit) {
  ASSIGN_OR_RETURN(auto conn, pool.Acquire());
  ASSIGN_OR_RETURN(Rows r, conn->Exec(kDueSyncs, Params().Add(limit)));
  std::vector<DueSync> out;
  out.reserve(r.size());
  for (int i = 0; i < r.size(); ++i) {
    out.push_back({std::string(r.Get(i, 0)), std::string(r.Get(i, 1))});
  }
  return out;
}

Status RequestFullSync(db::Transaction& tx, const std::string& id) {
  return tx.Exec(kRequestFull, Params().Add(id)).status();
}

Result<std::optional<SyncRow>> LoadSyncRow(db::Pool& pool, const db::TenantContext& ctx,
                                           const std::string& id, const std::string& job_id) {
  ASSIGN_OR_RETURN(Rows r, db::ReadInTenant(pool, ctx, kSyncRow, Params().Add(id).Add(job_id)));
  if (r.empty()) return std::optional<SyncRow>();
  SyncRow s;
  s.kind = ParseKind(r.Get(0, 0)).value_or(Kind::kHubSpot);
  s.base_url = std::string(r.Get(0, 1));
  s.field_mapping_json = std::string(r.Get(0, 2));
  if (!r.IsNull(0, 3)) {
    s.ciphertext = crypto::FromHex(r.Get(0, 3));
    s.nonce = crypto::FromHex(r.Get(0, 4));
    s.key_id = r.GetOptional(0, 5);
  }
  s.disabled = r.GetBool(0, 6);
  s.since_cursor = r.GetOptional(0, 7);
  return std::optional<SyncRow>(std::move(s));
}

}  // namespace leadline::connectors::repo
