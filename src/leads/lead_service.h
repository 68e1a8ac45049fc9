// The rules of leads: who may see and change which lead, duplicates, the status machine,
// assignments, merges, tags, lists, bulk changes and exports. Every operation runs in one
// tenant transaction as the calling principal, so row-level security and the history
// triggers see the caller. Thread-safe: the service holds no mutable state.
//
// Errors: kNotFound for a lead that is missing, soft-deleted (unless stated), another
// organization's, not visible to an agent, or named by a malformed id; kValidationFailed
// naming each bad field; kAlreadyExists with "existing_id" for a phone held by another live
// lead; kPreconditionFailed for a stale If-Match; kPermissionDenied for a role that may not
// act; kInvalidArgument for bad parameters.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.h"
#include "core/status.h"
#include "db/pool.h"
#include "leads/lead.h"
#include "leads/lead_validation.h"

namespace leadline::leads {

template <typename T>
struct Page {
  std::vector<T> items;
  std::optional<std::string> next_cursor;
};

struct MergeResult {
  Lead lead;                          // the survivor after the merge
  std::string merged_from;            // the absorbed lead's id (now soft-deleted)
  std::vector<std::string> fields;    // survivor fields filled from the absorbed lead
  std::vector<std::string> tags;      // tags added to the survivor
  int64_t enrollments_moved = 0;      // live enrollments moved to the survivor
  int64_t enrollments_cancelled = 0;  // live enrollments cancelled (survivor already enrolled)
};

// POST /api/leads/bulk: a selection and one operation.
struct BulkRequest {
  std::optional<std::vector<std::string>> ids;  // either ids ...
  std::optional<ListQuery> filter;              // ... or a filter
  enum class Op { kSetStatus, kAddTags, kRemoveTags, kAssign, kDelete } op = Op::kSetStatus;
  std::string status;                   // kSetStatus
  std::vector<std::string> tags;        // kAddTags / kRemoveTags (normalised)
  std::optional<std::string> assignee;  // kAssign; nullopt unassigns
};

struct BulkResult {
  int64_t matched = 0;    // live leads the selection resolved to (visible to the caller)
  int64_t updated = 0;    // leads changed
  int64_t skipped = 0;    // matched - updated
  int64_t not_found = 0;  // ids that matched no visible live lead
  std::map<std::string, int64_t> skipped_reasons;  // reason -> count
};

// Streams an export: Next() returns the next chunk of CSV text (the header first), or an
// empty string at the end. Owns its transaction and connection until destroyed. Not
// thread-safe; use from one thread at a time.
class LeadExport {
 public:
  virtual ~LeadExport() = default;
  virtual Result<std::string> Next() = 0;
};

class LeadService {
 public:
  explicit LeadService(db::Pool& pool) : pool_(pool) {}

  Result<Lead> Create(const auth::Principal& p, const LeadInput& in);
  // A body that got some fields wrong in type (`type_errors`, kValidationFailed) is checked
  // for the rest too, the way Create (`creating`) or Update would, so the client learns every
  // bad field at once. Fields already named keep their type error; the phone-or-email rule is
  // left to a later try when either of them is among them. Returns the combined error.
  Status WithValueErrors(const auth::Principal& p, const LeadInput& in, bool creating,
                         Status type_errors);
  Result<Lead> Get(const auth::Principal& p, std::string_view id);
  // Applies the present fields; with `if_match`, a stale version is kPreconditionFailed and
  // nothing is written.
  Result<Lead> Update(const auth::Principal& p, std::string_view id, const LeadInput& in,
                      const std::optional<IfMatch>& if_match);
  Status Delete(const auth::Principal& p, std::string_view id,
                const std::optional<IfMatch>& if_match);
  // kNotFound unless the lead is soft-deleted; kAlreadyExists when a live lead now holds its
  // phone.
  Result<Lead> Restore(const auth::Principal& p, std::string_view id);
  // Managers and admins: absorbs `other_id` into `id` (see docs/leads.md). `if_match` is
  // about the survivor `id`: a stale version is kPreconditionFailed and nothing is written.
  Result<MergeResult> Merge(const auth::Principal& p, std::string_view id,
                            std::string_view other_id,
                            const std::optional<IfMatch>& if_match = std::nullopt);
  Result<Lead> ChangeTags(const auth::Principal& p, std::string_view id,
                          const std::vector<std::string>& add,
                          const std::vector<std::string>& remove);

  Result<Page<Lead>> List(const auth::Principal& p, const ListQuery& q);
  // Histories are readable for soft-deleted leads by managers and admins.
  Result<Page<AuditEntry>> History(const auth::Principal& p, std::string_view id,
                                   const PageRequest& page);
  Result<Page<StatusChange>> StatusHistory(const auth::Principal& p, std::string_view id,
                                           const PageRequest& page);
  Result<Page<TimelineEvent>> Timeline(const auth::Principal& p, std::string_view id,
                                       const PageRequest& page);
  // limit 1..500; `cursor` from a previous page.
  Result<Page<TagCount>> Tags(const auth::Principal& p, int limit,
                              std::optional<std::string_view> cursor);
  Result<BulkResult> Bulk(const auth::Principal& p, const BulkRequest& req);
  // Opens the export's transaction and cursor; errors in the query surface here.
  Result<std::unique_ptr<LeadExport>> Export(const auth::Principal& p, const ListQuery& q);

 private:
  db::Pool& pool_;
};

}  // namespace leadline::leads
