// SQL for leads and their histories, and nothing else: every function runs inside the
// caller's tenant transaction and binds values as $n parameters. Row-level security limits
// every statement to the transaction's organization; each statement also filters by
// app_current_org() so that the (organization_id, ...) indexes apply.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "db/transaction.h"
#include "leads/lead.h"
#include "leads/lead_validation.h"

namespace leadline::leads::repo {

// Which leads a caller may see: agents only those assigned to them and unassigned ones.
struct Visibility {
  std::optional<std::string> agent_id;
};

enum class LeadState { kLive, kDeleted, kAny };

// The organization's default phone region ("US").
Result<std::string> OrganizationRegion(db::Transaction& tx);
// True when `user_id` is an active user of the organization.
Result<bool> IsActiveUser(db::Transaction& tx, std::string_view user_id);
// Whether a write was refused because another live lead of the organization has the phone
// (the unique index leads_phone_key), whichever statement wrote it.
bool IsPhoneTaken(const Status& st);

// The lead, or nullopt when it does not exist, is not visible or is not in `state`.
// `lock` takes FOR UPDATE, so the row cannot change until the transaction ends.
Result<std::optional<Lead>> FindLead(db::Transaction& tx, std::string_view id,
                                     const Visibility& vis, LeadState state, bool lock);
// The live lead visible to `vis`, read as `ctx` in one round trip (db::ReadInTenant, no
// explicit transaction); nullopt when there is none.
Result<std::optional<Lead>> ReadLiveLead(db::Pool& pool, const db::TenantContext& ctx,
                                         std::string_view id, const Visibility& vis);
// The live lead holding `phone`, other than `except_id`.
Result<std::optional<std::string>> FindLivePhoneOwner(db::Transaction& tx, std::string_view phone,
                                                      std::string_view except_id = {});

// Inserts a normalised lead. nullopt when a live lead of the organization already has its
// phone (nothing is written then).
Result<std::optional<Lead>> InsertLead(db::Transaction& tx, const LeadInput& in);

// Applies the present fields of `in` to the live lead `id` at `version`, and appends
// `merged_from` to its merged_from list when given. nullopt when no live lead has that id
// and version.
Result<std::optional<Lead>> UpdateLead(db::Transaction& tx, std::string_view id, int version,
                                       const LeadInput& in,
                                       std::optional<std::string> merged_from = std::nullopt);

// Soft delete (deleted_at = now()) and restore; nullopt when the lead is not in the state
// the change starts from.
Result<std::optional<Lead>> SoftDelete(db::Transaction& tx, std::string_view id,
                                       std::optional<std::string> merged_into = std::nullopt);
Result<std::optional<Lead>> Restore(db::Transaction& tx, std::string_view id);

// Adds then removes tags in one statement (order kept, duplicates dropped).
Result<std::optional<Lead>> ChangeTags(db::Transaction& tx, std::string_view id,
                                       const std::vector<std::string>& add,
                                       const std::vector<std::string>& remove);

// An append-only lead_assignments row, strategy 'manual', by the acting user.
Status InsertAssignment(db::Transaction& tx, std::string_view lead_id,
                        const std::optional<std::string>& assigned_to,
                        const std::optional<std::string>& previous, std::string_view reason);

// Live enrollments (active or paused) of `from` move to `to`; those whose sequence `to` is
// already in are cancelled instead. Both are noted in the enrollment's execution_log.
struct EnrollmentMove {
  int64_t moved = 0;
  int64_t cancelled = 0;
};
Result<EnrollmentMove> MoveEnrollments(db::Transaction& tx, std::string_view from,
                                       std::string_view to);

// Candidate ids for selective filters (see 0003_leads): the ids of at most `cap` live leads
// of the organization whose search_text matches the LIKE pattern / whose tags include all of
// `tags`, as a uuid[] literal; nullopt when more than `cap` match.
Result<std::optional<std::string>> SearchIds(db::Transaction& tx, std::string_view like_pattern,
                                             int cap);
Result<std::optional<std::string>> TagIds(db::Transaction& tx, const std::vector<std::string>& tags,
                                          int cap);

// q as a list's only filter: the ids of the page itself (at most limit + 1, in the query's
// sort and after its cursor) among the live leads visible to `vis` whose search_text matches
// the LIKE pattern, as a uuid[] literal; nullopt when more than `cap` leads match. The list
// statement must run in the same snapshot (TransactionMode::kReadOnlySnapshot) to get exactly
// those rows back.
Result<std::optional<std::string>> SearchPage(db::Transaction& tx, std::string_view like_pattern,
                                              int cap, const ListQuery& query,
                                              const Visibility& vis);

// Candidate sets that narrow a list query. The filters themselves are still applied, so a
// candidate set only has to be a superset of the matches it stands for.
struct ResolvedSearch {
  std::optional<std::string> like;        // q as a LIKE pattern
  std::optional<std::string> search_ids;  // uuid[] literal of q's candidates
  std::optional<std::string> tag_ids;     // uuid[] literal of the tag filter's candidates
};

struct ListedLead {
  Lead lead;
  std::string sort_key;  // for the cursor
};
// One page (limit + 1 rows, to tell whether another page follows).
Result<std::vector<ListedLead>> ListLeads(db::Transaction& tx, const ListQuery& query,
                                          const Visibility& vis, std::string_view me,
                                          const ResolvedSearch& search);

// Export: declares a cursor over every matching lead in the query's sort, then fetches it
// in batches of up to 5,000 rows (empty at the end). Only valid inside the transaction that
// declared it.
Status DeclareExportCursor(db::Transaction& tx, const ListQuery& query, const Visibility& vis,
                           std::string_view me, const ResolvedSearch& search);
Result<std::vector<Lead>> FetchExport(db::Transaction& tx);

// Bulk: locks the selected live, visible leads (at most `cap` + 1, in id order).
struct BulkRow {
  std::string id;
  std::string status;
  std::optional<std::string> assigned_to;
  std::vector<std::string> tags;
};
Result<std::vector<BulkRow>> LockByIds(db::Transaction& tx, const std::vector<std::string>& ids,
                                       const Visibility& vis);
Result<std::vector<BulkRow>> LockByFilter(db::Transaction& tx, const ListQuery& query,
                                          const Visibility& vis, std::string_view me,
                                          const ResolvedSearch& search, int cap);
// Set-based changes of the given leads; each returns the number of rows changed.
Result<int64_t> BulkSetStatus(db::Transaction& tx, const std::vector<std::string>& ids,
                              std::string_view status);
Result<int64_t> BulkAddTags(db::Transaction& tx, const std::vector<std::string>& ids,
                            const std::vector<std::string>& tags);
Result<int64_t> BulkRemoveTags(db::Transaction& tx, const std::vector<std::string>& ids,
                               const std::vector<std::string>& tags);
Result<int64_t> BulkAssign(db::Transaction& tx, const std::vector<std::string>& ids,
                           const std::optional<std::string>& assignee);
Result<int64_t> BulkDelete(db::Transaction& tx, const std::vector<std::string>& ids);

// Histories, newest first, `limit` + 1 rows; each row's second member is its microsecond
// timestamp for the cursor. One statement each, run through db::ReadInTenant (one round
// trip): nullopt when the lead is not readable by the caller (missing, invisible to the
// agent in `vis`, or soft-deleted unless `include_deleted`).
template <typename T>
using HistoryPage = std::optional<std::vector<std::pair<T, std::string>>>;
Result<HistoryPage<AuditEntry>> AuditPage(db::Pool& pool, const db::TenantContext& ctx,
                                          std::string_view lead_id, const Visibility& vis,
                                          bool include_deleted, const PageRequest& page);
Result<HistoryPage<StatusChange>> StatusPage(db::Pool& pool, const db::TenantContext& ctx,
                                             std::string_view lead_id, const Visibility& vis,
                                             bool include_deleted, const PageRequest& page);
Result<HistoryPage<TimelineEvent>> TimelinePage(db::Pool& pool, const db::TenantContext& ctx,
                                                std::string_view lead_id, const Visibility& vis,
                                                bool include_deleted, const PageRequest& page);

// Tag counts over live visible leads, by count descending then tag; `after` continues a
// page (count and tag of its last row). One statement through db::ReadInTenant, over the
// counts the lead triggers keep (0007); it may fold pending deltas first, a small write.
Result<std::vector<TagCount>> TagCounts(db::Pool& pool, const db::TenantContext& ctx,
                                        const Visibility& vis, int limit,
                                        const std::optional<TagCount>& after);

// A PostgreSQL array literal ({"a","b\"c"}) for a text[] or uuid[] parameter.
std::string ArrayLiteral(const std::vector<std::string>& items);

}  // namespace leadline::leads::repo
