// Writes an import's batches in file order, each in its own transaction together with the
// job's counts and read checkpoint, so a job killed at any point resumes after its last
// committed batch. With overlap, the next batch starts on a second connection while the
// previous one is being written, for the rows that cannot repeat it (batch_dependencies.h):
// PostgreSQL then works on two batches at once, one core each. See docs/imports.md ("Two
// batches at once").
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "db/pool.h"
#include "db/transaction.h"
#include "imports/batch_dependencies.h"
#include "imports/import_job.h"
#include "imports/row_mapper.h"

namespace leadline::imports {

class BatchWriter {
 public:
  struct Hooks {
    std::function<bool()> stop_requested;                // the server is stopping
    std::function<void(const ImportJob&)> on_committed;  // after each batch (may be empty)
  };

  // `job` is kept up to date with every batch committed; it must outlive the writer.
  BatchWriter(db::Pool& pool, const db::TenantContext& tenant, ImportJob& job, bool overlap,
              Hooks hooks);
  ~BatchWriter();  // waits for the batch being written (told to let go if it has not begun)
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  // Hands over the next batch (`bytes_read`: the file offset after it; `header` and
  // `delimiter` are saved with the first batch) and returns once it is under way, or written
  // when it cannot go beside its predecessor. Sets `stop` once the job was cancelled or the
  // server is stopping: later batches must not come.
  Status Add(const std::vector<StagedRow>& rows, uint64_t bytes_read, const std::string& header,
             char delimiter, bool& stop);
  // Waits for the last batch.
  Status Finish() { return Settle(pending_); }

  bool cancelled() const { return cancelled_; }
  bool interrupted() const { return interrupted_; }  // by the server stopping

  struct BatchResult {
    enum class Kind {
      kCommitted,  // `job` is the job after the batch
      kCancelled,  // the job was cancelled: nothing written
      kAbandoned,  // the previous batch did not commit, or the writer let go: nothing written
    };
    Kind kind = Kind::kAbandoned;
    ImportJob job;
  };
  using PendingBatch = std::shared_future<Result<BatchResult>>;

 private:
  // Waits for `batch` (if any) and takes in what it did.
  Status Settle(std::optional<PendingBatch>& batch);

  db::Pool& pool_;
  const db::TenantContext& tenant_;
  ImportJob& job_;
  const bool overlap_;
  Hooks hooks_;
  bool cancelled_ = false;
  bool interrupted_ = false;
  bool header_saved_ = false;
  int64_t batches_started_ = 0;
  std::atomic<bool> abandon_{false};
  std::optional<PendingBatch> pending_;  // the batch being written
  BatchKeys pending_keys_;               // its rows' phones and emails
};

}  // namespace leadline::imports
