// Imports as a service: jobs are created by requests (uploads, connector syncs) or the CLI,
// run by a worker thread (or the CLI's own thread), and read, cancelled and undone through
// here. Thread-safe. See docs/imports.md for the rules.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "auth/principal.h"
#include "core/status.h"
#include "db/pool.h"
#include "imports/import_job.h"
#include "imports/import_repository.h"
#include "imports/row_mapper.h"
#include "imports/source_fetcher.h"

namespace leadline::imports {

struct ImportServiceOptions {
  // Uploads and fetched files are kept here until their job ends. Must be on the file system
  // the HTTP server spools uploads to (the upload is renamed, not copied).
  std::string spool_dir;
  // Rows read and applied per transaction: a killed job redoes at most this many.
  int64_t batch_rows = 20000;
  // Write a batch's rows that cannot repeat the previous batch's while that one is still being
  // written, on a second connection (docs/imports.md, "How an import runs").
  bool overlap_batches = true;
  std::chrono::milliseconds poll_interval{1000};
  int max_preview_rows = 20;
};

// What a preview says about one row.
struct PreviewRow {
  StagedRow row;
  std::string outcome;  // create, update, skip_duplicate, skip_in_file, skip_dnc, failed
  std::optional<std::string> existing_id;
  std::optional<int64_t> duplicate_of_line;
  bool dnc = false;
};

struct Preview {
  FileFormat format = FileFormat::kCsv;
  char delimiter = ',';
  std::vector<ColumnTarget> columns;
  std::vector<PreviewRow> rows;
};

struct UndoOutcome {
  ImportJob job;
  repo::UndoResult result;
};

// Called after every committed batch or chunk with the job's current state.
using ProgressFn = std::function<void(const ImportJob&)>;

class ImportService {
 public:
  ImportService(db::Pool& pool, ImportServiceOptions options);
  ~ImportService();  // stops the worker
  ImportService(const ImportService&) = delete;
  ImportService& operator=(const ImportService&) = delete;

  // Jobs of `kind` get their file from `fetcher`. Call before Start().
  void RegisterFetcher(std::string kind, std::shared_ptr<SourceFetcher> fetcher);
  // Starts the worker thread, which runs queued jobs and resumes interrupted ones.
  void Start();
  void Stop();

  // Queues an import of the file at `upload_path` (moved into the spool directory).
  // kValidationFailed when the file cannot be read as CSV/XLSX, no column maps to a phone or
  // an email, or the default owner (owner_id) is no active user of the organization.
  Result<ImportJob> CreateUploadJob(const auth::Principal& p, const std::string& upload_path,
                                    std::string filename, ImportOptions options);
  // Queues a job whose file comes from the fetcher registered for `kind`. `before_insert`,
  // when given, runs first in the transaction that inserts the job (the source's own checks
  // and locks, the owner of a requested sync among them); an error from it is returned and
  // nothing is queued.
  using BeforeInsert = std::function<Status(db::Transaction&)>;
  Result<ImportJob> CreateFetchJob(const auth::Principal& p, std::string kind,
                                   std::string connector_id, std::string display_name,
                                   ImportOptions options, const BeforeInsert& before_insert = {});

  Result<ImportJob> Get(const auth::Principal& p, std::string_view id);
  struct JobPage {
    std::vector<ImportJob> items;
    std::optional<std::string> next_cursor;
  };
  Result<JobPage> List(const auth::Principal& p, int limit, std::optional<std::string> cursor);
  // Asks the job to stop at its next checkpoint; a queued job is cancelled at once.
  // kConflict when it already ended.
  Result<ImportJob> Cancel(const auth::Principal& p, std::string_view id);
  // kConflict unless the job ended (completed, failed or cancelled) and was not undone.
  Result<UndoOutcome> Undo(const auth::Principal& p, std::string_view id);
  // The first rows of a file as they would be imported; writes nothing.
  Result<Preview> PreviewFile(const auth::Principal& p, const std::string& path,
                              const ImportOptions& options);
  // Failed rows in file order, for errors.csv. `fn` returns false to stop.
  Status ForEachFailedRow(
      const auth::Principal& p, std::string_view id,
      const std::function<bool(int64_t line, std::string_view raw, std::string_view error)>& fn);
  // errors.csv's header: the file's header row as written.
  Result<std::string> HeaderLine(const auth::Principal& p, std::string_view id);

  // The CLI: imports `path` for `tenant` in the calling thread; `dry_run` runs the whole import
  // in one transaction and rolls it back, leaving no trace. Returns the finished job.
  Result<ImportJob> RunFile(const db::TenantContext& tenant, const std::string& path,
                            ImportOptions options, bool dry_run, const ProgressFn& progress);

 private:
  void WorkerLoop();
  bool StopRequested();
  // Runs a job held by `claim` until it ends or is interrupted.
  Status RunJob(const repo::Claim& claim, const ProgressFn& progress);
  Status RunPhases(const db::TenantContext& tenant, ImportJob& job, const ProgressFn& progress);
  // One batch of mapped rows, the file offset after them, the file's header row as written
  // and its delimiter; setting `stop` ends the reading.
  using BatchFn = std::function<Status(const std::vector<StagedRow>& rows, uint64_t bytes_read,
                                       const std::string& header, char delimiter, bool& stop)>;
  Status ReadBatches(const db::TenantContext& tenant, const ImportJob& job, const BatchFn& apply);
  Status LoadPhase(const db::TenantContext& tenant, ImportJob& job, const ProgressFn& progress);
  Result<ImportJob> DryRun(const db::TenantContext& tenant, ImportJob job,
                           const ProgressFn& progress);
  Status FetchPhase(const db::TenantContext& tenant, ImportJob& job);
  void RemoveSpooledFile(const ImportJob& job) const;

  db::Pool& pool_;
  ImportServiceOptions options_;
  std::map<std::string, std::shared_ptr<SourceFetcher>> fetchers_;  // fixed after Start
  std::mutex mu_;
  std::condition_variable wake_;  // a job was queued, or Stop
  bool stopping_ = false;         // GUARDED_BY(mu_)
  std::thread worker_;
};

}  // namespace leadline::imports
