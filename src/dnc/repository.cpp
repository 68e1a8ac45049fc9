#include "dnc/repository.h"

namespace leadline::dnc::repo {
namespace {

using db::Params;
using db::Query;
using db::Rows;

#define DNC_MICROS(col) "(extract(epoch FROM " col ") * 1000000)::bigint"
#define DNC_FROM_MICROS(p) "(timestamptz 'epoch' + " p "::bigint * interval '1 microsecond')"

#define DNC_ENTRY_COLUMNS                                                                   \
  "id, phone, reason, source, added_by, app_rfc3339(created_at), app_rfc3339(expires_at), " \
  "app_rfc3339(removed_at), removed_by, removal_reason, "                                   \
  "(removed_at IS NULL AND (expires_at IS NULL OR expires_at > now())), " DNC_MICROS("created_at")

constexpr Query kDefaultRegion{
    "dnc_default_region", "SELECT default_region FROM organizations WHERE id = app_current_org()"};
constexpr Query kLockLive{"dnc_lock_live",
                          "SELECT " DNC_ENTRY_COLUMNS
                          " FROM dnc_list "
                          "WHERE organization_id = app_current_org() AND phone = $1 "
                          "AND removed_at IS NULL FOR UPDATE"};
constexpr Query kMarkRemoved{
    "dnc_mark_removed",
    "UPDATE dnc_list SET removed_at = now(), removed_by = app_current_user(), removal_reason = $2 "
    "WHERE organization_id = app_current_org() AND id = $1 AND removed_at IS NULL"};
constexpr Query kInsertEntry{
    "dnc_insert_entry",
    "INSERT INTO dnc_list (organization_id, phone, reason, source, added_by, expires_at) "
    "VALUES (app_current_org(), $1, $2, $3, app_current_user(), $4::timestamptz) "
    "RETURNING " DNC_ENTRY_COLUMNS};
constexpr Query kGetEntry{"dnc_get_entry", "SELECT " DNC_ENTRY_COLUMNS
                                           " FROM dnc_list "
                                           "WHERE organization_id = app_current_org() AND id = $1"};
// One unnamed statement per list call: the filters vary, and a generic plan would not use them.
constexpr const char* kListBase =
    "SELECT " DNC_ENTRY_COLUMNS " FROM dnc_list WHERE organization_id = app_current_org()";
constexpr Query kRemoveEntry{
    "dnc_remove_entry",
    "UPDATE dnc_list SET removed_at = now(), removed_by = app_current_user(), "
    "removal_reason = $2 WHERE organization_id = app_current_org() AND id = $1 "
    "AND removed_at IS NULL RETURNING " DNC_ENTRY_COLUMNS};

constexpr Query kAfterNow{"dnc_after_now",
                          "SELECT $1::timestamptz > now() + make_interval(secs => $2::int)"};
// $2: an agent, who sees only the leads assigned to them and the unassigned ones.
constexpr Query kGetLead{"dnc_get_lead",
                         "SELECT id, phone, email, timezone FROM leads "
                         "WHERE organization_id = app_current_org() AND id = $1 "
                         "AND deleted_at IS NULL "
                         "AND ($2::uuid IS NULL OR assigned_to IS NULL OR assigned_to = $2::uuid)"};
constexpr Query kLeadByPhone{"dnc_lead_by_phone",
                             "SELECT id FROM leads WHERE organization_id = app_current_org() "
                             "AND phone = $1 AND deleted_at IS NULL"};

constexpr Query kOrgListingAt{
    "dnc_org_listing_at",
    "SELECT id, source, app_rfc3339(expires_at) FROM dnc_list "
    "WHERE organization_id = app_current_org() AND phone = $1 AND removed_at IS NULL "
    "AND (expires_at IS NULL OR expires_at > " DNC_FROM_MICROS("$2") ")"};
constexpr Query kNationalAt{
    "dnc_national_at",
    "SELECT dnc_on_national_registry($1), to_char(dnc_national_as_of($1), 'YYYY-MM-DD'), "
    "coalesce((" DNC_FROM_MICROS("$2") " AT TIME ZONE 'UTC')::date - dnc_national_as_of($1), 0)"};
constexpr Query kRegistryRequired{
    "dnc_registry_required",
    "SELECT value FROM system_config WHERE organization_id = app_current_org() "
    "AND key = 'compliance.national_registry_required'"};
constexpr Query kSetRegistryRequired{
    "dnc_set_registry_required",
    "INSERT INTO system_config (organization_id, key, value, description, updated_by) "
    "VALUES (app_current_org(), 'compliance.national_registry_required', to_jsonb($1::boolean), "
    "'calls need national registry data for the number''s area code', app_current_user()) "
    "ON CONFLICT (organization_id, key) DO UPDATE SET value = EXCLUDED.value, "
    "updated_by = EXCLUDED.updated_by"};
constexpr Query kConsentFor{
    "dnc_consent_for",
    "SELECT (SELECT app_rfc3339(max(captured_at)) FROM lead_consents "
    "        WHERE organization_id = app_current_org() AND lead_id = $1 AND channel = $2), "
    "       r.revoked_at_text, r.id, "
    "       r.revoked_at IS NOT NULL AND r.revoked_at >= coalesce( "
    "         (SELECT max(captured_at) FROM lead_consents "
    "          WHERE organization_id = app_current_org() AND lead_id = $1 AND channel = $2), "
    "         '-infinity') "
    "FROM (SELECT NULL) dummy LEFT JOIN LATERAL ( "
    "  SELECT id, revoked_at, app_rfc3339(revoked_at) AS revoked_at_text "
    "  FROM lead_consent_revocations WHERE organization_id = app_current_org() "
    "  AND lead_id = $1 AND scope IN ($2, 'all') ORDER BY revoked_at DESC LIMIT 1) r ON true"};

#define DNC_CONSENT_COLUMNS                                                              \
  "id, lead_id, channel, disclosure_text, method, app_rfc3339(captured_at), source_ip, " \
  "evidence_url, recorded_by, app_rfc3339(created_at)"
constexpr Query kInsertConsent{
    "dnc_insert_consent",
    "INSERT INTO lead_consents (organization_id, lead_id, channel, disclosure_text, method, "
    "captured_at, source_ip, evidence_url, recorded_by) VALUES (app_current_org(), $1, $2, $3, "
    "$4, coalesce($5::timestamptz, now()), $6, $7, app_current_user()) "
    "RETURNING " DNC_CONSENT_COLUMNS};
constexpr Query kListConsents{"dnc_list_consents",
                              "SELECT " DNC_CONSENT_COLUMNS
                              " FROM lead_consents "
                              "WHERE organization_id = app_current_org() AND lead_id = $1 "
                              "ORDER BY captured_at DESC, id DESC"};
#define DNC_REVOCATION_COLUMNS                                                            \
  "id, lead_id, scope, reason, method, app_rfc3339(revoked_at), source_ip, recorded_by, " \
  "app_rfc3339(created_at)"
constexpr Query kInsertRevocation{
    "dnc_insert_revocation",
    "INSERT INTO lead_consent_revocations (organization_id, lead_id, scope, reason, method, "
    "revoked_at, source_ip, recorded_by) VALUES (app_current_org(), $1, $2, $3, $4, "
    "coalesce($5::timestamptz, now()), $6, app_current_user()) RETURNING " DNC_REVOCATION_COLUMNS};
constexpr Query kListRevocations{"dnc_list_revocations",
                                 "SELECT " DNC_REVOCATION_COLUMNS
                                 " FROM lead_consent_revocations "
                                 "WHERE organization_id = app_current_org() AND lead_id = $1 "
                                 "ORDER BY revoked_at DESC, id DESC"};

constexpr Query kInsertInteraction{
    "dnc_insert_interaction",
    "INSERT INTO interactions (organization_id, lead_id, phone, channel, direction, body, "
    "payload, occurred_at, created_by) VALUES (app_current_org(), $1, $2, $3, $4, $5, $6::jsonb, "
    "coalesce($7::timestamptz, now()), app_current_user()) "
    "RETURNING id, app_rfc3339(occurred_at)"};
constexpr Query kSetOptout{"dnc_set_interaction_optout",
                           "UPDATE interactions SET optout = $2::jsonb "
                           "WHERE organization_id = app_current_org() AND id = $1"};

#define DNC_REVIEW_COLUMNS                                                                   \
  "id, phone, lead_id, interaction_id, excerpt, matched, confidence::float8, status, "       \
  "app_rfc3339(created_at), app_rfc3339(decided_at), decided_by, dnc_entry_id, " DNC_MICROS( \
      "created_at")
constexpr Query kInsertReview{
    "dnc_insert_review",
    "INSERT INTO dnc_review_queue (organization_id, phone, lead_id, interaction_id, excerpt, "
    "matched, confidence) VALUES (app_current_org(), $1, $2, $3, $4, $5, $6::numeric) "
    "RETURNING " DNC_REVIEW_COLUMNS};
constexpr Query kListReview{
    "dnc_list_review",
    "SELECT " DNC_REVIEW_COLUMNS " FROM dnc_review_queue "
    "WHERE organization_id = app_current_org() AND ($1 = 'all' OR status = $1) "
    "AND ($2::bigint IS NULL OR (created_at, id) < (" DNC_FROM_MICROS("$2") ", $3::uuid)) "
    "ORDER BY created_at DESC, id DESC LIMIT $4"};
constexpr Query kLockReview{"dnc_lock_review",
                            "SELECT " DNC_REVIEW_COLUMNS
                            " FROM dnc_review_queue "
                            "WHERE organization_id = app_current_org() AND id = $1 FOR UPDATE"};
constexpr Query kDecideReview{
    "dnc_decide_review",
    "UPDATE dnc_review_queue SET status = $2, decided_at = now(), "
    "decided_by = app_current_user(), dnc_entry_id = $3 "
    "WHERE organization_id = app_current_org() AND id = $1 RETURNING " DNC_REVIEW_COLUMNS};

#define DNC_LOG_COLUMNS                                                                  \
  "id, lead_id, channel, phone, decision, array_to_json(reasons)::text, details::text, " \
  "actor_id, app_rfc3339(decided_at), " DNC_MICROS("created_at")
constexpr Query kInsertLog{
    "dnc_insert_log",
    "INSERT INTO compliance_log (organization_id, lead_id, channel, phone, decision, reasons, "
    "details, actor_id, decided_at) VALUES (app_current_org(), $1, $2, $3, $4, "
    "ARRAY(SELECT jsonb_array_elements_text($5::jsonb)), $6::jsonb, "
    "app_current_user(), " DNC_FROM_MICROS("$7") ") RETURNING " DNC_LOG_COLUMNS};
constexpr Query kListLog{
    "dnc_list_log",
    "SELECT " DNC_LOG_COLUMNS " FROM compliance_log "
    "WHERE organization_id = app_current_org() AND lead_id = $1 "
    "AND ($2::bigint IS NULL OR (created_at, id) < (" DNC_FROM_MICROS("$2") ", $3::uuid)) "
    "ORDER BY created_at DESC, id DESC LIMIT $4"};
constexpr Query kInsertCall{
    "dnc_insert_call",
    "INSERT INTO calls (organization_id, lead_id, phone, compliance_log_id, started_by) "
    "VALUES (app_current_org(), $1, $2, $3, app_current_user()) RETURNING id"};

DncEntry EntryFromRow(const Rows& r, int i) {
  DncEntry e;
  e.id = r.Get(i, 0);
  e.phone = r.Get(i, 1);
  e.reason = r.GetOptional(i, 2);
  e.source = r.Get(i, 3);
  e.added_by = r.GetOptional(i, 4);
  e.created_at = r.Get(i, 5);
  e.expires_at = r.GetOptional(i, 6);
  e.removed_at = r.GetOptional(i, 7);
  e.removed_by = r.GetOptional(i, 8);
  e.removal_reason = r.GetOptional(i, 9);
  e.active = r.GetBool(i, 10);
  e.created_us = r.GetInt(i, 11);
  return e;
}

Consent ConsentFromRow(const Rows& r, int i) {
  Consent c;
  c.id = r.Get(i, 0);
  c.lead_id = r.Get(i, 1);
  c.channel = r.Get(i, 2);
  c.disclosure_text = r.Get(i, 3);
  c.method = r.Get(i, 4);
  c.captured_at = r.Get(i, 5);
  c.source_ip = r.GetOptional(i, 6);
  c.evidence_url = r.GetOptional(i, 7);
  c.recorded_by = r.GetOptional(i, 8);
  c.created_at = r.Get(i, 9);
  return c;
}

Revocation RevocationFromRow(const Rows& r, int i) {
  Revocation v;
  v.id = r.Get(i, 0);
  v.lead_id = r.Get(i, 1);
  v.scope = r.Get(i, 2);
  v.reason = r.GetOptional(i, 3);
  v.method = r.GetOptional(i, 4);
  v.revoked_at = r.Get(i, 5);
  v.source_ip = r.GetOptional(i, 6);
  v.recorded_by = r.GetOptional(i, 7);
  v.created_at = r.Get(i, 8);
  return v;
}

ReviewItem ReviewFromRow(const Rows& r, int i) {
  ReviewItem v;
  v.id = r.Get(i, 0);
  v.phone = r.Get(i, 1);
  v.lead_id = r.GetOptional(i, 2);
  v.interaction_id = r.GetOptional(i, 3);
  v.excerpt = r.Get(i, 4);
  v.matched = r.Get(i, 5);
  v.confidence = std::stod(std::string(r.Get(i, 6)));
  v.status = r.Get(i, 7);
  v.created_at = r.Get(i, 8);
  v.decided_at = r.GetOptional(i, 9);
  v.decided_by = r.GetOptional(i, 10);
  v.dnc_entry_id = r.GetOptional(i, 11);
  v.created_us = r.GetInt(i, 12);
  return v;
}

ComplianceLogEntry LogFromRow(const Rows& r, int i) {
  ComplianceLogEntry e;
  e.id = r.Get(i, 0);
  e.lead_id = r.Get(i, 1);
  e.channel = r.Get(i, 2);
  e.phone = r.GetOptional(i, 3);
  e.decision = r.Get(i, 4);
  e.reasons_json = r.Get(i, 5);
  e.details_json = r.Get(i, 6);
  e.actor_id = r.GetOptional(i, 7);
  e.decided_at = r.Get(i, 8);
  e.created_us = r.GetInt(i, 9);
  return e;
}

template <typename FromRow>
auto AllRows(const Rows& r, FromRow from_row) {
  std::vector<decltype(from_row(r, 0))> out;
  out.reserve(static_cast<size_t>(r.size()));
  for (int i = 0; i < r.size(); ++i) out.push_back(from_row(r, i));
  return out;
}

// Not found is a value: nullopt, not an error.
template <typename FromRow>
auto FirstRow(const Rows& r, FromRow from_row) -> std::optional<decltype(from_row(r, 0))> {
  if (r.empty()) return std::nullopt;
  return from_row(r, 0);
}

Params CursorParams(Params p, const std::optional<std::pair<int64_t, std::string>>& after) {
  if (after) {
    p.Add(after->first).Add(after->second);
  } else {
    p.AddNull().AddNull();
  }
  return p;
}

}  // namespace

Result<std::string> DefaultRegion(db::Transaction& tx) {
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kDefaultRegion));
  if (r.empty()) return std::string("US");
  return std::string(r.Get(0, 0));
}

Result<std::optional<DncEntry>> LockLiveEntry(db::Transaction& tx, const std::string& phone) {
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kLockLive, Params().Add(phone)));
  return FirstRow(r, EntryFromRow);
}

Status MarkRemoved(db::Transaction& tx, const std::string& id, const std::string& reason) {
  return tx.Exec(kMarkRemoved, Params().Add(id).Add(reason)).status();
}

Result<DncEntry> InsertEntry(db::Transaction& tx, const NewEntry& e) {
  ASSIGN_OR_RETURN(
      Rows r,
      tx.Exec(kInsertEntry, Params().Add(e.phone).Add(e.reason).Add(e.source).Add(e.expires_at)));
  return EntryFromRow(r, 0);
}

Result<std::optional<DncEntry>> GetEntry(db::Transaction& tx, const std::string& id) {
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kGetEntry, Params().Add(id)));
  return FirstRow(r, EntryFromRow);
}

Result<std::vector<DncEntry>> ListEntries(db::Transaction& tx, const ListFilter& f) {
  std::string sql = kListBase;
  Params p;
  int n = 0;
  if (!f.include_all) {
    sql += " AND removed_at IS NULL AND (expires_at IS NULL OR expires_at > now())";
  }
  if (f.phone) {
    p.Add(*f.phone);
    sql += " AND phone = $" + std::to_string(++n);
  }
  if (f.after) {
    p.Add(f.after->first).Add(f.after->second);
    sql += " AND (created_at, id) < (" + std::string("(timestamptz 'epoch' + $") +
           std::to_string(n + 1) + "::bigint * interval '1 microsecond'), $" +
           std::to_string(n + 2) + "::uuid)";
    n += 2;
  }
  p.Add(f.limit);
  sql += " ORDER BY created_at DESC, id DESC LIMIT $" + std::to_string(++n);
  ASSIGN_OR_RETURN(Rows r, tx.Exec(std::string_view(sql), p));
  return AllRows(r, EntryFromRow);
}

Result<std::optional<DncEntry>> RemoveEntry(db::Transaction& tx, const std::string& id,
                                            const std::optional<std::string>& reason) {
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kRemoveEntry, Params().Add(id).Add(reason)));
  if (auto removed = FirstRow(r, EntryFromRow)) return removed;
  return GetEntry(tx, id);
}

Result<bool> IsAfterNow(db::Transaction& tx, const std::string& at, int leeway_seconds) {
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kAfterNow, Params().Add(at).Add(leeway_seconds)));
  return r.GetBool(0, 0);
}

Result<std::optional<LeadContact>> GetLead(db::Transaction& tx, const std::string& lead_id,
                                           const std::optional<std::string>& agent_id) {
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kGetLead, Params().Add(lead_id).Add(agent_id)));
  if (r.empty()) return std::optional<LeadContact>();
  LeadContact l;
  l.id = r.Get(0, 0);
  l.phone = r.GetOptional(0, 1);
  l.email = r.GetOptional(0, 2);
  l.timezone = r.GetOptional(0, 3);
  return std::optional<LeadContact>(std::move(l));
}

Result<std::optional<std::string>> FindLeadIdByPhone(db::Transaction& tx,
                                                     const std::string& phone) {
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kLeadByPhone, Params().Add(phone)));
  if (r.empty()) return std::optional<std::string>();
  return std::optional<std::string>(std::string(r.Get(0, 0)));
}

Result<std::optional<OrgListing>> OrgListingAt(db::Transaction& tx, const std::string& phone,
                                               int64_t now_us) {
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kOrgListingAt, Params().Add(phone).Add(now_us)));
  if (r.empty()) return std::optional<OrgListing>();
  return std::optional<OrgListing>(
      OrgListing{std::string(r.Get(0, 0)), std::string(r.Get(0, 1)), r.GetOptional(0, 2)});
}

Result<NationalState> NationalAt(db::Transaction& tx, const std::string& phone, int64_t now_us) {
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kNationalAt, Params().Add(phone).Add(now_us)));
  NationalState s;
  s.listed = r.GetBool(0, 0);
  s.as_of = r.GetOptional(0, 1);
  s.age_days = r.GetInt(0, 2);
  return s;
}

Result<bool> NationalRegistryRequired(db::Transaction& tx) {
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kRegistryRequired));
  if (r.empty()) return true;
  return r.Get(0, 0) != "false";
}

Status SetNationalRegistryRequired(db::Transaction& tx, bool required) {
  return tx.Exec(kSetRegistryRequired, Params().Add(required)).status();
}

Result<ConsentState> ConsentFor(db::Transaction& tx, const std::string& lead_id,
                                const std::string& channel) {
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kConsentFor, Params().Add(lead_id).Add(channel)));
  ConsentState s;
  s.consent_at = r.GetOptional(0, 0);
  s.revoked_at = r.GetOptional(0, 1);
  s.revocation_id = r.GetOptional(0, 2);
  s.revoked = !r.IsNull(0, 3) && r.GetBool(0, 3);
  return s;
}

Result<Consent> InsertConsent(db::Transaction& tx, const Consent& c) {
  auto opt = [](const std::string& s) {
    return s.empty() ? std::optional<std::string>() : std::optional<std::string>(s);
  };
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kInsertConsent, Params()
                                                       .Add(c.lead_id)
                                                       .Add(c.channel)
                                                       .Add(c.disclosure_text)
                                                       .Add(c.method)
                                                       .Add(opt(c.captured_at))
                                                       .Add(c.source_ip)
                                                       .Add(c.evidence_url)));
  return ConsentFromRow(r, 0);
}

Result<Revocation> InsertRevocation(db::Transaction& tx, const Revocation& v) {
  auto opt = [](const std::string& s) {
    return s.empty() ? std::optional<std::string>() : std::optional<std::string>(s);
  };
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kInsertRevocation, Params()
                                                          .Add(v.lead_id)
                                                          .Add(v.scope)
                                                          .Add(v.reason)
                                                          .Add(v.method)
                                                          .Add(opt(v.revoked_at))
                                                          .Add(v.source_ip)));
  return RevocationFromRow(r, 0);
}

Result<std::vector<Consent>> ListConsents(db::Transaction& tx, const std::string& lead_id) {
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kListConsents, Params().Add(lead_id)));
  return AllRows(r, ConsentFromRow);
}

Result<std::vector<Revocation>> ListRevocations(db::Transaction& tx, const std::string& lead_id) {
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kListRevocations, Params().Add(lead_id)));
  return AllRows(r, RevocationFromRow);
}

Result<std::pair<std::string, std::string>> InsertInteraction(db::Transaction& tx,
                                                              const NewInteraction& i) {
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kInsertInteraction, Params()
                                                           .Add(i.lead_id)
                                                           .Add(i.phone)
                                                           .Add(i.channel)
                                                           .Add(i.direction)
                                                           .Add(i.body)
                                                           .Add(i.payload_json)
                                                           .Add(i.occurred_at)));
  return std::make_pair(std::string(r.Get(0, 0)), std::string(r.Get(0, 1)));
}

Status SetInteractionOptout(db::Transaction& tx, const std::string& id, const std::string& json) {
  return tx.Exec(kSetOptout, Params().Add(id).Add(json)).status();
}

Result<ReviewItem> InsertReview(db::Transaction& tx, const ReviewItem& v) {
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kInsertReview, Params()
                                                      .Add(v.phone)
                                                      .Add(v.lead_id)
                                                      .Add(v.interaction_id)
                                                      .Add(v.excerpt)
                                                      .Add(v.matched)
                                                      .Add(std::to_string(v.confidence))));
  return ReviewFromRow(r, 0);
}

Result<std::vector<ReviewItem>> ListReview(db::Transaction& tx, const std::string& status,
                                           std::optional<std::pair<int64_t, std::string>> after,
                                           int limit) {
  ASSIGN_OR_RETURN(Rows r,
                   tx.Exec(kListReview, CursorParams(Params().Add(status), after).Add(limit)));
  return AllRows(r, ReviewFromRow);
}

Result<std::optional<ReviewItem>> LockReview(db::Transaction& tx, const std::string& id) {
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kLockReview, Params().Add(id)));
  return FirstRow(r, ReviewFromRow);
}

Result<ReviewItem> DecideReview(db::Transaction& tx, const std::string& id,
                                const std::string& status,
                                const std::optional<std::string>& dnc_entry_id) {
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kDecideReview, Params().Add(id).Add(status).Add(dnc_entry_id)));
  return ReviewFromRow(r, 0);
}

Result<ComplianceLogEntry> InsertLog(db::Transaction& tx, const ComplianceLogEntry& e,
                                     int64_t decided_us) {
  std::string reasons = "[";
  for (size_t i = 0; i < e.reasons.size(); ++i) {
    if (i) reasons += ',';
    reasons += '"' + e.reasons[i] + '"';  // reason codes are fixed identifiers
  }
  reasons += ']';
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kInsertLog, Params()
                                                   .Add(e.lead_id)
                                                   .Add(e.channel)
                                                   .Add(e.phone)
                                                   .Add(e.decision)
                                                   .Add(reasons)
                                                   .Add(e.details_json)
                                                   .Add(decided_us)));
  return LogFromRow(r, 0);
}

Result<std::vector<ComplianceLogEntry>> ListLog(
    db::Transaction& tx, const std::string& lead_id,
    std::optional<std::pair<int64_t, std::string>> after, int limit) {
  ASSIGN_OR_RETURN(Rows r,
                   tx.Exec(kListLog, CursorParams(Params().Add(lead_id), after).Add(limit)));
  return AllRows(r, LogFromRow);
}

Result<std::string> InsertCall(db::Transaction& tx, const std::string& lead_id,
                               const std::string& phone, const std::string& log_id) {
  ASSIGN_OR_RETURN(Rows r, tx.Exec(kInsertCall, Params().Add(lead_id).Add(phone).Add(log_id)));
  return std::string(r.Get(0, 0));
}

}  // namespace leadline::dnc::repo
