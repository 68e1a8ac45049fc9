#include "imports/batch_writer.h"

#include <chrono>
#include <memory>
#include <utility>

#include <spdlog/spdlog.h>

#include "imports/import_repository.h"

namespace leadline::imports {
namespace {

using BatchResult = BatchWriter::BatchResult;
using PendingBatch = BatchWriter::PendingBatch;

// One batch as it is written: `early` rows may be applied while the previous batch is still
// being written (they cannot repeat it), `late` ones only once it has committed.
struct BatchWork {
  repo::EncodedRows early;
  repo::EncodedRows late;
  uint64_t bytes_read = 0;
  std::optional<std::string> header;  // the file's header row, saved with the first batch
  char delimiter = ',';
};

// Writes one batch in one transaction with the job's counts and read checkpoint. With a
// `previous` batch still being written, the early rows are applied first; then the batch waits
// for the previous one to commit and checks under the job's row lock that nobody else moved
// the job, so batches commit in file order.
Result<BatchResult> WriteBatch(db::Pool& pool, const db::TenantContext& tenant,
                               const ImportJob& job, BatchWork& work,
                               const std::optional<PendingBatch>& previous,
                               const std::atomic<bool>& abandon) {
  Status st;
  for (int attempt = 0; attempt < 3; ++attempt) {
    BatchResult result;
    ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(pool, tenant));
    st = [&]() -> Status {
      const auto started = std::chrono::steady_clock::now();
      // Under `update` a row may match a lead the previous batch is writing, through a key of
      // the lead the row does not share with that batch: such rows wait too.
      const bool set_aside =
          previous && !work.early.empty() && job.options.dedupe == DedupePolicy::kUpdate;
      if (!work.early.empty()) {
        RETURN_IF_ERROR(
            repo::ApplyRows(tx, job, work.early,
                            set_aside ? repo::MatchedRows::kSetAside : repo::MatchedRows::kApply));
      }
      int64_t expected = job.counts.total_rows;
      // The previous batch should end about when this one's early rows are written. Should it
      // be waiting for a lock this transaction holds, neither would ever end: after a while
      // this one lets go and writes all its rows once the previous one has committed.
      if (previous && !work.early.empty() &&
          previous->wait_for(std::chrono::seconds(10) + (std::chrono::steady_clock::now() -
                                                         started)) != std::future_status::ready) {
        spdlog::warn("import {}: a batch waited long for the previous one; writing it alone",
                     job.id);
        return Aborted("the previous batch did not end");
      }
      if (previous) {
        const Result<BatchResult>& before = previous->get();
        if (!before.ok() || before->kind != BatchResult::Kind::kCommitted) return Status::Ok();
        expected = before->job.counts.total_rows;
      }
      if (abandon.load()) return Status::Ok();
      ASSIGN_OR_RETURN(auto locked, repo::LockJobRow(tx, job.id));
      if (!locked) return NotFound("import not found");
      if (locked->counts.total_rows != expected) {
        return Aborted("import " + job.id + " is being run elsewhere");
      }
      if (locked->cancel_requested) {
        result.kind = BatchResult::Kind::kCancelled;
        return Status::Ok();
      }
      if (work.header) RETURN_IF_ERROR(repo::SetHeader(tx, job.id, *work.header, work.delimiter));
      if (!work.early.empty()) RETURN_IF_ERROR(repo::AddBatchCounts(tx, job.id, work.bytes_read));
      if (!work.late.empty() || work.early.empty() || set_aside) {
        RETURN_IF_ERROR(repo::ApplyRows(tx, job, work.late));
        RETURN_IF_ERROR(repo::AddBatchCounts(tx, job.id, work.bytes_read));
      }
      ASSIGN_OR_RETURN(auto fresh, repo::FindJob(tx, job.id));
      if (!fresh) return NotFound("import not found");
      RETURN_IF_ERROR(tx.Commit());
      result.job = std::move(*fresh);
      result.kind = BatchResult::Kind::kCommitted;
      return Status::Ok();
    }();
    if (st.ok()) return result;  // an uncommitted `tx` rolls back here
    // A unique violation means someone took a phone between the match and the write, a
    // deadlock that two writers met on one lead: again, with every row matched after the
    // previous batch committed.
    if (st.code() != StatusCode::kAlreadyExists && st.code() != StatusCode::kAborted) return st;
    if (!work.early.empty()) {
      work.late.Append(work.early);
      work.early = {};
    }
  }
  return st;
}

}  // namespace

BatchWriter::BatchWriter(db::Pool& pool, const db::TenantContext& tenant, ImportJob& job,
                         bool overlap, Hooks hooks)
    : pool_(pool), tenant_(tenant), job_(job), overlap_(overlap), hooks_(std::move(hooks)) {}

// No batch outlives the writer, whichever way its owner returns.
BatchWriter::~BatchWriter() {
  abandon_ = true;
  if (pending_) pending_->wait();
}

Status BatchWriter::Settle(std::optional<PendingBatch>& batch) {
  if (!batch) return Status::Ok();
  Result<BatchResult> r = batch->get();
  batch.reset();
  RETURN_IF_ERROR(r.status());
  if (r->kind == BatchResult::Kind::kCancelled) cancelled_ = true;
  if (r->kind != BatchResult::Kind::kCommitted) return Status::Ok();
  job_ = std::move(r->job);
  RETURN_IF_ERROR(db::RunInTransaction(
      pool_, tenant_, [&](db::Transaction& tx) { return repo::RefreshStatistics(tx, job_.id); }));
  interrupted_ = interrupted_ || (hooks_.stop_requested && hooks_.stop_requested());
  if (hooks_.on_committed) hooks_.on_committed(job_);
  return Status::Ok();
}

Status BatchWriter::Add(const std::vector<StagedRow>& rows, uint64_t bytes_read,
                        const std::string& header, char delimiter, bool& stop) {
  // The first two batches of a run are written one after the other. A batch written beside
  // its predecessor is planned before that one commits, with the statistics refreshed after
  // the batch before; in an organization the planner has not seen yet, only the refresh after
  // the first batch keeps the second one's lookups by phone on leads_phone_key
  // (docs/imports.md).
  const bool beside_previous = overlap_ && batches_started_ >= 2;
  ++batches_started_;
  if (!beside_previous) RETURN_IF_ERROR(Settle(pending_));
  if (cancelled_ || interrupted_) {
    stop = true;
    return Status::Ok();
  }
  auto work = std::make_shared<BatchWork>();
  work->bytes_read = bytes_read;
  work->delimiter = delimiter;
  if (!header_saved_) work->header = header;
  header_saved_ = true;
  const DedupePolicy dedupe = job_.options.dedupe;
  BatchKeys keys;
  if (overlap_) keys = BatchKeys(rows, dedupe);
  // Without a batch beside it (the previous one has committed), no row waits.
  const std::vector<bool> waits =
      RowsThatWait(rows, beside_previous ? pending_keys_ : BatchKeys(), dedupe);
  for (size_t i = 0; i < rows.size(); ++i) {
    repo::AppendRow(waits[i] ? work->late : work->early, rows[i]);
  }
  pending_keys_ = std::move(keys);
  std::optional<PendingBatch> previous = std::exchange(pending_, std::nullopt);
  // The task's state outlives it (in the next batch's `previous`): what it captured is let go
  // of as it runs, or every batch would keep the one before it, rows and all.
  pending_ = std::async(std::launch::async, [this, snapshot = job_, work, previous]() mutable {
               std::shared_ptr<BatchWork> mine = std::move(work);
               std::optional<PendingBatch> before = std::exchange(previous, std::nullopt);
               return WriteBatch(pool_, tenant_, snapshot, *mine, before, abandon_);
             }).share();
  RETURN_IF_ERROR(Settle(previous));
  if (cancelled_ || interrupted_) {
    abandon_ = true;
    RETURN_IF_ERROR(Settle(pending_));  // it may have committed before it saw `abandon_`
    stop = true;
  }
  return Status::Ok();
}

}  // namespace leadline::imports
