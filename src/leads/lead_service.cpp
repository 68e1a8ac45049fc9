// Lead rules on top of the repository. Writes lock the lead row first (FOR UPDATE), check
// visibility, version and state, then change it, so every check holds at commit.
#include "leads/lead_service.h"

#include <algorithm>
#include <set>
#include <unordered_set>

#include "core/uuid.h"
#include "db/transaction.h"
#include "leads/lead_repository.h"

namespace leadline::leads {
namespace {

using auth::Principal;
using auth::Role;
using repo::LeadState;
using repo::Visibility;

// Up to this many matches, q and tag filters are applied as id sets found through their GIN
// indexes; beyond it a filter is common enough that walking a sort index and filtering fills
// a page sooner than fetching every match (measurements in docs/leads.md).
constexpr int kCandidateCap = 2000;

Status LeadNotFound() { return NotFound("lead not found"); }

Visibility VisibilityFor(const Principal& p) {
  Visibility v;
  v.agent_id = p.LeadsAgent();
  return v;
}

// The field a database constraint protects, so a rejected write names it like validation.
std::string FieldForConstraint(std::string_view c) {
  static constexpr std::pair<std::string_view, std::string_view> kMap[] = {
      {"leads_phone_check", "phone"},
      {"leads_email_check", "email"},
      {"leads_status_check", "status"},
      {"leads_status_terminal", "status"},
      {"leads_lead_score_check", "lead_score"},
      {"leads_timezone_check", "timezone"},
      {"leads_assigned_to_fkey", "assigned_to"},
      {"lead_assignments_assigned_to_fkey", "assigned_to"},
      {"leads_tags_check", "tags"},
      {"leads_tags_count_check", "tags"},
      {"leads_first_name_check", "first_name"},
      {"leads_last_name_check", "last_name"},
      {"leads_company_check", "company"},
      {"leads_title_check", "title"},
      {"leads_source_check", "source"},
      {"leads_metadata_check", "metadata"},
      {"leads_contact_check", "phone"},
  };
  for (const auto& [name, field] : kMap) {
    if (name == c) return std::string(field);
  }
  return "";
}

// Turns a database rejection of a lead write into the API's error.
Status MapWriteError(Status st) {
  if (repo::IsPhoneTaken(st)) {
    return AlreadyExists("a live lead of the organization already has this phone")
        .AddFieldError("phone", "is already used by another lead");
  }
  if (st.code() != StatusCode::kValidationFailed) return st;
  std::string field = FieldForConstraint(st.constraint());
  if (field.empty()) return st;
  Status out = ValidationFailed("invalid lead");
  if (st.constraint() == "leads_timezone_check") {
    out.AddFieldError(field, "is not a known IANA time zone name");
  } else if (st.constraint() == "leads_contact_check") {
    out.AddFieldError("phone", "a lead needs a phone or an email");
    out.AddFieldError("email", "a lead needs a phone or an email");
  } else if (st.constraint() == "leads_status_terminal") {
    out.AddFieldError(field, "converted is terminal: the status cannot change any more");
  } else if (field == "assigned_to") {
    out.AddFieldError(field, "must be a user of the organization");
  } else if (field == "tags") {
    out.AddFieldError(field, "at most " + std::to_string(kMaxTags) + " tags");
  } else {
    out.AddFieldError(field, "is invalid");
  }
  return out;
}

// A write checked its phone was free, but a lead committed meanwhile took it (the unique index
// waited for that transaction, then refused): kAborted, so RunInTransaction runs the write again
// and its check names the lead that has the phone now. Any other error as MapWriteError says.
Status RetryIfPhoneTakenMeanwhile(Status st) {
  if (repo::IsPhoneTaken(st)) {
    return Aborted("a lead took this phone meanwhile; retry");
  }
  return MapWriteError(std::move(st));
}

Status PhoneTaken(const std::string& existing_id) {
  return AlreadyExists("a live lead of the organization already has this phone")
      .AddFieldError("phone", "is already used by lead " + existing_id)
      .WithExtraString("existing_id", existing_id);
}

Status StaleVersion(int current) {
  return PreconditionFailed("the lead has changed since that version; it is now at version " +
                            std::to_string(current))
      .WithExtraInt("current_version", current);
}

// The assignee rule shared by PATCH, create and bulk: agents may only take a lead themselves
// or release it; anyone else needs a manager. The assignee must be an active user.
Status CheckAssignee(db::Transaction& tx, const Principal& p,
                     const std::optional<std::string>& assignee, std::string_view field) {
  if (p.role == Role::kAgent && assignee && *assignee != p.user_id) {
    return PermissionDenied("agents can assign leads only to themselves");
  }
  if (!assignee) return Status::Ok();
  ASSIGN_OR_RETURN(bool active, repo::IsActiveUser(tx, *assignee));
  if (!active) {
    return ValidationFailed("invalid assignee")
        .AddFieldError(std::string(field), "must be an active user of the organization");
  }
  return Status::Ok();
}

template <typename T, typename Row, typename Encode>
Page<T> MakePage(std::vector<Row> rows, int limit, Encode encode) {
  Page<T> page;
  bool more = static_cast<int>(rows.size()) > limit;
  if (more) rows.resize(limit);
  if (more && !rows.empty()) page.next_cursor = encode(rows.back());
  page.items.reserve(rows.size());
  for (auto& r : rows) page.items.push_back(std::move(r.first));
  return page;
}

Result<repo::ResolvedSearch> ResolveSearch(db::Transaction& tx, const ListFilter& f) {
  repo::ResolvedSearch s;
  if (f.q) {
    SearchPattern pattern = MakeSearchPattern(*f.q);
    s.like = pattern.like;
    // Without a trigram the index would return every row; the filter alone is cheaper.
    if (pattern.trigram_indexable) {
      ASSIGN_OR_RETURN(s.search_ids, repo::SearchIds(tx, pattern.like, kCandidateCap));
    }
  }
  if (!f.tags.empty()) {
    ASSIGN_OR_RETURN(s.tag_ids, repo::TagIds(tx, f.tags, kCandidateCap));
  }
  return s;
}

// A list filtered by q alone: the search function can return the ordered page itself.
bool OnlySearch(const ListFilter& f) {
  return f.q && f.statuses.empty() && f.tags.empty() && f.assigned == ListFilter::Assigned::kAny &&
         !f.source && !f.score_min && !f.score_max && !f.created_from && !f.created_to;
}

// History reads: live leads for agents; soft-deleted ones too for managers and admins, so a
// merged-away lead's history stays reachable.
bool HistoryIncludesDeleted(const Principal& p) { return p.AtLeast(Role::kManager); }

// Tag-count cursors: the count and tag of the last row.
std::string EncodeTagCursor(const TagCount& t) {
  return Base64UrlEncode("t1\n" + std::to_string(t.count) + "\n" + t.tag);
}

Result<TagCount> DecodeTagCursor(std::string_view cursor) {
  Status bad = InvalidArgument("invalid query parameters");
  bad.AddFieldError("cursor", "is not a cursor of this list");
  auto payload = Base64UrlDecode(cursor);
  if (!payload || !payload->starts_with("t1\n")) return bad;
  size_t nl = payload->find('\n', 3);
  if (nl == std::string::npos || nl == 3 || nl - 3 > 12) return bad;
  TagCount t;
  for (size_t i = 3; i < nl; ++i) {
    char c = (*payload)[i];
    if (c < '0' || c > '9') return bad;
    t.count = t.count * 10 + (c - '0');
  }
  t.tag = payload->substr(nl + 1);
  if (!IsValidUtf8(t.tag)) return bad;  // a tampered cursor; the database would refuse it
  return t;
}

class PgLeadExport : public LeadExport {
 public:
  explicit PgLeadExport(db::Transaction tx) : tx_(std::move(tx)) {}

  Result<std::string> Next() override {
    if (done_) return std::string();
    std::string out;
    if (!header_sent_) {
      AppendCsvHeader(out);
      header_sent_ = true;
    }
    ASSIGN_OR_RETURN(std::vector<Lead> batch, repo::FetchExport(tx_));
    if (batch.empty()) {
      done_ = true;
      // Read-only: committing just ends the transaction and frees the connection early.
      RETURN_IF_ERROR(tx_.Commit());
      return out;
    }
    out.reserve(out.size() + batch.size() * 256);
    for (const Lead& l : batch) AppendCsvRow(out, l);
    return out;
  }

 private:
  db::Transaction tx_;
  bool header_sent_ = false;
  bool done_ = false;
};

}  // namespace

Status LeadService::WithValueErrors(const Principal& p, const LeadInput& in, bool creating,
                                    Status type_errors) {
  std::set<std::string> named;
  for (const auto& fe : type_errors.field_errors()) named.insert(fe.field);
  std::string region;
  Status st = db::RunInTransaction(pool_, p.Tenant(), [&](db::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(region, repo::OrganizationRegion(tx));
    return Status::Ok();
  });
  if (!st.ok()) return type_errors;
  const bool contact_named = named.count("phone") > 0 || named.count("email") > 0;
  Result<LeadInput> normalized = NormalizeLeadInput(in, region, creating && !contact_named);
  if (normalized.ok()) return type_errors;
  for (const auto& fe : normalized.status().field_errors()) {
    if (named.count(fe.field) == 0) type_errors.AddFieldError(fe.field, fe.message);
  }
  return type_errors;
}

Result<Lead> LeadService::Create(const Principal& p, const LeadInput& in) {
  std::optional<Lead> created;
  Status st = db::RunInTransaction(pool_, p.Tenant(), [&](db::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(std::string region, repo::OrganizationRegion(tx));
    ASSIGN_OR_RETURN(LeadInput n, NormalizeLeadInput(in, region, /*creating=*/true));
    RETURN_IF_ERROR(CheckAssignee(tx, p, n.assigned_to.value, "assigned_to"));
    auto inserted = repo::InsertLead(tx, n);
    if (!inserted.ok()) return MapWriteError(inserted.status());
    if (!*inserted) {
      ASSIGN_OR_RETURN(auto owner, repo::FindLivePhoneOwner(tx, *n.phone.value));
      if (owner) return PhoneTaken(*owner);
      return Aborted("phone owner vanished; retry");  // freed meanwhile: RunInTransaction retries
    }
    if (n.assigned_to.value) {
      RETURN_IF_ERROR(repo::InsertAssignment(tx, (*inserted)->id, n.assigned_to.value, std::nullopt,
                                             "created"));
    }
    created = std::move(**inserted);
    return Status::Ok();
  });
  RETURN_IF_ERROR(st);
  return std::move(*created);
}

Result<Lead> LeadService::Get(const Principal& p, std::string_view id) {
  if (!IsUuid(id)) return LeadNotFound();
  // One statement: the settings and the SELECT travel in one pipelined round trip.
  ASSIGN_OR_RETURN(auto lead,
                   repo::ReadLiveLead(pool_, p.Tenant(), CanonicalUuid(id), VisibilityFor(p)));
  if (!lead) return LeadNotFound();
  return std::move(*lead);
}

Result<Lead> LeadService::Update(const Principal& p, std::string_view id_in, const LeadInput& in,
                                 const std::optional<IfMatch>& if_match) {
  if (!IsUuid(id_in)) return LeadNotFound();
  const std::string id = CanonicalUuid(id_in);
  std::optional<Lead> result;
  Status st = db::RunInTransaction(pool_, p.Tenant(), [&](db::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(auto current, repo::FindLead(tx, id, VisibilityFor(p), LeadState::kLive,
                                                  /*lock=*/true));
    if (!current) return LeadNotFound();
    const Lead& cur = *current;
    if (if_match && !if_match->Matches(cur.version)) return StaleVersion(cur.version);

    ASSIGN_OR_RETURN(std::string region, repo::OrganizationRegion(tx));
    ASSIGN_OR_RETURN(LeadInput n, NormalizeLeadInput(in, region, /*creating=*/false));

    Status invalid = ValidationFailed("invalid lead");
    if (n.status.value && cur.status == kTerminalStatus && *n.status.value != kTerminalStatus) {
      invalid.AddFieldError("status", "converted is terminal: the status cannot change any more");
    }
    const auto& phone = n.phone.present ? n.phone.value : cur.phone;
    const auto& email = n.email.present ? n.email.value : cur.email;
    if (!phone && !email) {
      // Name the fields this PATCH cleared (both when it cleared both).
      if (n.phone.present) invalid.AddFieldError("phone", "a lead needs a phone or an email");
      if (n.email.present || !n.phone.present) {
        invalid.AddFieldError("email", "a lead needs a phone or an email");
      }
    }
    if (!invalid.field_errors().empty()) return invalid;

    bool reassigned = n.assigned_to.present && n.assigned_to.value != cur.assigned_to;
    if (reassigned) RETURN_IF_ERROR(CheckAssignee(tx, p, n.assigned_to.value, "assigned_to"));
    if (n.phone.value && n.phone.value != cur.phone) {
      ASSIGN_OR_RETURN(auto owner, repo::FindLivePhoneOwner(tx, *n.phone.value, id));
      if (owner) return PhoneTaken(*owner);
    }

    auto updated = repo::UpdateLead(tx, id, cur.version, n);
    if (!updated.ok()) return RetryIfPhoneTakenMeanwhile(updated.status());
    if (!*updated) return Internal("locked lead changed during its update");
    if (reassigned) {
      RETURN_IF_ERROR(
          repo::InsertAssignment(tx, id, n.assigned_to.value, cur.assigned_to, "manual"));
    }
    result = std::move(**updated);
    return Status::Ok();
  });
  RETURN_IF_ERROR(st);
  return std::move(*result);
}

Status LeadService::Delete(const Principal& p, std::string_view id_in,
                           const std::optional<IfMatch>& if_match) {
  if (!IsUuid(id_in)) return LeadNotFound();
  const std::string id = CanonicalUuid(id_in);
  return db::RunInTransaction(pool_, p.Tenant(), [&](db::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(auto cur, repo::FindLead(tx, id, VisibilityFor(p), LeadState::kLive, true));
    if (!cur) return LeadNotFound();
    if (if_match && !if_match->Matches(cur->version)) return StaleVersion(cur->version);
    ASSIGN_OR_RETURN(auto deleted, repo::SoftDelete(tx, id));
    if (!deleted) return LeadNotFound();
    return Status::Ok();
  });
}

Result<Lead> LeadService::Restore(const Principal& p, std::string_view id_in) {
  if (!IsUuid(id_in)) return LeadNotFound();
  const std::string id = CanonicalUuid(id_in);
  std::optional<Lead> result;
  Status st = db::RunInTransaction(pool_, p.Tenant(), [&](db::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(auto cur, repo::FindLead(tx, id, VisibilityFor(p), LeadState::kDeleted, true));
    if (!cur) return LeadNotFound();
    if (cur->merged_into) {
      // Its data and enrollments live on in the survivor; a second live copy would be a
      // duplicate again.
      return Conflict("the lead was merged into " + *cur->merged_into + " and cannot be restored")
          .WithExtraString("merged_into", *cur->merged_into);
    }
    if (cur->phone) {
      ASSIGN_OR_RETURN(auto owner, repo::FindLivePhoneOwner(tx, *cur->phone, id));
      if (owner) return PhoneTaken(*owner);
    }
    auto restored = repo::Restore(tx, id);
    if (!restored.ok()) return RetryIfPhoneTakenMeanwhile(restored.status());
    if (!*restored) return LeadNotFound();
    result = std::move(**restored);
    return Status::Ok();
  });
  RETURN_IF_ERROR(st);
  return std::move(*result);
}

Result<MergeResult> LeadService::Merge(const Principal& p, std::string_view id_in,
                                       std::string_view other_in,
                                       const std::optional<IfMatch>& if_match) {
  if (!p.AtLeast(Role::kManager)) return PermissionDenied("only managers and admins merge leads");
  if (!IsUuid(id_in)) return LeadNotFound();
  if (!IsUuid(other_in)) {
    return ValidationFailed("invalid merge").AddFieldError("other_id", "must be a lead id");
  }
  const std::string id = CanonicalUuid(id_in);
  const std::string other_id = CanonicalUuid(other_in);
  if (id == other_id) {
    return ValidationFailed("invalid merge")
        .AddFieldError("other_id", "cannot merge a lead into itself");
  }
  MergeResult result;
  Status st = db::RunInTransaction(pool_, p.Tenant(), [&](db::Transaction& tx) -> Status {
    result = MergeResult{};
    // Lock in id order so two merges of the same pair cannot deadlock.
    const Visibility vis = VisibilityFor(p);
    std::optional<Lead> survivor, other;
    for (const std::string& lid : {std::min(id, other_id), std::max(id, other_id)}) {
      ASSIGN_OR_RETURN(auto l, repo::FindLead(tx, lid, vis, LeadState::kLive, true));
      if (!l) return LeadNotFound();
      (lid == id ? survivor : other) = std::move(*l);
    }
    if (if_match && !if_match->Matches(survivor->version)) return StaleVersion(survivor->version);

    // Empty fields of the survivor take the other lead's values.
    LeadInput fill;
    auto take = [&](FieldValue<std::string>& dst, const std::optional<std::string>& mine,
                    const std::optional<std::string>& theirs, const char* name) {
      if (!mine && theirs) {
        dst.Set(*theirs);
        result.fields.emplace_back(name);
      }
    };
    take(fill.first_name, survivor->first_name, other->first_name, "first_name");
    take(fill.last_name, survivor->last_name, other->last_name, "last_name");
    take(fill.email, survivor->email, other->email, "email");
    take(fill.phone, survivor->phone, other->phone, "phone");
    take(fill.source, survivor->source, other->source, "source");
    take(fill.assigned_to, survivor->assigned_to, other->assigned_to, "assigned_to");
    take(fill.timezone, survivor->timezone, other->timezone, "timezone");
    take(fill.company, survivor->company, other->company, "company");
    take(fill.title, survivor->title, other->title, "title");

    // Metadata keys the survivor lacks.
    auto mine = json::Parse(survivor->metadata_json);
    auto theirs = json::Parse(other->metadata_json);
    if (mine.ok() && theirs.ok() && mine->is_object() && theirs->is_object()) {
      std::vector<std::pair<std::string, json::Value>> members = mine->members();
      bool added = false;
      for (const auto& [k, v] : theirs->members()) {
        if (mine->Find(k) == nullptr) {
          members.emplace_back(k, v);
          added = true;
        }
      }
      if (added) {
        fill.metadata_json.Set(json::Serialize(json::Value::Object(std::move(members))));
        result.fields.emplace_back("metadata");
      }
    }

    // Tags: the union, the survivor's first, within the cap.
    std::vector<std::string> tags = survivor->Tags();
    std::unordered_set<std::string> have(tags.begin(), tags.end());
    for (const auto& t : other->Tags()) {
      if (tags.size() >= kMaxTags) break;
      if (have.insert(t).second) {
        tags.push_back(t);
        result.tags.push_back(t);
      }
    }
    if (!result.tags.empty()) fill.tags.Set(tags);

    ASSIGN_OR_RETURN(repo::EnrollmentMove moved, repo::MoveEnrollments(tx, other_id, id));
    result.enrollments_moved = moved.moved;
    result.enrollments_cancelled = moved.cancelled;

    // Both history entries carry action "merge"; merged_into / merged_from name the other
    // lead. The other lead goes first so that its phone is free for the survivor.
    RETURN_IF_ERROR(tx.SetLocal("app.audit_action", "merge"));
    auto gone = repo::SoftDelete(tx, other_id, id);
    if (!gone.ok()) return MapWriteError(gone.status());
    if (!*gone) return LeadNotFound();
    auto updated = repo::UpdateLead(tx, id, survivor->version, fill, other_id);
    if (!updated.ok()) return MapWriteError(updated.status());
    if (!*updated) return Internal("locked lead changed during a merge");
    if (fill.assigned_to.value) {
      RETURN_IF_ERROR(
          repo::InsertAssignment(tx, id, fill.assigned_to.value, std::nullopt, "merge"));
    }
    result.lead = std::move(**updated);
    result.merged_from = other_id;
    return Status::Ok();
  });
  RETURN_IF_ERROR(st);
  return result;
}

Result<Lead> LeadService::ChangeTags(const Principal& p, std::string_view id_in,
                                     const std::vector<std::string>& add_in,
                                     const std::vector<std::string>& remove_in) {
  if (!IsUuid(id_in)) return LeadNotFound();
  const std::string id = CanonicalUuid(id_in);
  Status invalid = ValidationFailed("invalid tags");
  auto add = NormalizeTags(add_in, "add");
  auto remove = NormalizeTags(remove_in, "remove");
  for (const auto* r : {&add, &remove}) {
    for (const auto& fe : r->status().field_errors()) invalid.AddFieldError(fe.field, fe.message);
  }
  if (!invalid.field_errors().empty()) return invalid;
  std::optional<Lead> result;
  Status st = db::RunInTransaction(pool_, p.Tenant(), [&](db::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(auto cur, repo::FindLead(tx, id, VisibilityFor(p), LeadState::kLive, true));
    if (!cur) return LeadNotFound();
    std::vector<std::string> tags = cur->Tags();
    std::set<std::string> after(tags.begin(), tags.end());
    after.insert(add->begin(), add->end());
    for (const auto& t : *remove) after.erase(t);
    if (after.size() > kMaxTags) {
      return ValidationFailed("invalid tags")
          .AddFieldError("add", "a lead has at most " + std::to_string(kMaxTags) + " tags");
    }
    auto changed = repo::ChangeTags(tx, id, *add, *remove);
    if (!changed.ok()) return MapWriteError(changed.status());
    if (!*changed) return LeadNotFound();
    result = std::move(**changed);
    return Status::Ok();
  });
  RETURN_IF_ERROR(st);
  return std::move(*result);
}

Result<Page<Lead>> LeadService::List(const Principal& p, const ListQuery& q) {
  std::vector<repo::ListedLead> rows;
  // One snapshot for the whole read: the candidate ids or page ids found first are exactly
  // the rows the list statement then sees.
  RETURN_IF_ERROR(db::RunInTransaction(
      pool_, p.Tenant(),
      [&](db::Transaction& tx) -> Status {
        repo::ResolvedSearch search;
        if (OnlySearch(q.filter)) {
          SearchPattern pattern = MakeSearchPattern(*q.filter.q);
          search.like = pattern.like;
          if (pattern.trigram_indexable) {
            ASSIGN_OR_RETURN(search.search_ids, repo::SearchPage(tx, pattern.like, kCandidateCap, q,
                                                                 VisibilityFor(p)));
          }
        } else {
          ASSIGN_OR_RETURN(search, ResolveSearch(tx, q.filter));
        }
        ASSIGN_OR_RETURN(rows, repo::ListLeads(tx, q, VisibilityFor(p), p.user_id, search));
        return Status::Ok();
      },
      db::TransactionMode::kReadOnlySnapshot));
  Page<Lead> page;
  if (static_cast<int>(rows.size()) > q.limit) {
    rows.resize(q.limit);
    page.next_cursor = EncodeCursor(q.sort, rows.back().sort_key, rows.back().lead.id);
  }
  page.items.reserve(rows.size());
  for (auto& r : rows) page.items.push_back(std::move(r.lead));
  return page;
}

Result<Page<AuditEntry>> LeadService::History(const Principal& p, std::string_view id_in,
                                              const PageRequest& page) {
  if (!IsUuid(id_in)) return LeadNotFound();
  ASSIGN_OR_RETURN(auto rows, repo::AuditPage(pool_, p.Tenant(), CanonicalUuid(id_in),
                                              VisibilityFor(p), HistoryIncludesDeleted(p), page));
  if (!rows) return LeadNotFound();
  return MakePage<AuditEntry>(std::move(*rows), page.limit, [&](const auto& r) {
    return EncodeHistoryCursor(HistoryList(HistoryKind::kAudit, id_in), r.second, r.first.id);
  });
}

Result<Page<StatusChange>> LeadService::StatusHistory(const Principal& p, std::string_view id_in,
                                                      const PageRequest& page) {
  if (!IsUuid(id_in)) return LeadNotFound();
  ASSIGN_OR_RETURN(auto rows, repo::StatusPage(pool_, p.Tenant(), CanonicalUuid(id_in),
                                               VisibilityFor(p), HistoryIncludesDeleted(p), page));
  if (!rows) return LeadNotFound();
  return MakePage<StatusChange>(std::move(*rows), page.limit, [&](const auto& r) {
    return EncodeHistoryCursor(HistoryList(HistoryKind::kStatus, id_in), r.second, r.first.id);
  });
}

Result<Page<TimelineEvent>> LeadService::Timeline(const Principal& p, std::string_view id_in,
                                                  const PageRequest& page) {
  if (!IsUuid(id_in)) return LeadNotFound();
  ASSIGN_OR_RETURN(auto rows,
                   repo::TimelinePage(pool_, p.Tenant(), CanonicalUuid(id_in), VisibilityFor(p),
                                      HistoryIncludesDeleted(p), page));
  if (!rows) return LeadNotFound();
  return MakePage<TimelineEvent>(std::move(*rows), page.limit, [&](const auto& r) {
    return EncodeHistoryCursor(HistoryList(HistoryKind::kTimeline, id_in), r.second, r.first.id);
  });
}

Result<Page<TagCount>> LeadService::Tags(const Principal& p, int limit,
                                         std::optional<std::string_view> cursor) {
  std::optional<TagCount> after;
  if (cursor) {
    ASSIGN_OR_RETURN(TagCount c, DecodeTagCursor(*cursor));
    after = std::move(c);
  }
  ASSIGN_OR_RETURN(std::vector<TagCount> rows,
                   repo::TagCounts(pool_, p.Tenant(), VisibilityFor(p), limit + 1, after));
  Page<TagCount> page;
  if (static_cast<int>(rows.size()) > limit) {
    rows.resize(limit);
    page.next_cursor = EncodeTagCursor(rows.back());
  }
  page.items = std::move(rows);
  return page;
}

Result<BulkResult> LeadService::Bulk(const Principal& p, const BulkRequest& req) {
  using Op = BulkRequest::Op;
  if (req.op == Op::kDelete && !p.AtLeast(Role::kManager)) {
    return PermissionDenied("only managers and admins delete leads in bulk");
  }
  std::vector<std::string> ids;
  if (req.ids) {
    std::unordered_set<std::string> seen;
    for (const auto& raw : *req.ids) {
      std::string id = CanonicalUuid(raw);
      if (seen.insert(id).second) ids.push_back(std::move(id));
    }
  }
  BulkResult result;
  Status st = db::RunInTransaction(pool_, p.Tenant(), [&](db::Transaction& tx) -> Status {
    result = BulkResult{};
    if (req.op == Op::kAssign) {
      RETURN_IF_ERROR(CheckAssignee(tx, p, req.assignee, "operation.assign"));
    }
    const Visibility vis = VisibilityFor(p);
    std::vector<repo::BulkRow> rows;
    if (req.ids) {
      ASSIGN_OR_RETURN(rows, repo::LockByIds(tx, ids, vis));
      result.not_found = static_cast<int64_t>(ids.size() - rows.size());
    } else {
      ASSIGN_OR_RETURN(repo::ResolvedSearch search, ResolveSearch(tx, req.filter->filter));
      ASSIGN_OR_RETURN(rows, repo::LockByFilter(tx, *req.filter, vis, p.user_id, search,
                                                static_cast<int>(kMaxBulkIds)));
      if (rows.size() > kMaxBulkIds) {
        return ValidationFailed("the filter selects too many leads")
            .AddFieldError("filter", "matches more than " + std::to_string(kMaxBulkIds) +
                                         " leads; narrow it or send ids in batches");
      }
    }
    result.matched = static_cast<int64_t>(rows.size());

    // Decide per lead; the rows are locked, so what is decided here is what gets written.
    std::vector<std::string> targets;
    auto skip = [&](const char* reason) { ++result.skipped_reasons[reason]; };
    for (const auto& r : rows) {
      switch (req.op) {
        case Op::kSetStatus:
          if (r.status == req.status) {
            skip("unchanged");
          } else if (r.status == kTerminalStatus) {
            skip("terminal_status");
          } else {
            targets.push_back(r.id);
          }
          break;
        case Op::kAddTags: {
          std::set<std::string> after(r.tags.begin(), r.tags.end());
          size_t before = after.size();
          after.insert(req.tags.begin(), req.tags.end());
          if (after.size() == before) {
            skip("unchanged");
          } else if (after.size() > kMaxTags) {
            skip("too_many_tags");
          } else {
            targets.push_back(r.id);
          }
          break;
        }
        case Op::kRemoveTags: {
          bool has = std::any_of(r.tags.begin(), r.tags.end(), [&](const std::string& t) {
            return std::find(req.tags.begin(), req.tags.end(), t) != req.tags.end();
          });
          if (has) {
            targets.push_back(r.id);
          } else {
            skip("unchanged");
          }
          break;
        }
        case Op::kAssign:
          if (r.assigned_to == req.assignee) {
            skip("unchanged");
          } else {
            targets.push_back(r.id);
          }
          break;
        case Op::kDelete:
          targets.push_back(r.id);
          break;
      }
    }
    if (!targets.empty()) {
      RETURN_IF_ERROR(
          tx.SetLocal("app.audit_action", req.op == Op::kDelete ? "bulk_delete" : "bulk_update"));
      Result<int64_t> n = int64_t{0};
      switch (req.op) {
        case Op::kSetStatus:
          n = repo::BulkSetStatus(tx, targets, req.status);
          break;
        case Op::kAddTags:
          n = repo::BulkAddTags(tx, targets, req.tags);
          break;
        case Op::kRemoveTags:
          n = repo::BulkRemoveTags(tx, targets, req.tags);
          break;
        case Op::kAssign:
          n = repo::BulkAssign(tx, targets, req.assignee);
          break;
        case Op::kDelete:
          n = repo::BulkDelete(tx, targets);
          break;
      }
      if (!n.ok()) return MapWriteError(n.status());
      result.updated = *n;
    }
    result.skipped = result.matched - result.updated;
    return Status::Ok();
  });
  RETURN_IF_ERROR(st);
  return result;
}

Result<std::unique_ptr<LeadExport>> LeadService::Export(const Principal& p, const ListQuery& q) {
  ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(pool_, p.Tenant()));
  ASSIGN_OR_RETURN(repo::ResolvedSearch search, ResolveSearch(tx, q.filter));
  RETURN_IF_ERROR(repo::DeclareExportCursor(tx, q, VisibilityFor(p), p.user_id, search));
  return std::unique_ptr<LeadExport>(std::make_unique<PgLeadExport>(std::move(tx)));
}

}  // namespace leadline::leads
