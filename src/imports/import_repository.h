// SQL of the import feature: jobs, the staged rows, and the set-based statements that apply
// staged rows to leads. Every function runs inside the caller's tenant transaction (row-level
// security applies) except the claim/lock functions, which take the worker's own connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "db/connection.h"
#include "db/transaction.h"
#include "imports/import_job.h"
#include "imports/row_mapper.h"

namespace leadline::imports::repo {

Result<ImportJob> InsertJob(db::Transaction& tx, const ImportJob& job);
Result<std::optional<ImportJob>> FindJob(db::Transaction& tx, std::string_view id);
// Newest first; `after` is the last job of the previous page (created_at|id).
Result<std::vector<ImportJob>> ListJobs(
    db::Transaction& tx, int limit,
    const std::optional<std::pair<std::string, std::string>>& after);
// Locks the job row for the rest of the transaction.
Result<std::optional<ImportJob>> LockJobRow(db::Transaction& tx, std::string_view id);
Status SetCancelRequested(db::Transaction& tx, std::string_view id);

// A job a worker holds: claimed through import_claim_job (0005, 0015), held by two session
// advisory locks of `conn`, the job's and its organization's (one import at a time in an
// organization), until ReleaseJob or until the connection ends.
struct Claim {
  std::string organization_id;
  std::string job_id;
  std::optional<std::string> created_by;
};
// The oldest queued or orphaned job of an organization no other session is importing into,
// or `job_id` only when given.
Result<std::optional<Claim>> ClaimJob(db::Connection& conn, std::optional<std::string> job_id);
// Releases both locks of a claim (or of LockJobKey and LockOrganization).
Status ReleaseJob(db::Connection& conn, std::string_view job_id, std::string_view organization_id);
// Takes the job's advisory lock before the job exists (the CLI runs its own job).
Status LockJobKey(db::Connection& conn, std::string_view job_id);
// The organization's import lock: taken if no other session holds it (TryLockOrganization,
// false otherwise), or waited for (LockOrganization).
Result<bool> TryLockOrganization(db::Connection& conn, std::string_view organization_id);
Status LockOrganization(db::Connection& conn, std::string_view organization_id);

Status SetPhase(db::Transaction& tx, std::string_view id, std::string_view phase);
Status SetFile(db::Transaction& tx, std::string_view id, std::string_view path, int64_t bytes,
               const std::optional<std::string>& source_cursor);

// Also records the delimiter in use, so errors.csv writes rows the way the file did.
Status SetHeader(db::Transaction& tx, std::string_view id, std::string_view header_raw,
                 char delimiter);
Result<std::optional<std::string>> Header(db::Transaction& tx, std::string_view id);

// Rows as the staging table's COPY reads them: what a batch keeps while it is written, at a
// fifth of the memory of the rows themselves.
struct EncodedRows {
  std::string copy_text;
  size_t count = 0;

  bool empty() const { return count == 0; }
  void Append(const EncodedRows& more) {
    copy_text += more.copy_text;
    count += more.count;
  }
};
void AppendRow(EncodedRows& rows, const StagedRow& row);
EncodedRows EncodeRows(const std::vector<StagedRow>& rows);

// Applies rows of the file (in any order: each carries its place in the file): checks what needs
// the database (owners, time zones), marks rows repeating an earlier row of the file, matches live
// leads on phone then email, checks DNC lists, decides each row's outcome by the policies, creates
// and updates leads (the leads triggers write history and audit with change source "import"), and
// keeps every row that did not create a lead in import_rows. The rows stay staged until the
// next call or the end of the transaction, for AddBatchCounts.
//
// Under `update`, `matched` says what becomes of the rows that would update a lead: applied, or
// set aside (for rows applied while the previous batch may still be writing that lead) and
// decided again, with its rows, by the next call in the same transaction; every call applies
// what an earlier one set aside.
enum class MatchedRows { kApply, kSetAside };
Status ApplyRows(db::Transaction& tx, const ImportJob& job, const EncodedRows& rows,
                 MatchedRows matched = MatchedRows::kApply);
// Adds the counts of the rows last applied to the job, with the read checkpoint `bytes_read`
// (the file offset after the batch).
Status AddBatchCounts(db::Transaction& tx, std::string_view job_id, uint64_t bytes_read);
// ApplyRows and AddBatchCounts: one whole batch, applied whole or not at all with the caller's
// transaction.
Status ImportBatch(db::Transaction& tx, const ImportJob& job, const std::vector<StagedRow>& rows,
                   uint64_t bytes_read);
// ANALYZEs leads and import_rows when the planner's statistics no longer describe the job's
// organization (0009, 0010): an import outgrows them faster than autovacuum runs, and a new
// organization or job is estimated at one row, which makes a lookup by phone read every lead
// of the organization. After each batch.
Status RefreshStatistics(db::Transaction& tx, std::string_view job_id);
// The same for the organization's DNC list, which an import reads but never writes: once,
// before the first batch.
Status RefreshDncStatistics(db::Transaction& tx);
Status FinishJob(db::Transaction& tx, std::string_view id, JobStatus status,
                 const std::optional<std::string>& error);
Status DeleteJob(db::Transaction& tx, std::string_view id);

// Soft-deletes the live leads the import created and restores the leads it updated, except
// those that cannot go back (changed since, by version; converted by the import; their old
// phone held by another live lead now), which stay as they are. Returns {deleted, restored,
// kept}.
struct UndoResult {
  int64_t deleted = 0;
  int64_t restored = 0;
  int64_t kept = 0;  // updated leads left as they are
};
Result<UndoResult> Undo(db::Transaction& tx, std::string_view id);

// errors.csv: streams the failed rows (line, raw text, reason) in file order.
Status ForEachFailedRow(
    db::Transaction& tx, std::string_view id,
    const std::function<bool(int64_t line, std::string_view raw, std::string_view error)>& fn);

// What ApplyRows decided for each row it staged last (in file order), read back before the
// transaction ends: a preview applies its rows in a transaction it rolls back, and reports
// these.
struct StagedDecision {
  int64_t seq = 0;
  std::optional<std::string> error;     // the row failed
  std::string outcome;                  // create, update, unchanged, skip_*; empty when failed
  std::optional<int64_t> duplicate_of;  // seq of the row this one repeats
  std::optional<std::string> lead_id;   // the lead the row created, updated or matched
  bool dnc = false;
};
Result<std::vector<StagedDecision>> StagedDecisions(db::Transaction& tx);

// Whether `ref` (a user id or an email) names an active user of the organization.
Result<bool> IsActiveOwner(db::Transaction& tx, std::string_view ref);
// The organization's default phone region; kNotFound when the tenant names no organization.
Result<std::string> OrganizationRegion(db::Transaction& tx);

}  // namespace leadline::imports::repo
