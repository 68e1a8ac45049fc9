// The leads API's SQL. Fixed statements are named (prepared once per connection); the list,
// export and bulk-filter statements are assembled from fixed fragments and parameter
// numbers only, and run unnamed so that PostgreSQL plans them with the actual values.
#include "leads/lead_repository.h"

#include <string>

namespace leadline::leads::repo {
namespace {

using db::Params;
using db::Query;
using db::Rows;

// Column order must match LeadFromRow.
#define LEADLINE_LEAD_COLUMNS                                                                  \
  "l.id, l.first_name, l.last_name, l.email, l.phone, l.status, l.source, "                    \
  "array_to_json(l.tags)::text, l.lead_score, l.assigned_to, l.timezone, l.company, l.title, " \
  "l.metadata::text, app_rfc3339(l.created_at), app_rfc3339(l.updated_at), "                   \
  "app_rfc3339(l.deleted_at), l.version, app_rfc3339(l.status_changed_at), "                   \
  "app_rfc3339(l.last_contacted_at), l.merged_into"
constexpr int kLeadColumns = 21;

// Agents see leads assigned to them and unassigned ones; $n is NULL for everyone else.
#define LEADLINE_VISIBLE(n) \
  " AND ($" n "::uuid IS NULL OR l.assigned_to IS NULL OR l.assigned_to = $" n "::uuid)"

#define LEADLINE_ORG " l.organization_id = app_current_org() "

constexpr Query kRegion{"leads_org_region",
                        "SELECT default_region FROM organizations WHERE id = app_current_org()"};
constexpr Query kActiveUser{
    "leads_active_user",
    "SELECT is_active FROM users WHERE organization_id = app_current_org() AND id = $1::uuid"};

constexpr Query kFindLive{"leads_find_live",
                          "SELECT " LEADLINE_LEAD_COLUMNS " FROM leads l WHERE" LEADLINE_ORG
                          "AND l.id = $1::uuid AND l.deleted_at IS NULL" LEADLINE_VISIBLE("2")};
constexpr Query kFindLiveLocked{
    "leads_find_live_locked",
    "SELECT " LEADLINE_LEAD_COLUMNS " FROM leads l WHERE" LEADLINE_ORG
    "AND l.id = $1::uuid AND l.deleted_at IS NULL" LEADLINE_VISIBLE("2") " FOR UPDATE"};
constexpr Query kFindDeletedLocked{
    "leads_find_deleted_locked",
    "SELECT " LEADLINE_LEAD_COLUMNS " FROM leads l WHERE" LEADLINE_ORG
    "AND l.id = $1::uuid AND l.deleted_at IS NOT NULL" LEADLINE_VISIBLE("2") " FOR UPDATE"};
constexpr Query kFindAny{"leads_find_any",
                         "SELECT " LEADLINE_LEAD_COLUMNS " FROM leads l WHERE" LEADLINE_ORG
                         "AND l.id = $1::uuid" LEADLINE_VISIBLE("2")};

constexpr Query kPhoneOwner{
    "leads_phone_owner", "SELECT l.id FROM leads l WHERE" LEADLINE_ORG
                         "AND l.phone = $1 AND l.deleted_at IS NULL AND l.id <> coalesce($2::uuid, "
                         "'00000000-0000-0000-0000-000000000000') LIMIT 1"};

constexpr Query kInsert{
    "leads_insert",
    "INSERT INTO leads AS l (organization_id, first_name, last_name, email, phone, status, "
    "source, tags, lead_score, assigned_to, timezone, company, title, metadata, created_by) "
    "VALUES (app_current_org(), $1, $2, $3, $4, coalesce($5, 'new'), $6, "
    "coalesce($7::text[], '{}'), coalesce($8::int, 0), $9::uuid, $10, $11, $12, "
    "coalesce($13::jsonb, '{}'), app_current_user()) "
    "ON CONFLICT (organization_id, phone) WHERE deleted_at IS NULL AND phone IS NOT NULL "
    "DO NOTHING RETURNING " LEADLINE_LEAD_COLUMNS};

// Each field: "$flag" says whether the body had it, "$value" is the new value (NULL clears).
constexpr Query kUpdate{"leads_update",
                        "UPDATE leads AS l SET "
                        "first_name = CASE WHEN $3::bool THEN $4 ELSE l.first_name END, "
                        "last_name = CASE WHEN $5::bool THEN $6 ELSE l.last_name END, "
                        "email = CASE WHEN $7::bool THEN $8 ELSE l.email END, "
                        "phone = CASE WHEN $9::bool THEN $10 ELSE l.phone END, "
                        "status = CASE WHEN $11::bool THEN $12 ELSE l.status END, "
                        "source = CASE WHEN $13::bool THEN $14 ELSE l.source END, "
                        "tags = CASE WHEN $15::bool THEN $16::text[] ELSE l.tags END, "
                        "lead_score = CASE WHEN $17::bool THEN $18::int ELSE l.lead_score END, "
                        "assigned_to = CASE WHEN $19::bool THEN $20::uuid ELSE l.assigned_to END, "
                        "timezone = CASE WHEN $21::bool THEN $22 ELSE l.timezone END, "
                        "company = CASE WHEN $23::bool THEN $24 ELSE l.company END, "
                        "title = CASE WHEN $25::bool THEN $26 ELSE l.title END, "
                        "metadata = CASE WHEN $27::bool THEN $28::jsonb ELSE l.metadata END, "
                        "merged_from = CASE WHEN $29::uuid IS NULL THEN l.merged_from "
                        "ELSE l.merged_from || $29::uuid END "
                        "WHERE" LEADLINE_ORG
                        "AND l.id = $1::uuid AND l.version = $2::int AND l.deleted_at IS NULL "
                        "RETURNING " LEADLINE_LEAD_COLUMNS};

constexpr Query kSoftDelete{
    "leads_soft_delete",
    "UPDATE leads AS l SET deleted_at = now(), merged_into = coalesce($2::uuid, l.merged_into) "
    "WHERE" LEADLINE_ORG
    "AND l.id = $1::uuid AND l.deleted_at IS NULL "
    "RETURNING " LEADLINE_LEAD_COLUMNS};
constexpr Query kRestore{"leads_restore",
                         "UPDATE leads AS l SET deleted_at = NULL WHERE" LEADLINE_ORG
                         "AND l.id = $1::uuid AND l.deleted_at IS NOT NULL "
                         "RETURNING " LEADLINE_LEAD_COLUMNS};

// Tags: concatenate, drop removed ones, keep the first occurrence of each in order.
#define LEADLINE_TAGS_AFTER(add, remove)        \
  "ARRAY(SELECT u.t FROM unnest(l.tags || " add \
  "::text[]) WITH ORDINALITY AS u(t, n) "       \
  "WHERE u.t <> ALL (" remove "::text[]) GROUP BY u.t ORDER BY min(u.n))"

constexpr Query kChangeTags{"leads_change_tags",
                            "UPDATE leads AS l SET tags = " LEADLINE_TAGS_AFTER(
                                "$2", "$3") " WHERE" LEADLINE_ORG
                                            "AND l.id = $1::uuid AND l.deleted_at IS NULL "
                                            "RETURNING " LEADLINE_LEAD_COLUMNS};

constexpr Query kInsertAssignment{
    "leads_insert_assignment",
    "INSERT INTO lead_assignments (organization_id, lead_id, assigned_to, previous_assignee, "
    "assigned_by, strategy, reason) "
    "VALUES (app_current_org(), $1::uuid, $2::uuid, $3::uuid, app_current_user(), 'manual', $4)"};

// The two updates touch disjoint rows: the EXISTS / NOT EXISTS conditions look at the
// survivor's enrollments, which neither changes.
constexpr Query kMoveEnrollments{
    "leads_move_enrollments",
    "WITH cancelled AS ("
    " UPDATE lead_sequence_enrollments e SET status = 'cancelled', completed_at = now(), "
    " next_step_at = NULL, execution_log = e.execution_log || jsonb_build_array("
    " jsonb_build_object('event', 'cancelled_by_merge', 'merged_into', $2::uuid, 'at', "
    " app_rfc3339(now())))"
    " WHERE e.organization_id = app_current_org() AND e.lead_id = $1::uuid "
    " AND e.status IN ('active', 'paused') AND EXISTS (SELECT 1 FROM lead_sequence_enrollments s "
    " WHERE s.organization_id = e.organization_id AND s.lead_id = $2::uuid "
    " AND s.sequence_id = e.sequence_id AND s.status IN ('active', 'paused')) RETURNING e.id), "
    "moved AS ("
    " UPDATE lead_sequence_enrollments e SET lead_id = $2::uuid, "
    " execution_log = e.execution_log || jsonb_build_array(jsonb_build_object("
    " 'event', 'moved_by_merge', 'merged_from', $1::uuid, 'at', app_rfc3339(now())))"
    " WHERE e.organization_id = app_current_org() AND e.lead_id = $1::uuid "
    " AND e.status IN ('active', 'paused') AND NOT EXISTS (SELECT 1 FROM "
    " lead_sequence_enrollments s WHERE s.organization_id = e.organization_id "
    " AND s.lead_id = $2::uuid AND s.sequence_id = e.sequence_id "
    " AND s.status IN ('active', 'paused')) RETURNING e.id) "
    "SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM cancelled)"};

constexpr Query kSearchIds{"leads_search_ids", "SELECT leads_search_ids(lower($1), $2::int)::text"};
constexpr Query kTagIds{"leads_tag_ids", "SELECT leads_tag_ids($1::text[], $2::int)::text"};
constexpr Query kSearchPage{"leads_search_page",
                            "SELECT leads_search_page(lower($1), $2::int, $3, $4::bool, $5, "
                            "$6::uuid, $7::uuid, $8::int)::text"};

#define LEADLINE_EXPORT_BATCH "5000"
constexpr Query kFetchExport{"leads_fetch_export",
                             "FETCH FORWARD " LEADLINE_EXPORT_BATCH " FROM leads_export"};

#define LEADLINE_BULK_COLUMNS "l.id, l.status, l.assigned_to, array_to_json(l.tags)::text"

constexpr Query kLockByIds{"leads_lock_by_ids",
                           "SELECT " LEADLINE_BULK_COLUMNS " FROM leads l WHERE" LEADLINE_ORG
                           "AND l.id = ANY ($1::uuid[]) AND l.deleted_at IS NULL" LEADLINE_VISIBLE(
                               "2") " ORDER BY l.id FOR UPDATE"};

constexpr Query kBulkStatus{"leads_bulk_status",
                            "UPDATE leads AS l SET status = $2 WHERE" LEADLINE_ORG
                            "AND l.id = ANY ($1::uuid[]) AND l.deleted_at IS NULL"};
constexpr Query kBulkAddTags{
    "leads_bulk_add_tags",
    "UPDATE leads AS l SET tags = " LEADLINE_TAGS_AFTER(
        "$2", "'{}'") " WHERE" LEADLINE_ORG "AND l.id = ANY ($1::uuid[]) AND l.deleted_at IS NULL"};
constexpr Query kBulkRemoveTags{
    "leads_bulk_remove_tags",
    "UPDATE leads AS l SET tags = " LEADLINE_TAGS_AFTER(
        "'{}'", "$2") " WHERE" LEADLINE_ORG "AND l.id = ANY ($1::uuid[]) AND l.deleted_at IS NULL"};
// The rows are locked by LockBy*, so `prev` reads the assignees this statement replaces.
constexpr Query kBulkAssign{
    "leads_bulk_assign",
    "WITH prev AS (SELECT l.id, l.assigned_to FROM leads l WHERE" LEADLINE_ORG
    "AND l.id = ANY ($1::uuid[])), "
    "upd AS (UPDATE leads AS l SET assigned_to = $2::uuid FROM prev WHERE" LEADLINE_ORG
    "AND l.id = prev.id AND l.deleted_at IS NULL RETURNING l.id, prev.assigned_to AS previous) "
    "INSERT INTO lead_assignments (organization_id, lead_id, assigned_to, previous_assignee, "
    "assigned_by, strategy, reason) SELECT app_current_org(), upd.id, $2::uuid, upd.previous, "
    "app_current_user(), 'manual', 'bulk' FROM upd"};
constexpr Query kBulkDelete{"leads_bulk_delete",
                            "UPDATE leads AS l SET deleted_at = now() WHERE" LEADLINE_ORG
                            "AND l.id = ANY ($1::uuid[]) AND l.deleted_at IS NULL"};

// History pages of a lead the caller may read, in one statement (one round trip through
// db::ReadInTenant): the lead's own row decides visibility ($5: soft-deleted leads too; $6:
// the agent, NULL for everyone else), and the page is LEFT JOINed to it. No row: the lead is
// not readable; one row of NULLs: readable, no entries. $2/$3 are the cursor (NULL for the
// first page), $4 the row count. The last inner columns are the raw sort key, for the outer
// ORDER BY.
#define LEADLINE_READABLE_PAGE(columns, inner)                                   \
  "SELECT " columns " FROM leads l LEFT JOIN (" inner                            \
  ") p ON true "                                                                 \
  "WHERE l.organization_id = app_current_org() AND l.id = $1::uuid "             \
  "AND ($5::bool OR l.deleted_at IS NULL) "                                      \
  "AND ($6::uuid IS NULL OR l.assigned_to IS NULL OR l.assigned_to = $6::uuid) " \
  "ORDER BY p.sort_at DESC, p.sort_id DESC"

constexpr Query kAuditPage{
    "leads_audit_page",
    LEADLINE_READABLE_PAGE(
        "p.id, p.action, p.changes, p.actor_id, p.at, p.at_micro",
        "SELECT a.id, a.action, lead_audit_changes(a.changes, a.created_values)::text AS changes, "
        "a.actor_id, "
        "app_rfc3339(a.occurred_at) AS at, app_rfc3339_micro(a.occurred_at) AS at_micro, "
        "a.occurred_at AS sort_at, a.id AS sort_id FROM lead_audit_log a "
        "WHERE a.organization_id = app_current_org() AND a.lead_id = $1::uuid "
        "AND ($2::timestamptz IS NULL OR (a.occurred_at, a.id) < ($2::timestamptz, $3::uuid)) "
        "ORDER BY a.occurred_at DESC, a.id DESC LIMIT $4::int")};
constexpr Query kStatusPage{
    "leads_status_page",
    LEADLINE_READABLE_PAGE(
        "p.id, p.from_status, p.to_status, p.at, p.triggered_by, p.changed_by, p.seconds, "
        "p.at_micro",
        "SELECT h.id, h.from_status, h.to_status, app_rfc3339(h.changed_at) AS at, "
        "h.triggered_by, h.changed_by, "
        "round(extract(epoch FROM h.time_in_previous_status), 3)::text AS seconds, "
        "app_rfc3339_micro(h.changed_at) AS at_micro, h.changed_at AS sort_at, h.id AS sort_id "
        "FROM lead_status_history h "
        "WHERE h.organization_id = app_current_org() AND h.lead_id = $1::uuid "
        "AND ($2::timestamptz IS NULL OR (h.changed_at, h.id) < ($2::timestamptz, $3::uuid)) "
        "ORDER BY h.changed_at DESC, h.id DESC LIMIT $4::int")};
// Everything recorded about the lead: its history tables, its interactions and notes (a long
// body cut to its first 1,000 characters, with body_truncated), the call gate's decisions and
// the calls started, and the audit entries other than plain updates (those are its history).
constexpr Query kTimelinePage{
    "leads_timeline_page",
    LEADLINE_READABLE_PAGE(
        "p.id, p.type, p.at_text, p.actor_id, p.data, p.at_micro",
        "SELECT t.id, t.type, app_rfc3339(t.at) AS at_text, t.actor_id, t.data::text AS data, "
        "app_rfc3339_micro(t.at) AS at_micro, t.at AS sort_at, t.id AS sort_id "
        "FROM ("
        " SELECT h.id, 'status_change' AS type, h.changed_at AS at, h.changed_by AS actor_id, "
        " jsonb_build_object('from', h.from_status, 'to', h.to_status, 'triggered_by', "
        " h.triggered_by) AS data FROM lead_status_history h "
        " WHERE h.organization_id = app_current_org() AND h.lead_id = $1::uuid "
        " UNION ALL "
        " SELECT a.id, 'assignment', a.created_at, a.assigned_by, jsonb_build_object("
        " 'assigned_to', a.assigned_to, 'previous_assignee', a.previous_assignee, 'strategy', "
        " a.strategy, 'reason', a.reason) FROM lead_assignments a "
        " WHERE a.organization_id = app_current_org() AND a.lead_id = $1::uuid "
        " UNION ALL "
        " SELECT s.id, 'score_change', s.created_at, s.changed_by, jsonb_build_object('old', "
        " s.old_score, 'new', s.new_score, 'reason', s.reason) FROM lead_score_history s "
        " WHERE s.organization_id = app_current_org() AND s.lead_id = $1::uuid "
        " UNION ALL "
        " SELECT e.id, 'sequence_enrollment', e.enrolled_at, e.enrolled_by, jsonb_build_object("
        " 'sequence_id', e.sequence_id, 'status', e.status, 'current_step', e.current_step) "
        " FROM lead_sequence_enrollments e "
        " WHERE e.organization_id = app_current_org() AND e.lead_id = $1::uuid "
        " UNION ALL "
        " SELECT g.id, g.action, g.occurred_at, g.actor_id, jsonb_build_object('changes', "
        " lead_audit_changes(g.changes, g.created_values)) FROM lead_audit_log g "
        " WHERE g.organization_id = app_current_org() AND g.lead_id = $1::uuid "
        " AND g.action NOT IN ('update', 'bulk_update')"
        " UNION ALL "
        " SELECT i.id, CASE WHEN i.channel = 'note' THEN 'note' ELSE 'interaction' END, "
        " i.occurred_at, i.created_by, jsonb_build_object('channel', i.channel, 'direction', "
        " i.direction, 'phone', i.phone, 'body', left(i.body, 1000), 'body_truncated', "
        " char_length(i.body) > 1000, 'opt_out', coalesce(i.optout->>'kind', 'none') <> 'none', "
        " 'opt_out_action', i.optout->>'action') FROM interactions i "
        " WHERE i.organization_id = app_current_org() AND i.lead_id = $1::uuid "
        " UNION ALL "
        " SELECT d.id, 'compliance_decision', d.decided_at, d.actor_id, jsonb_build_object("
        " 'channel', d.channel, 'phone', d.phone, 'decision', d.decision, 'reasons', d.reasons) "
        " FROM compliance_log d "
        " WHERE d.organization_id = app_current_org() AND d.lead_id = $1::uuid "
        " UNION ALL "
        " SELECT c.id, 'call', c.created_at, c.started_by, jsonb_build_object('phone', c.phone, "
        " 'status', c.status, 'compliance_log_id', c.compliance_log_id) FROM calls c "
        " WHERE c.organization_id = app_current_org() AND c.lead_id = $1::uuid"
        ") t WHERE ($2::timestamptz IS NULL OR (t.at, t.id) < ($2::timestamptz, $3::uuid)) "
        "ORDER BY t.at DESC, t.id DESC LIMIT $4::int")};
#undef LEADLINE_READABLE_PAGE

// Kept by the lead triggers (0007): a read costs the organization's few thousand total rows,
// not its leads.
constexpr Query kTagCounts{
    "leads_tag_counts",
    "SELECT tag, count FROM lead_tag_counts_page($1::uuid, $2::int, $3::bigint, $4)"};

#undef LEADLINE_VISIBLE
#undef LEADLINE_ORG

std::optional<std::string> VisParam(const Visibility& vis) { return vis.agent_id; }

Lead LeadFromRow(const Rows& r, int i) {
  Lead l;
  l.id = r.Get(i, 0);
  l.first_name = r.GetOptional(i, 1);
  l.last_name = r.GetOptional(i, 2);
  l.email = r.GetOptional(i, 3);
  l.phone = r.GetOptional(i, 4);
  l.status = r.Get(i, 5);
  l.source = r.GetOptional(i, 6);
  l.tags_json = r.Get(i, 7);
  l.lead_score = static_cast<int>(r.GetInt(i, 8));
  l.assigned_to = r.GetOptional(i, 9);
  l.timezone = r.GetOptional(i, 10);
  l.company = r.GetOptional(i, 11);
  l.title = r.GetOptional(i, 12);
  l.metadata_json = r.Get(i, 13);
  l.created_at = r.Get(i, 14);
  l.updated_at = r.Get(i, 15);
  l.deleted_at = r.GetOptional(i, 16);
  l.version = static_cast<int>(r.GetInt(i, 17));
  l.status_changed_at = r.Get(i, 18);
  l.last_contacted_at = r.GetOptional(i, 19);
  l.merged_into = r.GetOptional(i, 20);
  return l;
}

Result<std::optional<Lead>> OneLead(Result<Rows> rows) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Lead>();
  return std::optional<Lead>(LeadFromRow(*rows, 0));
}

std::optional<std::string> TagsParam(const FieldValue<std::vector<std::string>>& f) {
  if (!f.value) return std::nullopt;
  return ArrayLiteral(*f.value);
}

void AddField(Params& p, const FieldValue<std::string>& f) {
  p.Add(f.present);
  p.Add(f.value);
}

std::vector<std::string> ParseTags(std::string_view json_text) {
  Lead l;
  l.tags_json = std::string(json_text);
  return l.Tags();
}

// Builds dynamic statements: fixed SQL fragments plus "$n" placeholders for bound values.
class SqlBuilder {
 public:
  SqlBuilder& Append(std::string_view fragment) {
    sql_.append(fragment);
    return *this;
  }
  // Binds `value` and appends its placeholder with a cast (e.g. "::uuid").
  SqlBuilder& Bind(std::optional<std::string> value, std::string_view cast = "") {
    params_.Add(value);
    sql_.append("$").append(std::to_string(params_.size())).append(cast);
    return *this;
  }
  const std::string& sql() const { return sql_; }
  const Params& params() const { return params_; }

 private:
  std::string sql_;
  Params params_;
};

const char* SortColumn(SortKey key) {
  switch (key) {
    case SortKey::kCreatedAt:
      return "l.created_at";
    case SortKey::kUpdatedAt:
      return "l.updated_at";
    case SortKey::kLeadScore:
      return "l.lead_score";
  }
  return "l.created_at";
}

const char* SortCast(SortKey key) { return key == SortKey::kLeadScore ? "::int" : "::timestamptz"; }

// The sort column's name for leads_search_page.
const char* SortName(SortKey key) {
  switch (key) {
    case SortKey::kCreatedAt:
      return "created_at";
    case SortKey::kUpdatedAt:
      return "updated_at";
    case SortKey::kLeadScore:
      return "lead_score";
  }
  return "created_at";
}

// Several statuses in created_at order: leads_status_created_idx serves each status in the
// page's order, so a page reads about `limit` rows per status instead of walking
// leads_created_idx past every row of the other statuses. Candidate id sets are already a
// handful of primary-key reads.
bool PerStatusBranches(const ListQuery& q, const ResolvedSearch& search) {
  return q.filter.statuses.size() > 1 && q.sort.key == SortKey::kCreatedAt && !search.search_ids &&
         !search.tag_ids;
}

// The FROM/WHERE of list, export and bulk-filter statements. Each condition compares a
// column with bound values, so the same statement serves every organization and user.
void AppendWhere(SqlBuilder& b, const ListQuery& q, const Visibility& vis, std::string_view me,
                 const ResolvedSearch& search) {
  const ListFilter& f = q.filter;
  b.Append(" FROM leads l WHERE l.organization_id = app_current_org() AND l.deleted_at IS NULL");
  if (vis.agent_id) {
    b.Append(" AND (l.assigned_to IS NULL OR l.assigned_to = ")
        .Bind(*vis.agent_id, "::uuid")
        .Append(")");
  }
  if (!f.statuses.empty()) {
    if (f.statuses.size() == 1) {
      b.Append(" AND l.status = ").Bind(f.statuses.front());
    } else {
      b.Append(" AND l.status = ANY (").Bind(ArrayLiteral(f.statuses), "::text[]").Append(")");
    }
  }
  if (!f.tags.empty()) b.Append(" AND l.tags @> ").Bind(ArrayLiteral(f.tags), "::text[]");
  switch (f.assigned) {
    case ListFilter::Assigned::kAny:
      break;
    case ListFilter::Assigned::kMe:
      b.Append(" AND l.assigned_to = ").Bind(std::string(me), "::uuid");
      break;
    case ListFilter::Assigned::kNone:
      b.Append(" AND l.assigned_to IS NULL");
      break;
    case ListFilter::Assigned::kUser:
      b.Append(" AND l.assigned_to = ").Bind(f.assigned_user, "::uuid");
      break;
  }
  if (f.source) b.Append(" AND l.source = ").Bind(*f.source);
  if (f.score_min) b.Append(" AND l.lead_score >= ").Bind(std::to_string(*f.score_min), "::int");
  if (f.score_max) b.Append(" AND l.lead_score <= ").Bind(std::to_string(*f.score_max), "::int");
  if (f.created_from) b.Append(" AND l.created_at >= ").Bind(*f.created_from, "::timestamptz");
  if (f.created_to) b.Append(" AND l.created_at < ").Bind(*f.created_to, "::timestamptz");
  if (search.like) b.Append(" AND l.search_text LIKE lower(").Bind(*search.like).Append(")");
  // Candidate sets turn a filter the planner can only apply row by row into a primary-key
  // lookup of a few ids.
  if (search.search_ids)
    b.Append(" AND l.id = ANY (").Bind(*search.search_ids, "::uuid[]").Append(")");
  if (search.tag_ids) b.Append(" AND l.id = ANY (").Bind(*search.tag_ids, "::uuid[]").Append(")");
}

void AppendOrder(SqlBuilder& b, const Sort& sort) {
  const char* dir = sort.descending ? " DESC" : " ASC";
  b.Append(" ORDER BY ").Append(SortColumn(sort.key)).Append(dir).Append(", l.id").Append(dir);
}

void AppendKeyset(SqlBuilder& b, const ListQuery& q) {
  if (!q.after) return;
  // A row comparison on (sort column, id) matches the sort index's column order, so the
  // index scan starts right after the cursor instead of filtering from the top.
  b.Append(" AND (").Append(SortColumn(q.sort.key)).Append(", l.id) ");
  b.Append(q.sort.descending ? "< (" : "> (");
  b.Bind(q.after->key, SortCast(q.sort.key)).Append(", ").Bind(q.after->id, "::uuid").Append(")");
}

std::string SortKeyExpression(SortKey key) {
  if (key == SortKey::kLeadScore) return "l.lead_score::text";
  return std::string("app_rfc3339_micro(") + SortColumn(key) + ")";
}

template <typename T, typename F>
Result<std::optional<std::vector<std::pair<T, std::string>>>> HistoryRows(
    db::Pool& pool, const db::TenantContext& ctx, const Query& q, std::string_view lead_id,
    const Visibility& vis, bool include_deleted, const PageRequest& page, F from_row,
    int micro_col) {
  Params p;
  p.Add(lead_id);
  if (page.after) {
    p.Add(page.after->key).Add(page.after->id);
  } else {
    p.AddNull().AddNull();
  }
  p.Add(page.limit + 1).Add(include_deleted).Add(VisParam(vis));
  ASSIGN_OR_RETURN(Rows rows, db::ReadInTenant(pool, ctx, q, p));
  using Out = std::vector<std::pair<T, std::string>>;
  if (rows.empty()) return std::optional<Out>();
  Out out;
  out.reserve(rows.size());
  for (int i = 0; i < rows.size(); ++i) {
    if (rows.IsNull(i, 0)) continue;  // the readable lead has no entries
    out.emplace_back(from_row(rows, i), std::string(rows.Get(i, micro_col)));
  }
  return std::optional<Out>(std::move(out));
}

std::vector<BulkRow> BulkRowsFrom(const Rows& rows) {
  std::vector<BulkRow> out;
  out.reserve(rows.size());
  for (int i = 0; i < rows.size(); ++i) {
    out.push_back(BulkRow{std::string(rows.Get(i, 0)), std::string(rows.Get(i, 1)),
                          rows.GetOptional(i, 2), ParseTags(rows.Get(i, 3))});
  }
  return out;
}

Result<int64_t> Affected(Result<Rows> rows) {
  if (!rows.ok()) return rows.status();
  return rows->affected();
}

}  // namespace

std::string ArrayLiteral(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.push_back('"');
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

Result<std::string> OrganizationRegion(db::Transaction& tx) {
  ASSIGN_OR_RETURN(Rows rows, tx.Exec(kRegion));
  if (rows.empty()) return std::string("US");
  return std::string(rows.Get(0, 0));
}

bool IsPhoneTaken(const Status& st) {
  return st.code() == StatusCode::kAlreadyExists && st.constraint() == "leads_phone_key";
}

Result<bool> IsActiveUser(db::Transaction& tx, std::string_view user_id) {
  ASSIGN_OR_RETURN(Rows rows, tx.Exec(kActiveUser, Params().Add(user_id)));
  return !rows.empty() && rows.GetBool(0, 0);
}

Result<std::optional<Lead>> FindLead(db::Transaction& tx, std::string_view id,
                                     const Visibility& vis, LeadState state, bool lock) {
  const Query* q = &kFindAny;
  if (state == LeadState::kLive) q = lock ? &kFindLiveLocked : &kFindLive;
  if (state == LeadState::kDeleted) q = &kFindDeletedLocked;
  return OneLead(tx.Exec(*q, Params().Add(id).Add(VisParam(vis))));
}

Result<std::optional<Lead>> ReadLiveLead(db::Pool& pool, const db::TenantContext& ctx,
                                         std::string_view id, const Visibility& vis) {
  return OneLead(db::ReadInTenant(pool, ctx, kFindLive, Params().Add(id).Add(VisParam(vis))));
}

Result<std::optional<std::string>> FindLivePhoneOwner(db::Transaction& tx, std::string_view phone,
                                                      std::string_view except_id) {
  Params p;
  p.Add(phone);
  if (except_id.empty()) {
    p.AddNull();
  } else {
    p.Add(except_id);
  }
  ASSIGN_OR_RETURN(Rows rows, tx.Exec(kPhoneOwner, p));
  if (rows.empty()) return std::optional<std::string>();
  return std::optional<std::string>(std::string(rows.Get(0, 0)));
}

Result<std::optional<Lead>> InsertLead(db::Transaction& tx, const LeadInput& in) {
  Params p;
  p.Add(in.first_name.value)
      .Add(in.last_name.value)
      .Add(in.email.value)
      .Add(in.phone.value)
      .Add(in.status.value)
      .Add(in.source.value)
      .Add(TagsParam(in.tags));
  if (in.lead_score.value) {
    p.Add(*in.lead_score.value);
  } else {
    p.AddNull();
  }
  p.Add(in.assigned_to.value)
      .Add(in.timezone.value)
      .Add(in.company.value)
      .Add(in.title.value)
      .Add(in.metadata_json.value);
  return OneLead(tx.Exec(kInsert, p));
}

Result<std::optional<Lead>> UpdateLead(db::Transaction& tx, std::string_view id, int version,
                                       const LeadInput& in,
                                       std::optional<std::string> merged_from) {
  Params p;
  p.Add(id).Add(version);
  AddField(p, in.first_name);
  AddField(p, in.last_name);
  AddField(p, in.email);
  AddField(p, in.phone);
  AddField(p, in.status);
  AddField(p, in.source);
  p.Add(in.tags.present).Add(TagsParam(in.tags));
  p.Add(in.lead_score.present);
  if (in.lead_score.value) {
    p.Add(*in.lead_score.value);
  } else {
    p.AddNull();
  }
  AddField(p, in.assigned_to);
  AddField(p, in.timezone);
  AddField(p, in.company);
  AddField(p, in.title);
  AddField(p, in.metadata_json);
  p.Add(merged_from);
  return OneLead(tx.Exec(kUpdate, p));
}

Result<std::optional<Lead>> SoftDelete(db::Transaction& tx, std::string_view id,
                                       std::optional<std::string> merged_into) {
  return OneLead(tx.Exec(kSoftDelete, Params().Add(id).Add(merged_into)));
}

Result<std::optional<Lead>> Restore(db::Transaction& tx, std::string_view id) {
  return OneLead(tx.Exec(kRestore, Params().Add(id)));
}

Result<std::optional<Lead>> ChangeTags(db::Transaction& tx, std::string_view id,
                                       const std::vector<std::string>& add,
                                       const std::vector<std::string>& remove) {
  return OneLead(
      tx.Exec(kChangeTags, Params().Add(id).Add(ArrayLiteral(add)).Add(ArrayLiteral(remove))));
}

Status InsertAssignment(db::Transaction& tx, std::string_view lead_id,
                        const std::optional<std::string>& assigned_to,
                        const std::optional<std::string>& previous, std::string_view reason) {
  return tx
      .Exec(kInsertAssignment, Params().Add(lead_id).Add(assigned_to).Add(previous).Add(reason))
      .status();
}

Result<EnrollmentMove> MoveEnrollments(db::Transaction& tx, std::string_view from,
                                       std::string_view to) {
  ASSIGN_OR_RETURN(Rows rows, tx.Exec(kMoveEnrollments, Params().Add(from).Add(to)));
  return EnrollmentMove{rows.GetInt(0, 0), rows.GetInt(0, 1)};
}

Result<std::optional<std::string>> SearchIds(db::Transaction& tx, std::string_view like_pattern,
                                             int cap) {
  ASSIGN_OR_RETURN(Rows rows, tx.Exec(kSearchIds, Params().Add(like_pattern).Add(cap)));
  return rows.GetOptional(0, 0);
}

Result<std::optional<std::string>> TagIds(db::Transaction& tx, const std::vector<std::string>& tags,
                                          int cap) {
  ASSIGN_OR_RETURN(Rows rows, tx.Exec(kTagIds, Params().Add(ArrayLiteral(tags)).Add(cap)));
  return rows.GetOptional(0, 0);
}

Result<std::optional<std::string>> SearchPage(db::Transaction& tx, std::string_view like_pattern,
                                              int cap, const ListQuery& query,
                                              const Visibility& vis) {
  Params p;
  p.Add(like_pattern).Add(cap).Add(SortName(query.sort.key)).Add(query.sort.descending);
  if (query.after) {
    p.Add(query.after->key).Add(query.after->id);
  } else {
    p.AddNull().AddNull();
  }
  p.Add(VisParam(vis)).Add(query.limit + 1);
  ASSIGN_OR_RETURN(Rows rows, tx.Exec(kSearchPage, p));
  return rows.GetOptional(0, 0);
}

Result<std::vector<ListedLead>> ListLeads(db::Transaction& tx, const ListQuery& query,
                                          const Visibility& vis, std::string_view me,
                                          const ResolvedSearch& search) {
  SqlBuilder b;
  if (PerStatusBranches(query, search)) {
    // One branch per status, each an index scan of leads_status_created_idx in the page's
    // order that stops after limit + 1 rows; Merge Append interleaves them. The raw sort
    // columns at the end (sort_at, sort_id) are for the outer ORDER BY only.
    const char* dir = query.sort.descending ? " DESC" : " ASC";
    b.Append("SELECT * FROM (");
    for (size_t i = 0; i < query.filter.statuses.size(); ++i) {
      ListQuery branch = query;
      branch.filter.statuses = {query.filter.statuses[i]};
      if (i > 0) b.Append(" UNION ALL ");
      b.Append("(SELECT " LEADLINE_LEAD_COLUMNS ", ")
          .Append(SortKeyExpression(query.sort.key))
          .Append(", l.created_at AS sort_at, l.id AS sort_id");
      AppendWhere(b, branch, vis, me, search);
      AppendKeyset(b, branch);
      AppendOrder(b, branch.sort);
      b.Append(" LIMIT ").Bind(std::to_string(query.limit + 1), "::int").Append(")");
    }
    b.Append(") u ORDER BY u.sort_at").Append(dir).Append(", u.sort_id").Append(dir);
  } else {
    b.Append("SELECT " LEADLINE_LEAD_COLUMNS ", ").Append(SortKeyExpression(query.sort.key));
    AppendWhere(b, query, vis, me, search);
    AppendKeyset(b, query);
    AppendOrder(b, query.sort);
  }
  b.Append(" LIMIT ").Bind(std::to_string(query.limit + 1), "::int");
  ASSIGN_OR_RETURN(Rows rows, tx.Exec(Query{"", b.sql().c_str()}, b.params()));
  std::vector<ListedLead> out;
  out.reserve(rows.size());
  for (int i = 0; i < rows.size(); ++i) {
    out.push_back(ListedLead{LeadFromRow(rows, i), std::string(rows.Get(i, kLeadColumns))});
  }
  return out;
}

Status DeclareExportCursor(db::Transaction& tx, const ListQuery& query, const Visibility& vis,
                           std::string_view me, const ResolvedSearch& search) {
  SqlBuilder b;
  b.Append("DECLARE leads_export NO SCROLL CURSOR FOR SELECT " LEADLINE_LEAD_COLUMNS);
  AppendWhere(b, query, vis, me, search);
  AppendOrder(b, query.sort);
  return tx.Exec(Query{"", b.sql().c_str()}, b.params()).status();
}

Result<std::vector<Lead>> FetchExport(db::Transaction& tx) {
  ASSIGN_OR_RETURN(Rows rows, tx.Exec(kFetchExport));
  std::vector<Lead> out;
  out.reserve(rows.size());
  for (int i = 0; i < rows.size(); ++i) out.push_back(LeadFromRow(rows, i));
  return out;
}

Result<std::vector<BulkRow>> LockByIds(db::Transaction& tx, const std::vector<std::string>& ids,
                                       const Visibility& vis) {
  ASSIGN_OR_RETURN(Rows rows,
                   tx.Exec(kLockByIds, Params().Add(ArrayLiteral(ids)).Add(VisParam(vis))));
  return BulkRowsFrom(rows);
}

Result<std::vector<BulkRow>> LockByFilter(db::Transaction& tx, const ListQuery& query,
                                          const Visibility& vis, std::string_view me,
                                          const ResolvedSearch& search, int cap) {
  SqlBuilder b;
  b.Append("SELECT " LEADLINE_BULK_COLUMNS);
  AppendWhere(b, query, vis, me, search);
  b.Append(" ORDER BY l.id LIMIT ").Bind(std::to_string(cap + 1), "::int").Append(" FOR UPDATE");
  ASSIGN_OR_RETURN(Rows rows, tx.Exec(Query{"", b.sql().c_str()}, b.params()));
  return BulkRowsFrom(rows);
}

Result<int64_t> BulkSetStatus(db::Transaction& tx, const std::vector<std::string>& ids,
                              std::string_view status) {
  return Affected(tx.Exec(kBulkStatus, Params().Add(ArrayLiteral(ids)).Add(status)));
}

Result<int64_t> BulkAddTags(db::Transaction& tx, const std::vector<std::string>& ids,
                            const std::vector<std::string>& tags) {
  return Affected(tx.Exec(kBulkAddTags, Params().Add(ArrayLiteral(ids)).Add(ArrayLiteral(tags))));
}

Result<int64_t> BulkRemoveTags(db::Transaction& tx, const std::vector<std::string>& ids,
                               const std::vector<std::string>& tags) {
  return Affected(
      tx.Exec(kBulkRemoveTags, Params().Add(ArrayLiteral(ids)).Add(ArrayLiteral(tags))));
}

Result<int64_t> BulkAssign(db::Transaction& tx, const std::vector<std::string>& ids,
                           const std::optional<std::string>& assignee) {
  return Affected(tx.Exec(kBulkAssign, Params().Add(ArrayLiteral(ids)).Add(assignee)));
}

Result<int64_t> BulkDelete(db::Transaction& tx, const std::vector<std::string>& ids) {
  return Affected(tx.Exec(kBulkDelete, Params().Add(ArrayLiteral(ids))));
}

Result<HistoryPage<AuditEntry>> AuditPage(db::Pool& pool, const db::TenantContext& ctx,
                                          std::string_view lead_id, const Visibility& vis,
                                          bool include_deleted, const PageRequest& page) {
  return HistoryRows<AuditEntry>(
      pool, ctx, kAuditPage, lead_id, vis, include_deleted, page,
      [](const Rows& r, int i) {
        return AuditEntry{std::string(r.Get(i, 0)), std::string(r.Get(i, 1)),
                          std::string(r.Get(i, 2)), r.GetOptional(i, 3), std::string(r.Get(i, 4))};
      },
      5);
}

Result<HistoryPage<StatusChange>> StatusPage(db::Pool& pool, const db::TenantContext& ctx,
                                             std::string_view lead_id, const Visibility& vis,
                                             bool include_deleted, const PageRequest& page) {
  return HistoryRows<StatusChange>(
      pool, ctx, kStatusPage, lead_id, vis, include_deleted, page,
      [](const Rows& r, int i) {
        return StatusChange{std::string(r.Get(i, 0)), r.GetOptional(i, 1),
                            std::string(r.Get(i, 2)), std::string(r.Get(i, 3)),
                            std::string(r.Get(i, 4)), r.GetOptional(i, 5),
                            r.GetOptional(i, 6)};
      },
      7);
}

Result<HistoryPage<TimelineEvent>> TimelinePage(db::Pool& pool, const db::TenantContext& ctx,
                                                std::string_view lead_id, const Visibility& vis,
                                                bool include_deleted, const PageRequest& page) {
  return HistoryRows<TimelineEvent>(
      pool, ctx, kTimelinePage, lead_id, vis, include_deleted, page,
      [](const Rows& r, int i) {
        return TimelineEvent{std::string(r.Get(i, 0)), std::string(r.Get(i, 1)),
                             std::string(r.Get(i, 2)), r.GetOptional(i, 3),
                             std::string(r.Get(i, 4))};
      },
      5);
}

Result<std::vector<TagCount>> TagCounts(db::Pool& pool, const db::TenantContext& ctx,
                                        const Visibility& vis, int limit,
                                        const std::optional<TagCount>& after) {
  Params p;
  p.Add(VisParam(vis)).Add(limit);
  if (after) {
    p.Add(after->count).Add(after->tag);
  } else {
    p.AddNull().AddNull();
  }
  ASSIGN_OR_RETURN(Rows rows, db::ReadInTenant(pool, ctx, kTagCounts, p));
  std::vector<TagCount> out;
  out.reserve(rows.size());
  for (int i = 0; i < rows.size(); ++i) {
    out.push_back(TagCount{std::string(rows.Get(i, 0)), rows.GetInt(i, 1)});
  }
  return out;
}

}  // namespace leadline::leads::repo
