#include "imports/import_repository.h"

#include <fmt/format.h>

#include "imports/import_options.h"
#include "leads/lead_repository.h"

namespace leadline::imports::repo {

using db::Params;
using db::Query;
using db::Rows;

namespace {

#define LEADLINE_JOB_COLUMNS                                                                 \
  "id, organization_id, kind, status, filename, connector_id, options::text, total_rows, "   \
  "processed_rows, created, updated, skipped, failed, dnc_flagged, error, source_cursor, "   \
  "created_by, app_rfc3339(created_at), app_rfc3339(started_at), app_rfc3339(finished_at), " \
  "app_rfc3339(undone_at), phase, file_path, file_bytes, bytes_read, applied_through, "      \
  "cancel_requested, app_rfc3339_micro(created_at), "                                        \
  "extract(epoch FROM coalesce(finished_at, now()) - started_at)::float8, undo_summary::text"

constexpr Query kInsertJob{
    "imports_insert_job",
    "INSERT INTO import_jobs (organization_id, id, kind, status, phase, filename, file_path, "
    "file_bytes, connector_id, options, created_by, started_at) "
    "VALUES (app_current_org(), $1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, app_current_user(), "
    "CASE WHEN $3 = 'running' THEN now() END) RETURNING " LEADLINE_JOB_COLUMNS};
constexpr Query kFindJob{"imports_find_job", "SELECT " LEADLINE_JOB_COLUMNS
                                             " FROM import_jobs WHERE organization_id = "
                                             "app_current_org() AND id = $1"};
// FOR NO KEY UPDATE: a batch being written holds key-share locks on its job's row (the foreign
// keys of leads.import_id and import_rows.import_id); the batch before it, finishing, must not
// wait for them.
constexpr Query kLockJob{"imports_lock_job", "SELECT " LEADLINE_JOB_COLUMNS
                                             " FROM import_jobs WHERE organization_id = "
                                             "app_current_org() AND id = $1 FOR NO KEY UPDATE"};
constexpr Query kListJobs{
    "imports_list_jobs",
    "SELECT " LEADLINE_JOB_COLUMNS
    " FROM import_jobs WHERE organization_id = app_current_org() "
    "AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid)) "
    "ORDER BY created_at DESC, id DESC LIMIT $1"};
constexpr Query kCancel{"imports_cancel",
                        "UPDATE import_jobs SET cancel_requested = true "
                        "WHERE organization_id = app_current_org() AND id = $1"};
constexpr Query kSetPhase{"imports_set_phase",
                          "UPDATE import_jobs SET phase = $2, heartbeat_at = now() "
                          "WHERE organization_id = app_current_org() AND id = $1"};
constexpr Query kSetFile{"imports_set_file",
                         "UPDATE import_jobs SET file_path = $2, file_bytes = $3, "
                         "source_cursor = $4, phase = 'read', heartbeat_at = now() "
                         "WHERE organization_id = app_current_org() AND id = $1"};
constexpr Query kSetHeader{"imports_set_header",
                           "UPDATE import_jobs SET header_raw = $2, "
                           "  options = options || jsonb_build_object('delimiter', $3::text) "
                           "WHERE organization_id = app_current_org() AND id = $1"};
constexpr Query kHeader{"imports_header",
                        "SELECT header_raw FROM import_jobs "
                        "WHERE organization_id = app_current_org() AND id = $1"};
constexpr Query kFinish{
    "imports_finish",
    "UPDATE import_jobs SET status = $2, error = $3, finished_at = now(), heartbeat_at = now(), "
    "phase = CASE WHEN $2 = 'completed' THEN 'done' ELSE phase END "
    "WHERE organization_id = app_current_org() AND id = $1"};
constexpr Query kDeleteJob{"imports_delete_job",
                           "DELETE FROM import_jobs WHERE organization_id = app_current_org() "
                           "AND id = $1"};
constexpr Query kRefreshStatistics{"imports_refresh_statistics",
                                   "SELECT import_refresh_statistics($1)"};
constexpr Query kRefreshDncStatistics{"imports_refresh_dnc_statistics",
                                      "SELECT import_refresh_dnc_statistics()"};

// Session-level, so it outlives transactions and ends with the connection.
constexpr Query kClaim{"imports_claim",
                       "SELECT organization_id, id, created_by "
                       "FROM import_claim_job($1::uuid)"};
constexpr Query kRelease{"imports_release", "SELECT import_release_job($1, $2)"};
constexpr Query kLockOrganization{"imports_lock_organization",
                                  "SELECT import_lock_organization($1)"};
constexpr Query kTryLockOrganization{"imports_try_lock_organization",
                                     "SELECT import_try_lock_organization($1)"};
constexpr Query kLockKey{"imports_lock_key", "SELECT pg_advisory_lock(app_import_job_key($1))"};

// A batch is copied into a temporary table (COPY FROM cannot write a table under row-level
// security), decided there, and written out: new leads to `leads`, every other row (failed,
// skipped, updated) to import_rows. Temporary rows write no WAL, so the statements that
// decide a row's fate cost little; the permanent tables are each written once per row.
constexpr char kStageTable[] =
    "CREATE TEMP TABLE IF NOT EXISTS import_stage ("
    "seq bigint, line bigint, raw text, error text, first_name text, last_name text, "
    "email text, phone text, company text, title text, status text, source text, tags text[], "
    "lead_score int, timezone text, owner_ref text, assigned_to uuid, external_id text, "
    "metadata jsonb, default_source boolean, default_owner boolean, dnc boolean, "
    "outcome text, duplicate_of bigint, lead_id uuid, "
    "by_phone uuid, by_email uuid, previous jsonb, version_after int) ON COMMIT DELETE ROWS";
// A dry run keeps one transaction for the whole file.
constexpr char kStageClear[] = "TRUNCATE import_stage";
constexpr char kCountUpdates[] = "SELECT count(*) FROM import_stage WHERE outcome = 'update'";
constexpr char kStageLeadIndex[] =
    "CREATE INDEX IF NOT EXISTS import_stage_lead_idx ON import_stage (lead_id)";
constexpr char kAnalyzeStage[] = "ANALYZE import_stage";
// Rows set aside by one ApplyRows for the next in the same transaction (MatchedRows), as they
// were copied in: their decisions are made again then.
constexpr char kAsideTable[] =
    "CREATE TEMP TABLE IF NOT EXISTS import_aside (LIKE import_stage) ON COMMIT DELETE ROWS";
#define LEADLINE_STAGE_COPY_COLUMNS                                                              \
  "seq, line, raw, error, first_name, last_name, email, phone, company, title, status, source, " \
  "tags, lead_score, timezone, owner_ref, assigned_to, external_id, metadata, default_source, "  \
  "default_owner"
constexpr char kSetAside[] =
    "WITH aside AS (DELETE FROM import_stage WHERE outcome = 'update' "
    "               RETURNING " LEADLINE_STAGE_COPY_COLUMNS
    ") "
    "INSERT INTO import_aside (" LEADLINE_STAGE_COPY_COLUMNS
    ") "
    "SELECT " LEADLINE_STAGE_COPY_COLUMNS " FROM aside";
constexpr char kTakeAside[] =
    "WITH aside AS (DELETE FROM import_aside RETURNING " LEADLINE_STAGE_COPY_COLUMNS
    ") "
    "INSERT INTO import_stage (" LEADLINE_STAGE_COPY_COLUMNS
    ") "
    "SELECT " LEADLINE_STAGE_COPY_COLUMNS " FROM aside";
constexpr char kStageCopy[] = "COPY import_stage (" LEADLINE_STAGE_COPY_COLUMNS ") FROM STDIN";

// --- checks that need the database: owner exists and is active, time zone known ---
constexpr Query kResolveOwners{
    "",
    "UPDATE import_stage s SET assigned_to = u.id FROM users u "
    "WHERE s.error IS NULL AND s.owner_ref IS NOT NULL AND s.assigned_to IS NULL "
    "  AND u.organization_id = app_current_org() AND u.email = lower(s.owner_ref)"};
constexpr Query kRejectOwners{
    "",
    "UPDATE import_stage s SET "
    "  error = 'assigned_to: no active user ' || coalesce(s.owner_ref, s.assigned_to::text) || "
    "          ' in this organization' "
    "WHERE s.error IS NULL AND (s.owner_ref IS NOT NULL OR s.assigned_to IS NOT NULL) "
    "  AND NOT EXISTS (SELECT 1 FROM users u WHERE u.organization_id = app_current_org() "
    "                  AND u.id = s.assigned_to AND u.is_active)"};
// After the owners, and added to their error: a row names every bad field at once. (A row that
// failed in validation has no fields set, so only these two checks can add to an error.)
constexpr Query kRejectZones{
    "",
    "UPDATE import_stage s SET "
    "  error = coalesce(s.error || '; ', '') || 'timezone: unknown IANA time zone ' || s.timezone "
    "WHERE s.timezone IS NOT NULL "
    "  AND NOT EXISTS (SELECT 1 FROM iana_time_zones z WHERE z.name = s.timezone)"};

// --- decisions; $1 the job, $2 the dedupe policy, $3 the DNC policy ---
// A row repeats an earlier row of the batch when it has the same phone or (unless every row
// is to be created) the same email. Under `create` only phones count: two live leads cannot
// share one.
constexpr Query kInBatchDuplicates{
    "",
    "WITH d AS MATERIALIZED ("
    "  SELECT seq, first_seq FROM ("
    "    SELECT seq, least(CASE WHEN phone IS NOT NULL "
    "                           THEN min(seq) OVER (PARTITION BY phone) END, "
    "                      CASE WHEN email IS NOT NULL AND $1 <> 'create' "
    "                           THEN min(seq) OVER (PARTITION BY email) END) AS first_seq "
    "    FROM import_stage WHERE error IS NULL) w "
    "  WHERE first_seq < seq) "
    "UPDATE import_stage s SET outcome = 'skip_in_file', duplicate_of = d.first_seq FROM d "
    "WHERE s.seq = d.seq"};
// The live lead with the row's phone, else (not under `create`) the oldest with its email;
// and whether the number is on a DNC list: is_on_dnc_list's rule (0004) written out, because
// a SQL function holding a subquery is not inlined and costs ~45 µs a call where the
// subquery here costs ~1 µs.
constexpr Query kMatch{
    "",
    "UPDATE import_stage s SET "
    "  by_phone = (SELECT l.id FROM leads l WHERE l.organization_id = app_current_org() "
    "                AND l.phone = s.phone AND l.deleted_at IS NULL), "
    "  by_email = CASE WHEN $1 <> 'create' THEN "
    "    (SELECT l.id FROM leads l WHERE l.organization_id = app_current_org() "
    "       AND l.email = s.email AND l.deleted_at IS NULL ORDER BY l.created_at, l.id LIMIT 1) "
    "  END, "
    "  dnc = s.phone IS NOT NULL AND ("
    "    EXISTS (SELECT 1 FROM dnc_list d WHERE d.organization_id = app_current_org() "
    "              AND d.phone = s.phone AND d.removed_at IS NULL "
    "              AND (d.expires_at IS NULL OR d.expires_at > now())) "
    "    OR dnc_on_national_registry(s.phone)) "
    "WHERE s.error IS NULL AND s.outcome IS NULL"};
// A row repeats an earlier row of another batch when it has that row's phone or (unless
// every row is to be created) its email: the row either created a lead, which carries the
// import's id, or was kept in import_rows (by an earlier row: a row set aside is decided after
// later rows of its batch were kept). The matched lead is read by its key: a condition
// on import_id the planner could see would let it walk every lead of the job through
// leads_import_idx for each row instead (quadratic: 98 s for a 100,000-row import).
constexpr Query kEarlierBatches{
    "",
    "UPDATE import_stage s SET outcome = 'skip_in_file' "
    "WHERE s.error IS NULL AND s.outcome IS NULL "
    "  AND ((SELECT l.import_id FROM leads l WHERE l.organization_id = app_current_org() "
    "          AND l.id = s.by_phone) = $1 "
    "       OR (SELECT l.import_id FROM leads l WHERE l.organization_id = app_current_org() "
    "             AND l.id = s.by_email) = $1 "
    "       OR EXISTS (SELECT 1 FROM import_rows r WHERE r.organization_id = app_current_org() "
    "                    AND r.import_id = $1 AND r.error IS NULL AND r.phone = s.phone "
    "                    AND r.seq < s.seq) "
    "       OR ($2 <> 'create' AND EXISTS ("
    "             SELECT 1 FROM import_rows r WHERE r.organization_id = app_current_org() "
    "               AND r.import_id = $1 AND r.error IS NULL AND r.email = s.email "
    "               AND r.seq < s.seq)))"};
// A row that creates a lead gets its id here (the leads' own default, app_new_id(): time
// ordered, 0013), so later statements of the batch can refer to the lead before it exists.
constexpr Query kDecide{
    "",
    "UPDATE import_stage s SET "
    "  outcome = CASE WHEN s.dnc AND $2 = 'skip' THEN 'skip_dnc' "
    "                 WHEN coalesce(s.by_phone, s.by_email) IS NULL THEN 'create' "
    "                 WHEN $1 = 'update' THEN 'update' ELSE 'skip_duplicate' END, "
    "  lead_id = CASE WHEN s.dnc AND $2 = 'skip' THEN coalesce(s.by_phone, s.by_email) "
    "                 ELSE coalesce(s.by_phone, s.by_email, app_new_id()) END "
    "WHERE s.error IS NULL AND s.outcome IS NULL"};
// The same across batches: a row that would update a lead a row of an earlier batch updated
// (or found unchanged) repeats that row, whatever the batch boundaries (0019's index).
constexpr Query kEarlierSameLead{
    "",
    "UPDATE import_stage s SET outcome = 'skip_duplicate', duplicate_of = e.first_seq "
    "FROM (SELECT t.seq, (SELECT min(r.seq) FROM import_rows r "
    "                     WHERE r.organization_id = app_current_org() AND r.import_id = $1 "
    "                       AND r.lead_id = t.lead_id AND r.error IS NULL "
    "                       AND r.outcome IN ('update', 'unchanged') AND r.seq < t.seq) "
    "        AS first_seq "
    "      FROM import_stage t WHERE t.outcome = 'update') e "
    "WHERE s.seq = e.seq AND e.first_seq IS NOT NULL"};
// Two rows that found the same lead (one by phone, one by email): the first wins.
constexpr Query kSameLead{
    "",
    "WITH d AS MATERIALIZED ("
    "  SELECT seq, first_seq FROM (SELECT seq, min(seq) OVER (PARTITION BY lead_id) AS first_seq "
    "                              FROM import_stage WHERE outcome = 'update') w "
    "  WHERE first_seq < seq) "
    "UPDATE import_stage s SET outcome = 'skip_duplicate', duplicate_of = d.first_seq FROM d "
    "WHERE s.seq = d.seq"};

// --- writes; $1 the job ---
// Creates the batch's new leads; a row whose phone someone else took since the match (the
// insert skips it) becomes a duplicate. NOT IN over the inserted ids is a hashed subplan,
// whatever the planner believes about the unanalysed temporary table.
constexpr Query kCreate{
    "",
    "WITH ins AS ("
    " INSERT INTO leads (organization_id, id, first_name, last_name, email, phone, company, "
    "  title, status, source, source_metadata, tags, lead_score, assigned_to, timezone, "
    "  metadata, import_id, created_by) "
    " SELECT app_current_org(), s.lead_id, s.first_name, s.last_name, s.email, s.phone, "
    "  s.company, s.title, coalesce(s.status, 'new'), s.source, "
    "  CASE WHEN s.external_id IS NULL THEN '{}'::jsonb "
    "       ELSE jsonb_build_object('external_id', s.external_id) END, "
    "  CASE WHEN s.dnc AND NOT coalesce('dnc' = ANY (s.tags), false) "
    "       THEN coalesce(s.tags, '{}') || '{dnc}'::text[] ELSE coalesce(s.tags, '{}') END, "
    "  coalesce(s.lead_score, 0), s.assigned_to, s.timezone, coalesce(s.metadata, '{}'), $1, "
    "  app_current_user() "
    " FROM import_stage s WHERE s.outcome = 'create' ORDER BY s.seq "
    " ON CONFLICT (organization_id, phone) WHERE deleted_at IS NULL AND phone IS NOT NULL "
    " DO NOTHING "
    " RETURNING id) "
    "UPDATE import_stage s SET outcome = 'skip_duplicate', lead_id = NULL "
    "WHERE s.outcome = 'create' AND s.lead_id NOT IN (SELECT id FROM ins)"};
constexpr Query kAssignments{
    "",
    "INSERT INTO lead_assignments (organization_id, lead_id, assigned_to, assigned_by, strategy, "
    "  reason, context) "
    "SELECT app_current_org(), s.lead_id, s.assigned_to, app_current_user(), 'import', "
    "  'imported', jsonb_build_object('import_id', $1::uuid) "
    "FROM import_stage s WHERE s.outcome = 'create' AND s.assigned_to IS NOT NULL"};
// What undo restores: an updated lead's importable columns before the update. The leads are
// locked first (in id order, as every batch does), so the values kept are the ones the update
// then changes: a PATCH committing between this read and the update would otherwise be
// applied under the import's update but left out of what undo puts back, and undo (seeing the
// import's version) would revert it.
constexpr Query kSnapshot{
    "",
    "WITH locked AS ("
    "  SELECT l.* FROM leads l "
    "  WHERE l.organization_id = app_current_org() "
    "    AND l.id IN (SELECT lead_id FROM import_stage WHERE outcome = 'update') "
    "  ORDER BY l.id FOR UPDATE) "
    "UPDATE import_stage s SET previous = jsonb_build_object("
    "  'first_name', l.first_name, 'last_name', l.last_name, 'email', l.email, "
    "  'phone', l.phone, 'company', l.company, 'title', l.title, 'status', l.status, "
    "  'source', l.source, 'source_metadata', l.source_metadata, 'tags', l.tags, "
    "  'lead_score', l.lead_score, 'assigned_to', l.assigned_to, 'timezone', l.timezone, "
    "  'metadata', l.metadata, 'version', l.version) "
    "FROM locked l WHERE s.outcome = 'update' AND l.id = s.lead_id"};
// $1: overwrite (true) or fill (false). Fill only sets what the lead lacks; overwrite sets
// every non-empty cell. Tags and metadata are merged either way; a converted lead keeps its
// status (it is terminal).
constexpr Query kUpdate{
    "",
    "WITH upd AS ("
    " UPDATE leads l SET "
    "  first_name = CASE WHEN $1 THEN coalesce(s.first_name, l.first_name) "
    "                    ELSE coalesce(l.first_name, s.first_name) END, "
    "  last_name = CASE WHEN $1 THEN coalesce(s.last_name, l.last_name) "
    "                   ELSE coalesce(l.last_name, s.last_name) END, "
    "  email = CASE WHEN $1 THEN coalesce(s.email, l.email) ELSE coalesce(l.email, s.email) END, "
    "  phone = CASE WHEN $1 THEN coalesce(s.phone, l.phone) ELSE coalesce(l.phone, s.phone) END, "
    "  company = CASE WHEN $1 THEN coalesce(s.company, l.company) "
    "                 ELSE coalesce(l.company, s.company) END, "
    "  title = CASE WHEN $1 THEN coalesce(s.title, l.title) ELSE coalesce(l.title, s.title) END, "
    "  source = CASE WHEN $1 AND NOT s.default_source THEN coalesce(s.source, l.source) "
    "                ELSE coalesce(l.source, s.source) END, "
    "  timezone = CASE WHEN $1 THEN coalesce(s.timezone, l.timezone) "
    "                  ELSE coalesce(l.timezone, s.timezone) END, "
    "  assigned_to = CASE WHEN $1 AND NOT s.default_owner "
    "                     THEN coalesce(s.assigned_to, l.assigned_to) "
    "                     ELSE coalesce(l.assigned_to, s.assigned_to) END, "
    "  status = CASE WHEN $1 AND s.status IS NOT NULL AND l.status <> 'converted' "
    "                THEN s.status ELSE l.status END, "
    "  lead_score = CASE WHEN $1 AND s.lead_score IS NOT NULL THEN s.lead_score "
    "                    ELSE l.lead_score END, "
    "  tags = app_text_array_union(l.tags, app_text_array_union(coalesce(s.tags, '{}'), "
    "           CASE WHEN s.dnc THEN '{dnc}'::text[] ELSE '{}' END)), "
    "  metadata = CASE WHEN $1 THEN l.metadata || coalesce(s.metadata, '{}') "
    "                  ELSE coalesce(s.metadata, '{}') || l.metadata END, "
    "  source_metadata = CASE WHEN s.external_id IS NULL THEN l.source_metadata "
    "    WHEN $1 THEN l.source_metadata || jsonb_build_object('external_id', s.external_id) "
    "    ELSE jsonb_build_object('external_id', s.external_id) || l.source_metadata END "
    " FROM import_stage s "
    " WHERE s.outcome = 'update' AND l.organization_id = app_current_org() AND l.id = s.lead_id "
    "   AND l.deleted_at IS NULL "
    " RETURNING l.id, l.version) "
    "UPDATE import_stage s SET version_after = upd.version, "
    "  outcome = CASE WHEN upd.version = (s.previous->>'version')::int THEN 'unchanged' "
    "                 ELSE 'update' END "
    "FROM upd WHERE s.outcome = 'update' AND s.lead_id = upd.id"};
// An update that gave a lead another owner records the assignment, as a PATCH does.
constexpr Query kUpdateAssignments{
    "",
    "INSERT INTO lead_assignments (organization_id, lead_id, assigned_to, previous_assignee, "
    "  assigned_by, strategy, reason, context) "
    "SELECT app_current_org(), s.lead_id, l.assigned_to, (s.previous->>'assigned_to')::uuid, "
    "  app_current_user(), 'import', 'imported', jsonb_build_object('import_id', $1::uuid) "
    "FROM import_stage s JOIN leads l ON l.organization_id = app_current_org() "
    "  AND l.id = s.lead_id "
    "WHERE s.outcome = 'update' "
    "  AND l.assigned_to IS DISTINCT FROM (s.previous->>'assigned_to')::uuid"};
// Leads deleted between the match and the update.
constexpr Query kLostUpdates{"",
                             "UPDATE import_stage SET outcome = 'skip_duplicate' "
                             "WHERE outcome = 'update' AND version_after IS NULL"};
// Every row that did not create a lead is kept: failed rows for errors.csv (with their raw
// text), updated rows for undo, skipped ones as the record of why. Created rows are the
// leads carrying the import's id.
constexpr Query kKeepRows{
    "",
    "INSERT INTO import_rows (organization_id, import_id, seq, line, raw, error, outcome, "
    "  first_name, last_name, email, phone, company, title, status, source, tags, lead_score, "
    "  timezone, owner_ref, assigned_to, external_id, metadata, dnc, duplicate_of, lead_id, "
    "  previous, version_after) "
    "SELECT app_current_org(), $1, s.seq, s.line, CASE WHEN s.error IS NOT NULL THEN s.raw END, "
    "  s.error, CASE WHEN s.error IS NOT NULL THEN 'failed' ELSE s.outcome END, s.first_name, "
    "  s.last_name, s.email, s.phone, s.company, s.title, s.status, s.source, s.tags, "
    "  s.lead_score, s.timezone, s.owner_ref, s.assigned_to, s.external_id, s.metadata, s.dnc, "
    "  s.duplicate_of, s.lead_id, s.previous, s.version_after "
    "FROM import_stage s WHERE s.error IS NOT NULL OR s.outcome <> 'create'"};
// The batch's counts and the read checkpoint ($2: bytes of the file consumed), together.
constexpr Query kBatchCounts{
    "",
    "UPDATE import_jobs j SET total_rows = j.total_rows + c.n, "
    "  processed_rows = j.processed_rows + c.n, created = j.created + c.created, "
    "  updated = j.updated + c.updated, skipped = j.skipped + c.skipped, "
    "  failed = j.failed + c.failed, dnc_flagged = j.dnc_flagged + c.dnc, bytes_read = $2, "
    "  heartbeat_at = now() "
    "FROM (SELECT count(*) AS n, "
    "             count(*) FILTER (WHERE error IS NULL AND outcome = 'create') AS created, "
    "             count(*) FILTER (WHERE error IS NULL AND outcome = 'update') AS updated, "
    "             count(*) FILTER (WHERE error IS NULL AND outcome IN "
    "               ('unchanged', 'skip_duplicate', 'skip_dnc', 'skip_in_file')) AS skipped, "
    "             count(*) FILTER (WHERE error IS NOT NULL) AS failed, "
    "             count(*) FILTER (WHERE error IS NULL AND dnc "
    "               AND outcome IN ('create', 'update', 'unchanged')) AS dnc "
    "      FROM import_stage) c "
    "WHERE j.organization_id = app_current_org() AND j.id = $1"};

// --- undo ---
constexpr Query kUndoCreates{
    "",
    "UPDATE leads SET deleted_at = now() "
    "WHERE organization_id = app_current_org() AND import_id = $1 AND deleted_at IS NULL"};
// A lead updated by several rows goes back to its state before the first; only when its
// version is still the one the last of them left (nobody changed it since), when the import did
// not convert it (converted is terminal), and when no other live lead holds its old phone now.
// $2: only leads whose phone goes back (the passes after the first, see Undo); $3: one lead.
constexpr Query kUndoUpdates{
    "",
    "WITH touched AS ("
    "  SELECT lead_id, (array_agg(previous ORDER BY seq))[1] AS previous, "
    "         (array_agg(version_after ORDER BY seq DESC))[1] AS version_after "
    "  FROM import_rows WHERE organization_id = app_current_org() AND import_id = $1 "
    "    AND outcome = 'update' AND ($3::uuid IS NULL OR lead_id = $3) GROUP BY lead_id), "
    "restored AS ("
    "  UPDATE leads l SET first_name = p.first_name, last_name = p.last_name, email = p.email, "
    "    phone = p.phone, company = p.company, title = p.title, status = p.status, "
    "    source = p.source, source_metadata = p.source_metadata, tags = p.tags, "
    "    lead_score = p.lead_score, assigned_to = p.assigned_to, timezone = p.timezone, "
    "    metadata = p.metadata "
    "  FROM touched t, jsonb_populate_record(NULL::leads, t.previous) p "
    "  WHERE l.organization_id = app_current_org() AND l.id = t.lead_id "
    "    AND l.version = t.version_after AND l.deleted_at IS NULL "
    "    AND (l.status <> 'converted' OR p.status = 'converted') "
    "    AND (NOT $2 OR p.phone IS DISTINCT FROM l.phone) "
    "    AND (p.phone IS NULL OR p.phone IS NOT DISTINCT FROM l.phone OR NOT EXISTS ("
    "      SELECT 1 FROM leads o WHERE o.organization_id = app_current_org() "
    "        AND o.phone = p.phone AND o.deleted_at IS NULL AND o.id <> l.id)) "
    "  RETURNING l.id, l.assigned_to), "
    // The owners before (every part of the statement sees the leads as they were): a restore
    // that changes the owner records the assignment.
    "before AS ("
    "  SELECT l.id, l.assigned_to FROM leads l "
    "  WHERE l.organization_id = app_current_org() AND l.id IN (SELECT lead_id FROM touched)), "
    "assigned AS ("
    "  INSERT INTO lead_assignments (organization_id, lead_id, assigned_to, previous_assignee, "
    "    assigned_by, strategy, reason, context) "
    "  SELECT app_current_org(), r.id, r.assigned_to, b.assigned_to, app_current_user(), "
    "    'import', 'import undone', jsonb_build_object('import_id', $1::uuid) "
    "  FROM restored r JOIN before b ON b.id = r.id "
    "  WHERE r.assigned_to IS DISTINCT FROM b.assigned_to) "
    "SELECT count(*) FROM restored"};
constexpr Query kUndoTouched{
    "imports_undo_touched",
    "SELECT DISTINCT lead_id FROM import_rows "
    "WHERE organization_id = app_current_org() AND import_id = $1 AND outcome = 'update'"};
constexpr Query kUndoTouchedCount{
    "imports_undo_touched_count",
    "SELECT count(DISTINCT lead_id) FROM import_rows "
    "WHERE organization_id = app_current_org() AND import_id = $1 AND outcome = 'update'"};
constexpr Query kMarkUndone{
    "imports_mark_undone",
    "UPDATE import_jobs SET undone_at = now(), "
    "  undo_summary = jsonb_build_object('deleted', $2::bigint, 'restored', $3::bigint, "
    "                                    'kept', $4::bigint) "
    "WHERE organization_id = app_current_org() AND id = $1"};

constexpr Query kFailedRows{
    "imports_failed_rows",
    "SELECT seq, line, raw, error FROM import_rows "
    "WHERE organization_id = app_current_org() AND import_id = $1 AND error IS NOT NULL "
    "  AND seq > $2 ORDER BY seq LIMIT $3"};

constexpr char kStagedDecisions[] =
    "SELECT seq, error, outcome, duplicate_of, lead_id, coalesce(dnc, false) FROM import_stage "
    "ORDER BY seq";
constexpr Query kActiveOwner{
    "imports_active_owner",
    "SELECT EXISTS (SELECT 1 FROM users u WHERE u.organization_id = app_current_org() "
    "  AND u.is_active AND (u.id::text = lower($1) OR u.email = lower($1)))"};
constexpr Query kRegion{"imports_org_region",
                        "SELECT default_region FROM organizations WHERE id = app_current_org()"};

// COPY text format: backslash escapes for the characters that delimit, \N for NULL.
void AppendCopyValue(std::string& out, std::string_view v) {
  for (char c : v) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

void AppendCopyOptional(std::string& out, const std::optional<std::string>& v) {
  if (v) {
    AppendCopyValue(out, *v);
  } else {
    out += "\\N";
  }
}

// A text[] literal: {"a","b"} with quotes and backslashes escaped.
std::string ArrayLiteral(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

void AppendStagedRow(std::string& out, const StagedRow& r) {
  out += std::to_string(r.seq);
  out += '\t';
  out += std::to_string(r.line);
  out += '\t';
  AppendCopyValue(out, r.raw);
  out += '\t';
  AppendCopyOptional(out, r.error);
  const leads::LeadInput& l = r.lead;
  for (const auto* f : {&l.first_name, &l.last_name, &l.email, &l.phone, &l.company, &l.title,
                        &l.status, &l.source}) {
    out += '\t';
    AppendCopyOptional(out, f->value);
  }
  out += '\t';
  if (l.tags.value && !l.tags.value->empty()) {
    AppendCopyValue(out, ArrayLiteral(*l.tags.value));
  } else {
    out += "\\N";
  }
  out += '\t';
  if (l.lead_score.value) {
    out += std::to_string(*l.lead_score.value);
  } else {
    out += "\\N";
  }
  out += '\t';
  AppendCopyOptional(out, l.timezone.value);
  out += '\t';
  AppendCopyOptional(out, r.owner_ref);
  out += '\t';
  AppendCopyOptional(out, l.assigned_to.value);
  out += '\t';
  AppendCopyOptional(out, r.external_id);
  out += '\t';
  AppendCopyOptional(out, l.metadata_json.value);
  out += r.default_source ? "\tt" : "\tf";
  out += r.default_owner ? "\tt" : "\tf";
  out += '\n';
}

ImportJob JobFromRow(const Rows& rows, int i) {
  ImportJob j;
  j.id = std::string(rows.Get(i, 0));
  j.organization_id = std::string(rows.Get(i, 1));
  j.kind = std::string(rows.Get(i, 2));
  j.status = ParseJobStatus(rows.Get(i, 3)).value_or(JobStatus::kFailed);
  j.filename = std::string(rows.Get(i, 4));
  j.connector_id = rows.GetOptional(i, 5);
  auto options = ImportOptionsFromJson(rows.Get(i, 6));
  if (options.ok()) j.options = std::move(*options);
  j.counts.total_rows = rows.GetInt(i, 7);
  j.counts.processed_rows = rows.GetInt(i, 8);
  j.counts.created = rows.GetInt(i, 9);
  j.counts.updated = rows.GetInt(i, 10);
  j.counts.skipped = rows.GetInt(i, 11);
  j.counts.failed = rows.GetInt(i, 12);
  j.counts.dnc_flagged = rows.GetInt(i, 13);
  j.error = rows.GetOptional(i, 14);
  j.source_cursor = rows.GetOptional(i, 15);
  j.created_by = rows.GetOptional(i, 16);
  j.created_at = std::string(rows.Get(i, 17));
  j.started_at = rows.GetOptional(i, 18);
  j.finished_at = rows.GetOptional(i, 19);
  j.undone_at = rows.GetOptional(i, 20);
  j.phase = std::string(rows.Get(i, 21));
  j.file_path = rows.GetOptional(i, 22).value_or("");
  j.file_bytes = rows.GetInt(i, 23);
  j.bytes_read = rows.GetInt(i, 24);
  j.applied_through = rows.GetInt(i, 25);
  j.cancel_requested = rows.GetBool(i, 26);
  j.created_at_micro = std::string(rows.Get(i, 27));
  if (!rows.IsNull(i, 28)) j.elapsed_seconds = std::stod(std::string(rows.Get(i, 28)));
  j.undo_summary = rows.GetOptional(i, 29);
  return j;
}

Result<std::optional<ImportJob>> OneJob(Result<Rows> rows) {
  RETURN_IF_ERROR(rows.status());
  if (rows->empty()) return std::optional<ImportJob>();
  return std::optional<ImportJob>(JobFromRow(*rows, 0));
}

}  // namespace

Result<ImportJob> InsertJob(db::Transaction& tx, const ImportJob& job) {
  ASSIGN_OR_RETURN(
      Rows rows, tx.Exec(kInsertJob, Params()
                                         .Add(job.id)
                                         .Add(job.kind)
                                         .Add(JobStatusName(job.status))
                                         .Add(job.phase)
                                         .Add(job.filename)
                                         .Add(job.file_path.empty() ? std::optional<std::string>()
                                                                    : std::optional(job.file_path))
                                         .Add(job.file_bytes)
                                         .Add(job.connector_id)
                                         .Add(ImportOptionsJson(job.options))));
  return JobFromRow(rows, 0);
}

Result<std::optional<ImportJob>> FindJob(db::Transaction& tx, std::string_view id) {
  return OneJob(tx.Exec(kFindJob, Params().Add(id)));
}

Result<std::optional<ImportJob>> LockJobRow(db::Transaction& tx, std::string_view id) {
  return OneJob(tx.Exec(kLockJob, Params().Add(id)));
}

Result<std::vector<ImportJob>> ListJobs(
    db::Transaction& tx, int limit,
    const std::optional<std::pair<std::string, std::string>>& after) {
  Params p;
  p.Add(limit);
  if (after) {
    p.Add(after->first).Add(after->second);
  } else {
    p.AddNull().AddNull();
  }
  ASSIGN_OR_RETURN(Rows rows, tx.Exec(kListJobs, p));
  std::vector<ImportJob> out;
  for (int i = 0; i < rows.size(); ++i) out.push_back(JobFromRow(rows, i));
  return out;
}

Status SetCancelRequested(db::Transaction& tx, std::string_view id) {
  return tx.Exec(kCancel, Params().Add(id)).status();
}

Result<std::optional<Claim>> ClaimJob(db::Connection& conn, std::optional<std::string> job_id) {
  Params p;
  p.Add(job_id);
  ASSIGN_OR_RETURN(Rows rows, conn.Exec(kClaim, p));
  if (rows.empty()) return std::optional<Claim>();
  return std::optional<Claim>(
      Claim{std::string(rows.Get(0, 0)), std::string(rows.Get(0, 1)), rows.GetOptional(0, 2)});
}

Status ReleaseJob(db::Connection& conn, std::string_view job_id, std::string_view organization_id) {
  return conn.Exec(kRelease, Params().Add(job_id).Add(organization_id)).status();
}

Status LockOrganization(db::Connection& conn, std::string_view organization_id) {
  return conn.Exec(kLockOrganization, Params().Add(organization_id)).status();
}

Result<bool> TryLockOrganization(db::Connection& conn, std::string_view organization_id) {
  ASSIGN_OR_RETURN(Rows rows, conn.Exec(kTryLockOrganization, Params().Add(organization_id)));
  return rows.GetBool(0, 0);
}

Status LockJobKey(db::Connection& conn, std::string_view job_id) {
  return conn.Exec(kLockKey, Params().Add(job_id)).status();
}

Status SetPhase(db::Transaction& tx, std::string_view id, std::string_view phase) {
  return tx.Exec(kSetPhase, Params().Add(id).Add(phase)).status();
}

Status SetFile(db::Transaction& tx, std::string_view id, std::string_view path, int64_t bytes,
               const std::optional<std::string>& source_cursor) {
  return tx.Exec(kSetFile, Params().Add(id).Add(path).Add(bytes).Add(source_cursor)).status();
}

Status SetHeader(db::Transaction& tx, std::string_view id, std::string_view header_raw,
                 char delimiter) {
  std::string d = delimiter == '\t' ? std::string("tab") : std::string(1, delimiter);
  return tx.Exec(kSetHeader, Params().Add(id).Add(header_raw).Add(d)).status();
}

Result<std::optional<std::string>> Header(db::Transaction& tx, std::string_view id) {
  ASSIGN_OR_RETURN(Rows rows, tx.Exec(kHeader, Params().Add(id)));
  if (rows.empty()) return std::optional<std::string>();
  return rows.GetOptional(0, 0);
}

void AppendRow(EncodedRows& rows, const StagedRow& row) {
  AppendStagedRow(rows.copy_text, row);
  ++rows.count;
}

EncodedRows EncodeRows(const std::vector<StagedRow>& rows) {
  EncodedRows out;
  for (const StagedRow& r : rows) AppendRow(out, r);
  return out;
}

namespace {

// The batch's rows that update a lead, with the temporary table indexed and analysed first:
// the planner knows nothing of it otherwise, and in an organization it estimates at one lead
// (new, or grown by this very transaction) it walked every lead of the organization with a
// scan of the staged rows for each (25 s for a batch of 20,000 rows into 20,000 leads).
Status UpdateMatchedLeads(db::Transaction& tx, const ImportJob& job) {
  RETURN_IF_ERROR(tx.Exec(std::string_view(kStageLeadIndex)).status());
  RETURN_IF_ERROR(tx.Exec(std::string_view(kAnalyzeStage)).status());
  RETURN_IF_ERROR(tx.Exec(kSameLead).status());
  RETURN_IF_ERROR(tx.Exec(kSnapshot).status());
  RETURN_IF_ERROR(
      tx.Exec(kUpdate, Params().Add(job.options.update_mode == UpdateMode::kOverwrite)).status());
  RETURN_IF_ERROR(tx.Exec(kLostUpdates).status());
  return tx.Exec(kUpdateAssignments, Params().Add(job.id)).status();
}

}  // namespace

Status ApplyRows(db::Transaction& tx, const ImportJob& job, const EncodedRows& rows,
                 MatchedRows matched) {
  // Only rows that would update a lead are ever set aside.
  const bool update = job.options.dedupe == DedupePolicy::kUpdate;
  RETURN_IF_ERROR(tx.Exec(std::string_view(kStageTable)).status());
  if (update) RETURN_IF_ERROR(tx.Exec(std::string_view(kAsideTable)).status());
  RETURN_IF_ERROR(tx.Exec(std::string_view(kStageClear)).status());
  if (!rows.empty()) {
    RETURN_IF_ERROR(tx.connection().CopyIn(
        kStageCopy, [&](const std::function<Status(std::string_view)>& send) -> Status {
          // COPY data may be split anywhere, rows included.
          constexpr size_t kChunk = 1 << 20;
          const std::string_view text = rows.copy_text;
          for (size_t at = 0; at < text.size(); at += kChunk) {
            RETURN_IF_ERROR(send(text.substr(at, kChunk)));
          }
          return Status::Ok();
        }));
  }
  if (update && matched == MatchedRows::kApply) {
    RETURN_IF_ERROR(tx.Exec(std::string_view(kTakeAside)).status());
  }
  const Params id = Params().Add(job.id);
  const std::string_view dedupe = DedupePolicyName(job.options.dedupe);
  RETURN_IF_ERROR(tx.Exec(kResolveOwners).status());
  RETURN_IF_ERROR(tx.Exec(kRejectOwners).status());
  RETURN_IF_ERROR(tx.Exec(kRejectZones).status());
  RETURN_IF_ERROR(tx.Exec(kInBatchDuplicates, Params().Add(dedupe)).status());
  RETURN_IF_ERROR(tx.Exec(kMatch, Params().Add(dedupe)).status());
  RETURN_IF_ERROR(tx.Exec(kEarlierBatches, Params().Add(job.id).Add(dedupe)).status());
  RETURN_IF_ERROR(
      tx.Exec(kDecide, Params().Add(dedupe).Add(DncPolicyName(job.options.dnc))).status());
  if (update) RETURN_IF_ERROR(tx.Exec(kEarlierSameLead, id).status());
  if (update && matched == MatchedRows::kSetAside) {
    RETURN_IF_ERROR(tx.Exec(std::string_view(kSetAside)).status());
  }
  RETURN_IF_ERROR(tx.Exec(kCreate, id).status());
  RETURN_IF_ERROR(tx.Exec(kAssignments, id).status());
  if (update) {
    ASSIGN_OR_RETURN(Rows updates, tx.Exec(std::string_view(kCountUpdates)));
    if (updates.Get(0, 0) != "0") RETURN_IF_ERROR(UpdateMatchedLeads(tx, job));
  }
  return tx.Exec(kKeepRows, id).status();
}

Status AddBatchCounts(db::Transaction& tx, std::string_view job_id, uint64_t bytes_read) {
  return tx.Exec(kBatchCounts, Params().Add(job_id).Add(static_cast<int64_t>(bytes_read))).status();
}

Status ImportBatch(db::Transaction& tx, const ImportJob& job, const std::vector<StagedRow>& rows,
                   uint64_t bytes_read) {
  RETURN_IF_ERROR(ApplyRows(tx, job, EncodeRows(rows)));
  return AddBatchCounts(tx, job.id, bytes_read);
}

Status RefreshStatistics(db::Transaction& tx, std::string_view job_id) {
  return tx.Exec(kRefreshStatistics, Params().Add(job_id)).status();
}

Status RefreshDncStatistics(db::Transaction& tx) { return tx.Exec(kRefreshDncStatistics).status(); }

Status FinishJob(db::Transaction& tx, std::string_view id, JobStatus status,
                 const std::optional<std::string>& error) {
  return tx.Exec(kFinish, Params().Add(id).Add(JobStatusName(status)).Add(error)).status();
}

Status DeleteJob(db::Transaction& tx, std::string_view id) {
  return tx.Exec(kDeleteJob, Params().Add(id)).status();
}

namespace {

// Runs kUndoUpdates inside a savepoint, so that a refusal by the phone index leaves the
// transaction usable (and this statement's changes undone): {restored, refused}.
Result<std::pair<int64_t, bool>> TryUndoUpdates(db::Transaction& tx, std::string_view id,
                                                bool phone_moves_only,
                                                const std::optional<std::string>& lead_id) {
  RETURN_IF_ERROR(tx.Exec("SAVEPOINT undo_updates").status());
  Result<Rows> rows = tx.Exec(kUndoUpdates, Params().Add(id).Add(phone_moves_only).Add(lead_id));
  if (!rows.ok()) {
    if (!leads::repo::IsPhoneTaken(rows.status())) return rows.status();
    RETURN_IF_ERROR(tx.Exec("ROLLBACK TO SAVEPOINT undo_updates").status());
    return std::pair<int64_t, bool>{0, true};
  }
  RETURN_IF_ERROR(tx.Exec("RELEASE SAVEPOINT undo_updates").status());
  return std::pair<int64_t, bool>{rows->GetInt(0, 0), false};
}

// One kUndoUpdates per updated lead, each in its own savepoint: a lead the index refuses stays.
Result<int64_t> UndoUpdatesOneByOne(db::Transaction& tx, std::string_view id,
                                    bool phone_moves_only) {
  ASSIGN_OR_RETURN(Rows touched, tx.Exec(kUndoTouched, Params().Add(id)));
  int64_t restored = 0;
  for (int i = 0; i < touched.size(); ++i) {
    ASSIGN_OR_RETURN(auto one,
                     TryUndoUpdates(tx, id, phone_moves_only, std::string(touched.Get(i, 0))));
    restored += one.first;
  }
  return restored;
}

// Restores the updated leads set-based, then again for those whose old phone a lead restored
// before them gave back (an import that moved phones between leads), until nothing more goes
// back. The statement skips phones other live leads hold; should two restored leads still want
// one phone (one given it by a concurrent write during the import), the index refuses the
// statement and the restore goes one lead at a time from there, each lead that cannot go back
// kept. The later passes take only leads whose phone changes, which a restore always bumps the
// version of, so they end and count no lead twice.
Result<int64_t> UndoUpdates(db::Transaction& tx, std::string_view id) {
  int64_t restored = 0;
  bool one_by_one = false;
  for (bool phone_moves_only = false;; phone_moves_only = true) {
    int64_t n = 0;
    if (!one_by_one) {
      ASSIGN_OR_RETURN(auto pass, TryUndoUpdates(tx, id, phone_moves_only, std::nullopt));
      one_by_one = pass.second;
      n = pass.first;
    }
    if (one_by_one) {
      ASSIGN_OR_RETURN(n, UndoUpdatesOneByOne(tx, id, phone_moves_only));
    }
    restored += n;
    if (phone_moves_only && n == 0) return restored;
  }
}

}  // namespace

Result<UndoResult> Undo(db::Transaction& tx, std::string_view id) {
  UndoResult r;
  ASSIGN_OR_RETURN(Rows deleted, tx.Exec(kUndoCreates, Params().Add(id)));
  r.deleted = deleted.affected();
  ASSIGN_OR_RETURN(r.restored, UndoUpdates(tx, id));
  ASSIGN_OR_RETURN(Rows touched, tx.Exec(kUndoTouchedCount, Params().Add(id)));
  r.kept = touched.GetInt(0, 0) - r.restored;
  RETURN_IF_ERROR(
      tx.Exec(kMarkUndone, Params().Add(id).Add(r.deleted).Add(r.restored).Add(r.kept)).status());
  return r;
}

Status ForEachFailedRow(
    db::Transaction& tx, std::string_view id,
    const std::function<bool(int64_t line, std::string_view raw, std::string_view error)>& fn) {
  constexpr int kPage = 5000;
  int64_t after = 0;
  while (true) {
    ASSIGN_OR_RETURN(Rows rows, tx.Exec(kFailedRows, Params().Add(id).Add(after).Add(kPage)));
    for (int i = 0; i < rows.size(); ++i) {
      after = rows.GetInt(i, 0);
      if (!fn(rows.GetInt(i, 1), rows.Get(i, 2), rows.Get(i, 3))) return Status::Ok();
    }
    if (rows.size() < kPage) return Status::Ok();
  }
}

Result<std::vector<StagedDecision>> StagedDecisions(db::Transaction& tx) {
  ASSIGN_OR_RETURN(Rows rows, tx.Exec(std::string_view(kStagedDecisions)));
  std::vector<StagedDecision> out;
  out.reserve(rows.size());
  for (int i = 0; i < rows.size(); ++i) {
    StagedDecision d;
    d.seq = rows.GetInt(i, 0);
    d.error = rows.GetOptional(i, 1);
    d.outcome = rows.GetOptional(i, 2).value_or("");
    if (!rows.IsNull(i, 3)) d.duplicate_of = rows.GetInt(i, 3);
    d.lead_id = rows.GetOptional(i, 4);
    d.dnc = rows.GetBool(i, 5);
    out.push_back(std::move(d));
  }
  return out;
}

Result<bool> IsActiveOwner(db::Transaction& tx, std::string_view ref) {
  ASSIGN_OR_RETURN(Rows rows, tx.Exec(kActiveOwner, Params().Add(ref)));
  return rows.GetBool(0, 0);
}

Result<std::string> OrganizationRegion(db::Transaction& tx) {
  ASSIGN_OR_RETURN(Rows rows, tx.Exec(kRegion));
  if (rows.empty()) return NotFound("no such organization");
  return std::string(rows.Get(0, 0));
}

}  // namespace leadline::imports::repo
