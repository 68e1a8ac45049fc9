#include "imports/import_repository.h"

#include <fmt/format.h>

#include "imports/import_options.h"

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
constexpr Query kLockJob{"imports_lock_job", "SELECT " LEADLINE_JOB_COLUMNS
                                             " FROM import_jobs WHERE organization_id = "
                                             "app_current_org() AND id = $1 FOR UPDATE"};
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
constexpr Query kMaxSeq{"imports_max_seq",
                        "SELECT coalesce(max(seq), 0) FROM import_rows "
                        "WHERE organization_id = app_current_org() AND import_id = $1"};

// Session-level, so it outlives transactions and ends with the connection.
constexpr Query kClaim{"imports_claim",
                       "SELECT organization_id, id, created_by "
                       "FROM import_claim_job($1::uuid)"};
constexpr Query kRelease{"imports_release", "SELECT import_release_job($1)"};
constexpr Query kLockKey{"imports_lock_key",
                         "SELECT pg_advisory_lock(hashtextextended('import:' || $1, 0))"};

// The read phase copies into a temporary table (COPY FROM cannot write a table under
// row-level security), then moves the batch with one INSERT that the policies check.
constexpr char kStageTable[] =
    "CREATE TEMP TABLE IF NOT EXISTS import_stage ("
    "seq bigint, line bigint, raw text, error text, first_name text, last_name text, "
    "email text, phone text, company text, title text, status text, source text, tags text[], "
    "lead_score int, timezone text, owner_ref text, assigned_to uuid, external_id text, "
    "metadata jsonb) ON COMMIT DELETE ROWS";
constexpr char kStageCopy[] =
    "COPY import_stage (seq, line, raw, error, first_name, last_name, email, phone, company, "
    "title, status, source, tags, lead_score, timezone, owner_ref, assigned_to, external_id, "
    "metadata) FROM STDIN";
constexpr Query kStageMove{
    "",
    "WITH moved AS ("
    "  INSERT INTO import_rows (organization_id, import_id, seq, line, raw, error, outcome, "
    "    first_name, last_name, email, phone, company, title, status, source, tags, lead_score, "
    "    timezone, owner_ref, assigned_to, external_id, metadata) "
    "  SELECT app_current_org(), $1, seq, line, raw, error, "
    "    CASE WHEN error IS NOT NULL THEN 'failed' END, first_name, last_name, email, phone, "
    "    company, title, status, source, tags, lead_score, timezone, owner_ref, assigned_to, "
    "    external_id, metadata FROM import_stage "
    "  RETURNING error) "
    "UPDATE import_jobs SET total_rows = total_rows + (SELECT count(*) FROM moved), "
    "  failed = failed + (SELECT count(*) FROM moved WHERE error IS NOT NULL), "
    "  processed_rows = processed_rows + (SELECT count(*) FROM moved WHERE error IS NOT NULL), "
    "  bytes_read = $2, heartbeat_at = now() "
    "WHERE organization_id = app_current_org() AND id = $1"};

// --- prepare: checks against the database, duplicates within the file ---
constexpr Query kResolveOwners{
    "",
    "UPDATE import_rows r SET assigned_to = u.id FROM users u "
    "WHERE r.organization_id = app_current_org() AND r.import_id = $1 AND r.error IS NULL "
    "  AND r.owner_ref IS NOT NULL AND r.assigned_to IS NULL "
    "  AND u.organization_id = r.organization_id AND u.email = lower(r.owner_ref)"};
constexpr Query kRejectOwners{
    "",
    "UPDATE import_rows r SET outcome = 'failed', "
    "  error = 'assigned_to: no active user ' || coalesce(r.owner_ref, r.assigned_to::text) || "
    "          ' in this organization' "
    "WHERE r.organization_id = app_current_org() AND r.import_id = $1 AND r.error IS NULL "
    "  AND (r.owner_ref IS NOT NULL OR r.assigned_to IS NOT NULL) "
    "  AND NOT EXISTS (SELECT 1 FROM users u WHERE u.organization_id = r.organization_id "
    "                  AND u.id = r.assigned_to AND u.is_active)"};
constexpr Query kRejectZones{
    "",
    "UPDATE import_rows r SET outcome = 'failed', "
    "  error = 'timezone: unknown IANA time zone ' || r.timezone "
    "WHERE r.organization_id = app_current_org() AND r.import_id = $1 AND r.error IS NULL "
    "  AND r.timezone IS NOT NULL "
    "  AND NOT EXISTS (SELECT 1 FROM iana_time_zones z WHERE z.name = r.timezone)"};
// A row repeats an earlier one when it has the same phone or (unless every row is to be
// created) the same email. Under `create` only phones count: two live leads cannot share one.
constexpr Query kInFileDuplicates{
    "",
    // Materialised: the duplicates are few, and the join back must not rescan the window.
    "WITH d AS MATERIALIZED ("
    "  SELECT seq, first_seq FROM ("
    "    SELECT seq, least(CASE WHEN phone IS NOT NULL "
    "                           THEN min(seq) OVER (PARTITION BY phone) END, "
    "                      CASE WHEN email IS NOT NULL AND $2 <> 'create' "
    "                           THEN min(seq) OVER (PARTITION BY email) END) AS first_seq "
    "    FROM import_rows WHERE organization_id = app_current_org() AND import_id = $1 "
    "      AND error IS NULL) w "
    "  WHERE first_seq < seq) "
    "UPDATE import_rows r SET outcome = 'skip_in_file', duplicate_of = d.first_seq FROM d "
    "WHERE r.organization_id = app_current_org() AND r.import_id = $1 AND r.seq = d.seq"};
constexpr Query kPreparedCounts{
    "",
    "UPDATE import_jobs j SET failed = c.failed, skipped = c.skipped, "
    "  processed_rows = c.failed + c.skipped, phase = 'apply', heartbeat_at = now() "
    "FROM (SELECT count(*) FILTER (WHERE outcome = 'failed') AS failed, "
    "             count(*) FILTER (WHERE outcome = 'skip_in_file') AS skipped "
    "      FROM import_rows WHERE organization_id = app_current_org() AND import_id = $1) c "
    "WHERE j.organization_id = app_current_org() AND j.id = $1"};

// --- apply, per chunk of seq [$2, $3] ---
#define LEADLINE_CHUNK \
  " r.organization_id = app_current_org() AND r.import_id = $1 AND r.seq BETWEEN $2 AND $3 "

constexpr Query kMatch{
    "",
    "UPDATE import_rows r SET lead_id = coalesce("
    "  (SELECT l.id FROM leads l WHERE l.organization_id = r.organization_id "
    "     AND l.phone = r.phone AND l.deleted_at IS NULL), "
    "  CASE WHEN $4 <> 'create' THEN "
    "    (SELECT l.id FROM leads l WHERE l.organization_id = r.organization_id "
    "       AND l.email = r.email AND l.deleted_at IS NULL ORDER BY l.created_at, l.id LIMIT 1) "
    "  END) "
    "WHERE" LEADLINE_CHUNK "AND r.error IS NULL AND r.outcome IS NULL"};
constexpr Query kDnc{"",
                     "UPDATE import_rows r SET dnc = is_on_dnc_list(r.phone, r.organization_id) "
                     "WHERE" LEADLINE_CHUNK
                     "AND r.error IS NULL AND r.outcome IS NULL AND r.phone IS NOT NULL "
                     "AND r.dnc IS NULL"};
// $4 dedupe policy, $5 dnc policy.
constexpr Query kDecide{
    "",
    "UPDATE import_rows r SET "
    "  outcome = CASE WHEN coalesce(r.dnc, false) AND $5 = 'skip' THEN 'skip_dnc' "
    "                 WHEN r.lead_id IS NULL THEN 'create' "
    "                 WHEN $4 = 'update' THEN 'update' ELSE 'skip_duplicate' END, "
    "  lead_id = CASE WHEN r.lead_id IS NULL AND NOT (coalesce(r.dnc, false) AND $5 = 'skip') "
    "                 THEN gen_random_uuid() ELSE r.lead_id END "
    "WHERE" LEADLINE_CHUNK "AND r.error IS NULL AND r.outcome IS NULL"};
// Two rows of a chunk that found the same lead (one by phone, one by email): the first wins.
constexpr Query kSameLead{
    "",
    "WITH d AS MATERIALIZED ("
    "  SELECT seq, first_seq FROM (SELECT seq, min(seq) OVER (PARTITION BY lead_id) AS first_seq "
    "                              FROM import_rows r "
    "                              WHERE" LEADLINE_CHUNK
    "AND r.outcome = 'update') w "
    "  WHERE first_seq < seq) "
    "UPDATE import_rows r SET outcome = 'skip_duplicate', duplicate_of = d.first_seq FROM d "
    "WHERE" LEADLINE_CHUNK "AND r.seq = d.seq"};
// Creates the chunk's new leads; a row whose phone someone else took since the match (the
// insert skips it) becomes a duplicate.
constexpr Query kCreate{
    "",
    "WITH ins AS ("
    " INSERT INTO leads (organization_id, id, first_name, last_name, email, phone, company, "
    "  title, status, source, source_metadata, tags, lead_score, assigned_to, timezone, "
    "  metadata, import_id, created_by) "
    " SELECT r.organization_id, r.lead_id, r.first_name, r.last_name, r.email, r.phone, "
    "  r.company, r.title, coalesce(r.status, 'new'), r.source, "
    "  CASE WHEN r.external_id IS NULL THEN '{}'::jsonb "
    "       ELSE jsonb_build_object('external_id', r.external_id) END, "
    "  app_text_array_union(coalesce(r.tags, '{}'), "
    "                       CASE WHEN r.dnc THEN '{dnc}'::text[] ELSE '{}' END), "
    "  coalesce(r.lead_score, 0), r.assigned_to, r.timezone, coalesce(r.metadata, '{}'), "
    "  r.import_id, app_current_user() "
    " FROM import_rows r WHERE" LEADLINE_CHUNK
    "AND r.outcome = 'create' ORDER BY r.seq "
    " ON CONFLICT (organization_id, phone) WHERE deleted_at IS NULL AND phone IS NOT NULL "
    " DO NOTHING "
    " RETURNING id) "
    "UPDATE import_rows r SET outcome = 'skip_duplicate', lead_id = NULL "
    "WHERE" LEADLINE_CHUNK
    "AND r.outcome = 'create' AND NOT EXISTS (SELECT 1 FROM ins WHERE ins.id = r.lead_id)"};
constexpr Query kAssignments{
    "",
    "INSERT INTO lead_assignments (organization_id, lead_id, assigned_to, assigned_by, strategy, "
    "  reason, context) "
    "SELECT r.organization_id, r.lead_id, r.assigned_to, app_current_user(), 'import', "
    "  'imported', jsonb_build_object('import_id', r.import_id) "
    "FROM import_rows r WHERE" LEADLINE_CHUNK
    "AND r.outcome = 'create' "
    "AND r.assigned_to IS NOT NULL"};
constexpr Query kSnapshot{
    "",
    "UPDATE import_rows r SET previous = jsonb_build_object("
    "  'first_name', l.first_name, 'last_name', l.last_name, 'email', l.email, "
    "  'phone', l.phone, 'company', l.company, 'title', l.title, 'status', l.status, "
    "  'source', l.source, 'source_metadata', l.source_metadata, 'tags', l.tags, "
    "  'lead_score', l.lead_score, 'assigned_to', l.assigned_to, 'timezone', l.timezone, "
    "  'metadata', l.metadata, 'version', l.version) "
    "FROM leads l WHERE" LEADLINE_CHUNK
    "AND r.outcome = 'update' AND l.organization_id = r.organization_id AND l.id = r.lead_id"};
// $4: overwrite (true) or fill (false). Fill only sets what the lead lacks; overwrite sets
// every non-empty cell. Tags and metadata are merged either way; a converted lead keeps its
// status (it is terminal).
constexpr Query kUpdate{
    "",
    "WITH upd AS ("
    " UPDATE leads l SET "
    "  first_name = CASE WHEN $4 THEN coalesce(r.first_name, l.first_name) "
    "                    ELSE coalesce(l.first_name, r.first_name) END, "
    "  last_name = CASE WHEN $4 THEN coalesce(r.last_name, l.last_name) "
    "                   ELSE coalesce(l.last_name, r.last_name) END, "
    "  email = CASE WHEN $4 THEN coalesce(r.email, l.email) ELSE coalesce(l.email, r.email) END, "
    "  phone = CASE WHEN $4 THEN coalesce(r.phone, l.phone) ELSE coalesce(l.phone, r.phone) END, "
    "  company = CASE WHEN $4 THEN coalesce(r.company, l.company) "
    "                 ELSE coalesce(l.company, r.company) END, "
    "  title = CASE WHEN $4 THEN coalesce(r.title, l.title) ELSE coalesce(l.title, r.title) END, "
    "  source = CASE WHEN $4 THEN coalesce(r.source, l.source) "
    "                ELSE coalesce(l.source, r.source) END, "
    "  timezone = CASE WHEN $4 THEN coalesce(r.timezone, l.timezone) "
    "                  ELSE coalesce(l.timezone, r.timezone) END, "
    "  assigned_to = CASE WHEN $4 THEN coalesce(r.assigned_to, l.assigned_to) "
    "                     ELSE coalesce(l.assigned_to, r.assigned_to) END, "
    "  status = CASE WHEN $4 AND r.status IS NOT NULL AND l.status <> 'converted' "
    "                THEN r.status ELSE l.status END, "
    "  lead_score = CASE WHEN $4 AND r.lead_score IS NOT NULL THEN r.lead_score "
    "                    ELSE l.lead_score END, "
    "  tags = app_text_array_union(l.tags, app_text_array_union(coalesce(r.tags, '{}'), "
    "           CASE WHEN r.dnc THEN '{dnc}'::text[] ELSE '{}' END)), "
    "  metadata = CASE WHEN $4 THEN l.metadata || coalesce(r.metadata, '{}') "
    "                  ELSE coalesce(r.metadata, '{}') || l.metadata END, "
    "  source_metadata = CASE WHEN r.external_id IS NULL THEN l.source_metadata "
    "    WHEN $4 THEN l.source_metadata || jsonb_build_object('external_id', r.external_id) "
    "    ELSE jsonb_build_object('external_id', r.external_id) || l.source_metadata END "
    " FROM import_rows r "
    " WHERE" LEADLINE_CHUNK
    "   AND r.outcome = 'update' AND l.organization_id = r.organization_id AND l.id = r.lead_id "
    "   AND l.deleted_at IS NULL "
    " RETURNING l.id, l.version) "
    "UPDATE import_rows r SET version_after = upd.version, "
    "  outcome = CASE WHEN upd.version = (r.previous->>'version')::int THEN 'unchanged' "
    "                 ELSE 'update' END "
    "FROM upd WHERE" LEADLINE_CHUNK "AND r.outcome = 'update' AND r.lead_id = upd.id"};
// Leads deleted between the match and the update.
constexpr Query kLostUpdates{"",
                             "UPDATE import_rows r SET outcome = 'skip_duplicate' "
                             "WHERE" LEADLINE_CHUNK
                             "AND r.outcome = 'update' AND r.version_after IS NULL"};
constexpr Query kChunkCounts{
    "",
    "UPDATE import_jobs j SET created = j.created + c.created, updated = j.updated + c.updated, "
    "  skipped = j.skipped + c.skipped, dnc_flagged = j.dnc_flagged + c.dnc, "
    "  processed_rows = j.processed_rows + c.n, applied_through = $3, heartbeat_at = now() "
    "FROM (SELECT count(*) FILTER (WHERE outcome = 'create') AS created, "
    "             count(*) FILTER (WHERE outcome = 'update') AS updated, "
    "             count(*) FILTER (WHERE outcome IN ('unchanged', 'skip_duplicate', 'skip_dnc')) "
    "               AS skipped, "
    "             count(*) FILTER (WHERE dnc AND outcome IN ('create', 'update', 'unchanged')) "
    "               AS dnc, "
    "             count(*) AS n "
    "      FROM import_rows r WHERE" LEADLINE_CHUNK
    "        AND r.outcome NOT IN ('failed', 'skip_in_file')) c "
    "WHERE j.organization_id = app_current_org() AND j.id = $1"};
constexpr Query kOutcomeCounts{
    "",
    "SELECT count(*), count(*) FILTER (WHERE outcome = 'create'), "
    "  count(*) FILTER (WHERE outcome = 'update'), "
    "  count(*) FILTER (WHERE outcome IN ('unchanged', 'skip_duplicate', 'skip_dnc', "
    "                                     'skip_in_file')), "
    "  count(*) FILTER (WHERE outcome = 'failed'), "
    "  count(*) FILTER (WHERE dnc AND outcome IN ('create', 'update', 'unchanged')) "
    "FROM import_rows WHERE organization_id = app_current_org() AND import_id = $1"};

// --- undo ---
constexpr Query kUndoCreates{
    "",
    "UPDATE leads SET deleted_at = now() "
    "WHERE organization_id = app_current_org() AND import_id = $1 AND deleted_at IS NULL"};
// A lead updated by several rows goes back to its state before the first; only when its
// version is still the one the last of them left.
constexpr Query kUndoUpdates{
    "",
    "WITH touched AS ("
    "  SELECT lead_id, (array_agg(previous ORDER BY seq))[1] AS previous, "
    "         (array_agg(version_after ORDER BY seq DESC))[1] AS version_after "
    "  FROM import_rows WHERE organization_id = app_current_org() AND import_id = $1 "
    "    AND outcome = 'update' GROUP BY lead_id), "
    "restored AS ("
    "  UPDATE leads l SET first_name = p.first_name, last_name = p.last_name, email = p.email, "
    "    phone = p.phone, company = p.company, title = p.title, status = p.status, "
    "    source = p.source, source_metadata = p.source_metadata, tags = p.tags, "
    "    lead_score = p.lead_score, assigned_to = p.assigned_to, timezone = p.timezone, "
    "    metadata = p.metadata "
    "  FROM touched t, jsonb_populate_record(NULL::leads, t.previous) p "
    "  WHERE l.organization_id = app_current_org() AND l.id = t.lead_id "
    "    AND l.version = t.version_after AND l.deleted_at IS NULL "
    "  RETURNING l.id) "
    "SELECT (SELECT count(*) FROM restored), (SELECT count(*) FROM touched)"};
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

constexpr Query kPreviewMatch{
    "",
    "SELECT (SELECT l.id FROM leads l WHERE l.organization_id = app_current_org() "
    "          AND l.phone = p.phone AND l.deleted_at IS NULL), "
    "       (SELECT l.id FROM leads l WHERE l.organization_id = app_current_org() "
    "          AND l.email = p.email AND l.deleted_at IS NULL ORDER BY l.created_at, l.id "
    "          LIMIT 1) "
    "FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS p(phone, email, i) ORDER BY p.i"};
constexpr Query kPreviewDnc{
    "",
    "SELECT p.phone IS NOT NULL AND is_on_dnc_list(p.phone, app_current_org()) "
    "FROM unnest($1::text[]) WITH ORDINALITY AS p(phone, i) ORDER BY p.i"};
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

std::string OptionalArrayLiteral(const std::vector<std::optional<std::string>>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    if (!items[i]) {
      out += "NULL";
      continue;
    }
    out += '"';
    for (char c : *items[i]) {
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

Status ReleaseJob(db::Connection& conn, std::string_view job_id) {
  return conn.Exec(kRelease, Params().Add(job_id)).status();
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

Status StageRows(db::Transaction& tx, std::string_view job_id, const std::vector<StagedRow>& rows,
                 uint64_t bytes_read) {
  RETURN_IF_ERROR(tx.Exec(std::string_view(kStageTable)).status());
  if (!rows.empty()) {
    RETURN_IF_ERROR(tx.connection().CopyIn(
        kStageCopy, [&](const std::function<Status(std::string_view)>& send) -> Status {
          std::string buf;
          buf.reserve(1 << 20);
          for (const StagedRow& r : rows) {
            AppendStagedRow(buf, r);
            if (buf.size() >= (1 << 20) - 4096) {
              RETURN_IF_ERROR(send(buf));
              buf.clear();
            }
          }
          if (!buf.empty()) RETURN_IF_ERROR(send(buf));
          return Status::Ok();
        }));
  }
  return tx.Exec(kStageMove, Params().Add(job_id).Add(static_cast<int64_t>(bytes_read))).status();
}

Status PrepareRows(db::Transaction& tx, const ImportJob& job) {
  Params id = Params().Add(job.id);
  RETURN_IF_ERROR(tx.Exec(kResolveOwners, id).status());
  RETURN_IF_ERROR(tx.Exec(kRejectOwners, id).status());
  RETURN_IF_ERROR(tx.Exec(kRejectZones, id).status());
  RETURN_IF_ERROR(
      tx.Exec(kInFileDuplicates, Params().Add(job.id).Add(DedupePolicyName(job.options.dedupe)))
          .status());
  return tx.Exec(kPreparedCounts, id).status();
}

namespace {

Status MatchAndDecide(db::Transaction& tx, const ImportJob& job, const Params& chunk) {
  RETURN_IF_ERROR(
      tx.Exec(kMatch, Params(chunk).Add(DedupePolicyName(job.options.dedupe))).status());
  RETURN_IF_ERROR(tx.Exec(kDnc, chunk).status());
  RETURN_IF_ERROR(tx.Exec(kDecide, Params(chunk)
                                       .Add(DedupePolicyName(job.options.dedupe))
                                       .Add(DncPolicyName(job.options.dnc)))
                      .status());
  return tx.Exec(kSameLead, chunk).status();
}

}  // namespace

Status ApplyChunk(db::Transaction& tx, const ImportJob& job, int64_t from, int64_t to) {
  const Params chunk = Params().Add(job.id).Add(from).Add(to);
  RETURN_IF_ERROR(MatchAndDecide(tx, job, chunk));
  RETURN_IF_ERROR(tx.Exec(kCreate, chunk).status());
  RETURN_IF_ERROR(tx.Exec(kAssignments, chunk).status());
  if (job.options.dedupe == DedupePolicy::kUpdate) {
    RETURN_IF_ERROR(tx.Exec(kSnapshot, chunk).status());
    RETURN_IF_ERROR(
        tx.Exec(kUpdate, Params(chunk).Add(job.options.update_mode == UpdateMode::kOverwrite))
            .status());
    RETURN_IF_ERROR(tx.Exec(kLostUpdates, chunk).status());
  }
  return tx.Exec(kChunkCounts, chunk).status();
}

Status ClassifyChunk(db::Transaction& tx, const ImportJob& job, int64_t from, int64_t to) {
  return MatchAndDecide(tx, job, Params().Add(job.id).Add(from).Add(to));
}

Result<ImportCounts> OutcomeCounts(db::Transaction& tx, std::string_view job_id) {
  ASSIGN_OR_RETURN(Rows rows, tx.Exec(kOutcomeCounts, Params().Add(job_id)));
  ImportCounts c;
  c.total_rows = rows.GetInt(0, 0);
  c.processed_rows = c.total_rows;
  c.created = rows.GetInt(0, 1);
  c.updated = rows.GetInt(0, 2);
  c.skipped = rows.GetInt(0, 3);
  c.failed = rows.GetInt(0, 4);
  c.dnc_flagged = rows.GetInt(0, 5);
  return c;
}

Result<int64_t> MaxSeq(db::Transaction& tx, std::string_view job_id) {
  ASSIGN_OR_RETURN(Rows rows, tx.Exec(kMaxSeq, Params().Add(job_id)));
  return rows.GetInt(0, 0);
}

Status FinishJob(db::Transaction& tx, std::string_view id, JobStatus status,
                 const std::optional<std::string>& error) {
  return tx.Exec(kFinish, Params().Add(id).Add(JobStatusName(status)).Add(error)).status();
}

Status DeleteJob(db::Transaction& tx, std::string_view id) {
  return tx.Exec(kDeleteJob, Params().Add(id)).status();
}

Result<UndoResult> Undo(db::Transaction& tx, std::string_view id) {
  UndoResult r;
  ASSIGN_OR_RETURN(Rows deleted, tx.Exec(kUndoCreates, Params().Add(id)));
  r.deleted = deleted.affected();
  ASSIGN_OR_RETURN(Rows restored, tx.Exec(kUndoUpdates, Params().Add(id)));
  r.restored = restored.GetInt(0, 0);
  r.kept = restored.GetInt(0, 1) - r.restored;
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

Result<std::vector<ExistingMatch>> MatchExisting(db::Transaction& tx,
                                                 const std::vector<StagedRow>& rows) {
  std::vector<std::optional<std::string>> phones, emails;
  for (const auto& r : rows) {
    phones.push_back(r.error ? std::nullopt : r.lead.phone.value);
    emails.push_back(r.error ? std::nullopt : r.lead.email.value);
  }
  ASSIGN_OR_RETURN(
      Rows found,
      tx.Exec(kPreviewMatch,
              Params().Add(OptionalArrayLiteral(phones)).Add(OptionalArrayLiteral(emails))));
  std::vector<ExistingMatch> out;
  for (int i = 0; i < found.size(); ++i) {
    out.push_back({found.GetOptional(i, 0), found.GetOptional(i, 1)});
  }
  return out;
}

Result<std::vector<bool>> DncFlags(db::Transaction& tx, const std::vector<StagedRow>& rows) {
  std::vector<std::optional<std::string>> phones;
  for (const auto& r : rows) phones.push_back(r.error ? std::nullopt : r.lead.phone.value);
  ASSIGN_OR_RETURN(Rows found, tx.Exec(kPreviewDnc, Params().Add(OptionalArrayLiteral(phones))));
  std::vector<bool> out;
  for (int i = 0; i < found.size(); ++i) out.push_back(!found.IsNull(i, 0) && found.GetBool(i, 0));
  return out;
}

Result<std::string> OrganizationRegion(db::Transaction& tx) {
  ASSIGN_OR_RETURN(Rows rows, tx.Exec(kRegion));
  if (rows.empty()) return std::string("US");
  return std::string(rows.Get(0, 0));
}

}  // namespace leadline::imports::repo
