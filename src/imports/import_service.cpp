#include "imports/import_service.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <future>
#include <unordered_map>
#include <utility>

#include <spdlog/spdlog.h>

#include "core/uuid.h"
#include "db/transaction.h"
#include "imports/batch_writer.h"
#include "imports/column_mapping.h"

namespace leadline::imports {

namespace {

Status JobNotFound() { return NotFound("import not found"); }

bool Ended(JobStatus s) {
  return s == JobStatus::kCompleted || s == JobStatus::kFailed || s == JobStatus::kCancelled;
}

const char* KindFor(FileFormat f) { return f == FileFormat::kXlsx ? "xlsx" : "csv"; }

// Inserts a file import's job once its default owner (owner_id, a user id or email) is known to
// be an active user of the organization: refused before anything is queued, where every row
// would fail otherwise. Uploads, previews and the CLI go through here. A requested connector
// sync checks its owner in ConnectorService::ReserveSync; a scheduled one runs with the stored
// options and its rows say why they fail (docs/connectors.md).
Result<ImportJob> InsertCheckedJob(db::Transaction& tx, const ImportJob& job) {
  if (job.options.owner_id) {
    ASSIGN_OR_RETURN(bool active, repo::IsActiveOwner(tx, *job.options.owner_id));
    if (!active) {
      return ValidationFailed("invalid import options")
          .AddFieldError("owner_id", "must be an active user of the organization (id or email)");
    }
  }
  return repo::InsertJob(tx, job);
}

// Opens the file and resolves its header: what both a preview and a job start from.
struct OpenedFile {
  std::unique_ptr<RecordReader> reader;
  Record header;
  std::vector<ColumnTarget> columns;
};

Result<OpenedFile> OpenWithHeader(const std::string& path, const ImportOptions& options) {
  OpenedFile f;
  ReaderOptions ro;
  ro.format = options.format;
  ro.delimiter = options.delimiter;
  ASSIGN_OR_RETURN(f.reader, OpenRecordReader(path, ro));
  ASSIGN_OR_RETURN(bool has_header, f.reader->Next(f.header));
  if (!has_header) {
    return Status(StatusCode::kValidationFailed, "the file is empty")
        .AddFieldError("file", "the file has no header row");
  }
  if (!f.header.error.empty()) {
    return Status(StatusCode::kValidationFailed, "the header row cannot be read")
        .AddFieldError("file", "header row: " + f.header.error);
  }
  ASSIGN_OR_RETURN(f.columns, ResolveMapping(f.header.fields, options));
  bool contact = false;
  for (const auto& c : f.columns) contact = contact || c.field == "phone" || c.field == "email";
  if (!contact) {
    return Status(StatusCode::kValidationFailed, "no column holds a phone or an email")
        .AddFieldError("mapping",
                       "no column maps to phone or email; name one in the mapping (headers: " +
                           f.header.raw + ")");
  }
  return f;
}

FileFormat FormatOf(const RecordReader& reader, const ImportOptions& options,
                    const std::string& path) {
  if (options.format) return *options.format;
  // The reader detected it; the kind records it.
  std::FILE* f = std::fopen(path.c_str(), "rb");
  char sig[4] = {};
  if (f != nullptr) {
    size_t n = std::fread(sig, 1, 4, f);
    std::fclose(f);
    if (n == 4 && sig[0] == 'P' && sig[1] == 'K' && sig[2] == 3 && sig[3] == 4) {
      return FileFormat::kXlsx;
    }
  }
  (void)reader;
  return FileFormat::kCsv;
}

int64_t FileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

}  // namespace

ImportService::ImportService(db::Pool& pool, ImportServiceOptions options)
    : pool_(pool), options_(std::move(options)) {
  if (!options_.spool_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options_.spool_dir, ec);
  }
}

ImportService::~ImportService() { Stop(); }

void ImportService::RegisterFetcher(std::string kind, std::shared_ptr<SourceFetcher> fetcher) {
  fetchers_[std::move(kind)] = std::move(fetcher);
}

void ImportService::Start() {
  std::lock_guard lock(mu_);
  if (worker_.joinable()) return;
  stopping_ = false;
  worker_ = std::thread([this] { WorkerLoop(); });
}

void ImportService::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

bool ImportService::StopRequested() {
  std::lock_guard lock(mu_);
  return stopping_;
}

void ImportService::WorkerLoop() {
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    bool ran = false;
    auto conn = pool_.Acquire();
    if (conn.ok()) {
      auto claim = repo::ClaimJob(**conn, std::nullopt);
      if (claim.ok() && *claim) {
        ran = true;
        Status st = RunJob(**claim, nullptr);
        if (!st.ok()) spdlog::warn("import {}: {}", (*claim)->job_id, st.ToString());
        Status released = repo::ReleaseJob(**conn, (*claim)->job_id, (*claim)->organization_id);
        if (!released.ok())
          spdlog::warn("import {}: release: {}", (*claim)->job_id, released.ToString());
      } else if (!claim.ok()) {
        spdlog::warn("import worker: {}", claim.status().ToString());
      }
    }
    if (ran) continue;  // there may be more
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, options_.poll_interval, [this] { return stopping_; });
  }
}

Status ImportService::RunJob(const repo::Claim& claim, const ProgressFn& progress) {
  db::TenantContext tenant{claim.organization_id, claim.created_by.value_or(""), "", "", "import"};
  std::optional<ImportJob> job;
  RETURN_IF_ERROR(db::RunInTransaction(pool_, tenant, [&](db::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(job, repo::FindJob(tx, claim.job_id));
    return Status::Ok();
  }));
  if (!job) return JobNotFound();
  if (Ended(job->status)) return Status::Ok();
  Status st = RunPhases(tenant, *job, progress);
  if (st.ok()) return st;
  if (st.code() == StatusCode::kUnavailable || st.code() == StatusCode::kAborted) {
    // The database went away, or another worker holds the job: it stays running and is
    // resumed by whoever claims it next.
    return st;
  }
  // Anything else ends the job as failed, with the counts of what was committed.
  spdlog::error("import {} failed: {}", job->id, st.ToString());
  std::string reason = st.code() == StatusCode::kInternal ? "internal error" : st.message();
  for (const auto& fe : st.field_errors()) reason += "; " + fe.field + ": " + fe.message;
  RETURN_IF_ERROR(db::RunInTransaction(pool_, tenant, [&](db::Transaction& tx) {
    return repo::FinishJob(tx, job->id, JobStatus::kFailed, reason);
  }));
  RemoveSpooledFile(*job);
  return Status::Ok();
}

Status ImportService::RunPhases(const db::TenantContext& tenant, ImportJob& job,
                                const ProgressFn& progress) {
  if (job.phase == "fetch") RETURN_IF_ERROR(FetchPhase(tenant, job));
  if (job.phase == "read") RETURN_IF_ERROR(LoadPhase(tenant, job, progress));
  return Status::Ok();
}

Status ImportService::FetchPhase(const db::TenantContext& tenant, ImportJob& job) {
  auto it = fetchers_.find(job.kind);
  if (it == fetchers_.end()) return InvalidArgument("no connector for " + job.kind);
  const std::string path = options_.spool_dir + "/" + job.id + ".csv";
  FetchContext ctx{pool_, tenant, job, [&](int64_t) {
                     // Cancelled while fetching?
                     bool cancelled = false;
                     Status st = db::RunInTransaction(pool_, tenant, [&](db::Transaction& tx) {
                       ASSIGN_OR_RETURN(auto fresh, repo::FindJob(tx, job.id));
                       cancelled = fresh && fresh->cancel_requested;
                       return Status::Ok();
                     });
                     return st.ok() && !cancelled;
                   }};
  auto fetched = it->second->Fetch(ctx, path);
  if (!fetched.ok()) {
    bool cancelled = false;
    RETURN_IF_ERROR(db::RunInTransaction(pool_, tenant, [&](db::Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(auto fresh, repo::LockJobRow(tx, job.id));
      cancelled = fresh && fresh->cancel_requested;
      if (!cancelled) return Status::Ok();
      return repo::FinishJob(tx, job.id, JobStatus::kCancelled, std::nullopt);
    }));
    if (cancelled) {
      ::unlink(path.c_str());
      job.status = JobStatus::kCancelled;
      job.phase = "done";
      return Status::Ok();
    }
  }
  if (!fetched.ok()) {
    ::unlink(path.c_str());
    return fetched.status();
  }
  job.file_path = path;
  job.file_bytes = FileSize(path);
  job.source_cursor = fetched->source_cursor;
  RETURN_IF_ERROR(db::RunInTransaction(pool_, tenant, [&](db::Transaction& tx) {
    return repo::SetFile(tx, job.id, path, job.file_bytes, fetched->source_cursor);
  }));
  job.phase = "read";
  return Status::Ok();
}

// Reads the job's file from its checkpoint (the first total_rows records were done by an
// earlier run) and hands each batch to `apply` with the file offset after it, until the file
// ends or `apply` says stop. The next batch is read and mapped on a second thread while
// `apply` writes the current one: parsing and validating a row (~25 µs) then costs nothing
// beside the database's ~150 µs of writing it, on a machine with a core to spare.
Status ImportService::ReadBatches(const db::TenantContext& tenant, const ImportJob& job,
                                  const BatchFn& apply) {
  auto opened = OpenWithHeader(job.file_path, job.options);
  if (!opened.ok()) return opened.status();
  std::string region;
  RETURN_IF_ERROR(db::RunInTransaction(pool_, tenant, [&](db::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(region, repo::OrganizationRegion(tx));
    return Status::Ok();
  }));
  RowMapper mapper(opened->columns, job.options, region);
  RecordReader& reader = *opened->reader;

  Record record;
  int64_t seq = 0;
  while (seq < job.counts.total_rows) {
    ASSIGN_OR_RETURN(bool more, reader.Next(record));
    if (!more) break;
    ++seq;
  }
  struct Batch {
    std::vector<StagedRow> rows;
    uint64_t bytes_read = 0;
    bool last = false;
  };
  const size_t batch_rows = static_cast<size_t>(options_.batch_rows);
  // Fills `batch` with up to batch_rows mapped rows. Only one thread runs it at a time: the
  // future's get() orders each read before the next.
  auto read = [&](Batch& batch) -> Status {
    batch.rows.resize(batch_rows);
    size_t n = 0;
    while (n < batch_rows) {
      ASSIGN_OR_RETURN(bool more, reader.Next(record));
      if (!more) {
        batch.last = true;
        break;
      }
      StagedRow& row = batch.rows[n++];
      mapper.Map(record, row);
      row.seq = ++seq;
    }
    batch.rows.resize(n);
    batch.bytes_read = reader.bytes_read();
    return Status::Ok();
  };

  const char delimiter = reader.delimiter();  // known once the header is read
  Batch current, next;
  RETURN_IF_ERROR(read(current));
  while (true) {
    std::future<Status> reading;
    if (!current.last) reading = std::async(std::launch::async, read, std::ref(next));
    bool stop = false;
    Status applied = apply(current.rows, current.bytes_read, opened->header.raw, delimiter, stop);
    Status read_status = reading.valid() ? reading.get() : Status::Ok();
    RETURN_IF_ERROR(applied);
    if (stop || current.last) return Status::Ok();
    RETURN_IF_ERROR(read_status);
    std::swap(current, next);
    next = Batch{};
  }
}

// Batches are written one after the other, each in its own transaction; with
// overlap_batches, the next one starts while the previous one is being written (BatchWriter).
Status ImportService::LoadPhase(const db::TenantContext& tenant, ImportJob& job,
                                const ProgressFn& progress) {
  // The statistics are refreshed after every batch, and also before the first one: a run
  // resuming a job may follow one killed between a batch's commit and its refresh, and its
  // first batch would be planned with the organization at one row (20,000 rows, a lookup
  // through every lead of the organization each: a minute under the sanitizers).
  RETURN_IF_ERROR(db::RunInTransaction(pool_, tenant, [&](db::Transaction& tx) {
    RETURN_IF_ERROR(repo::RefreshDncStatistics(tx));
    return repo::RefreshStatistics(tx, job.id);
  }));
  BatchWriter writer(pool_, tenant, job, options_.overlap_batches,
                     {[this] { return StopRequested(); }, progress});
  Status read = ReadBatches(tenant, job,
                            [&](const std::vector<StagedRow>& rows, uint64_t bytes_read,
                                const std::string& header, char delimiter, bool& stop) {
                              return writer.Add(rows, bytes_read, header, delimiter, stop);
                            });
  Status last = writer.Finish();
  RETURN_IF_ERROR(read);
  RETURN_IF_ERROR(last);
  const bool cancelled = writer.cancelled();
  if (writer.interrupted() && !cancelled) {
    spdlog::info("import {}: stopped by shutdown after {} rows; it resumes on the next start",
                 job.id, job.counts.total_rows);
    return Status(StatusCode::kUnavailable, "stopped by shutdown");
  }
  if (cancelled) {
    RETURN_IF_ERROR(db::RunInTransaction(pool_, tenant, [&](db::Transaction& tx) {
      return repo::FinishJob(tx, job.id, JobStatus::kCancelled, std::nullopt);
    }));
    job.status = JobStatus::kCancelled;
    job.phase = "done";
    RemoveSpooledFile(job);
    return Status::Ok();
  }
  RETURN_IF_ERROR(db::RunInTransaction(pool_, tenant, [&](db::Transaction& tx) -> Status {
    RETURN_IF_ERROR(repo::FinishJob(tx, job.id, JobStatus::kCompleted, std::nullopt));
    ASSIGN_OR_RETURN(auto fresh, repo::FindJob(tx, job.id));
    if (fresh) job = std::move(*fresh);
    return Status::Ok();
  }));
  RemoveSpooledFile(job);
  if (progress) progress(job);
  return Status::Ok();
}

void ImportService::RemoveSpooledFile(const ImportJob& job) const {
  // Only files this service owns: a CLI import reads the user's file in place.
  if (job.file_path.empty() || options_.spool_dir.empty()) return;
  if (job.file_path.rfind(options_.spool_dir + "/", 0) != 0) return;
  ::unlink(job.file_path.c_str());
}

Result<ImportJob> ImportService::CreateUploadJob(const auth::Principal& p,
                                                 const std::string& upload_path,
                                                 std::string filename, ImportOptions options) {
  if (options_.spool_dir.empty()) return Unavailable("imports are not enabled on this server");
  // Refuse what cannot be read before queueing anything: a bad file is the client's 422.
  ASSIGN_OR_RETURN(OpenedFile opened, OpenWithHeader(upload_path, options));
  const FileFormat format = FormatOf(*opened.reader, options, upload_path);
  opened.reader.reset();

  ImportJob job;
  job.id = NewUuid();
  job.kind = KindFor(format);
  job.filename = filename.empty() ? std::string("upload.") + job.kind : std::move(filename);
  job.options = std::move(options);
  job.file_path = options_.spool_dir + "/" + job.id + "." + job.kind;
  job.file_bytes = FileSize(upload_path);
  if (std::rename(upload_path.c_str(), job.file_path.c_str()) != 0) {
    return Internal("cannot move the upload into " + options_.spool_dir);
  }
  std::optional<ImportJob> created;
  Status st = db::RunInTransaction(pool_, p.Tenant("import"), [&](db::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(created, InsertCheckedJob(tx, job));
    return Status::Ok();
  });
  if (!st.ok()) {
    ::unlink(job.file_path.c_str());
    return st;
  }
  wake_.notify_all();
  return std::move(*created);
}

Result<ImportJob> ImportService::CreateFetchJob(const auth::Principal& p, std::string kind,
                                                std::string connector_id, std::string display_name,
                                                ImportOptions options,
                                                const BeforeInsert& before_insert) {
  if (fetchers_.find(kind) == fetchers_.end()) {
    return InvalidArgument("no connector for " + kind);
  }
  ImportJob job;
  job.id = NewUuid();
  job.kind = std::move(kind);
  job.filename = std::move(display_name);
  job.connector_id = std::move(connector_id);
  job.options = std::move(options);
  job.phase = "fetch";
  std::optional<ImportJob> created;
  RETURN_IF_ERROR(
      db::RunInTransaction(pool_, p.Tenant("import"), [&](db::Transaction& tx) -> Status {
        if (before_insert) RETURN_IF_ERROR(before_insert(tx));
        ASSIGN_OR_RETURN(created, repo::InsertJob(tx, job));
        return Status::Ok();
      }));
  wake_.notify_all();
  return std::move(*created);
}

Result<ImportJob> ImportService::Get(const auth::Principal& p, std::string_view id) {
  if (!IsUuid(id)) return JobNotFound();
  std::optional<ImportJob> job;
  RETURN_IF_ERROR(db::RunInTransaction(pool_, p.Tenant(), [&](db::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(job, repo::FindJob(tx, CanonicalUuid(id)));
    return Status::Ok();
  }));
  if (!job) return JobNotFound();
  return std::move(*job);
}

Result<ImportService::JobPage> ImportService::List(const auth::Principal& p, int limit,
                                                   std::optional<std::string> cursor) {
  std::optional<std::pair<std::string, std::string>> after;
  if (cursor) {
    size_t bar = cursor->find('|');
    if (bar == std::string::npos || !IsUuid(std::string_view(*cursor).substr(bar + 1))) {
      return Status(StatusCode::kInvalidArgument, "invalid cursor")
          .AddFieldError("cursor", "malformed");
    }
    after.emplace(cursor->substr(0, bar), cursor->substr(bar + 1));
  }
  JobPage page;
  RETURN_IF_ERROR(db::RunInTransaction(pool_, p.Tenant(), [&](db::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(page.items, repo::ListJobs(tx, limit + 1, after));
    return Status::Ok();
  }));
  if (static_cast<int>(page.items.size()) > limit) {
    page.items.resize(static_cast<size_t>(limit));
    const ImportJob& last = page.items.back();
    page.next_cursor = last.created_at_micro + "|" + last.id;
  }
  return page;
}

Result<ImportJob> ImportService::Cancel(const auth::Principal& p, std::string_view id) {
  if (!IsUuid(id)) return JobNotFound();
  std::optional<ImportJob> job;
  RETURN_IF_ERROR(db::RunInTransaction(pool_, p.Tenant(), [&](db::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(job, repo::LockJobRow(tx, CanonicalUuid(id)));
    if (!job) return JobNotFound();
    if (Ended(job->status)) {
      return Conflict(std::string("the import already ended (") + JobStatusName(job->status) + ")");
    }
    if (job->status == JobStatus::kQueued) {
      RETURN_IF_ERROR(repo::FinishJob(tx, job->id, JobStatus::kCancelled, std::nullopt));
    } else {
      RETURN_IF_ERROR(repo::SetCancelRequested(tx, job->id));
    }
    ASSIGN_OR_RETURN(job, repo::FindJob(tx, job->id));
    return Status::Ok();
  }));
  if (job->status == JobStatus::kCancelled) RemoveSpooledFile(*job);
  return std::move(*job);
}

Result<UndoOutcome> ImportService::Undo(const auth::Principal& p, std::string_view id) {
  if (!IsUuid(id)) return JobNotFound();
  UndoOutcome out;
  RETURN_IF_ERROR(
      db::RunInTransaction(pool_, p.Tenant("import"), [&](db::Transaction& tx) -> Status {
        ASSIGN_OR_RETURN(auto job, repo::LockJobRow(tx, CanonicalUuid(id)));
        if (!job) return JobNotFound();
        if (!Ended(job->status)) {
          return Conflict(job->status == JobStatus::kQueued
                              ? "the import has not started yet; cancel it first"
                              : "the import is still running; cancel it first");
        }
        if (job->undone_at) return Conflict("the import was already undone");
        ASSIGN_OR_RETURN(out.result, repo::Undo(tx, job->id));
        ASSIGN_OR_RETURN(auto fresh, repo::FindJob(tx, job->id));
        out.job = std::move(*fresh);
        return Status::Ok();
      }));
  return out;
}

// The rows are applied exactly as a job applies a batch, in a transaction that is rolled
// back: the preview reports the decisions the job would make, from the same SQL.
Result<Preview> ImportService::PreviewFile(const auth::Principal& p, const std::string& path,
                                           const ImportOptions& options) {
  ASSIGN_OR_RETURN(OpenedFile opened, OpenWithHeader(path, options));
  Preview preview;
  const FileFormat format = FormatOf(*opened.reader, options, path);
  preview.format = format;
  preview.delimiter = opened.reader->delimiter();
  preview.columns = opened.columns;
  ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(pool_, p.Tenant("import")));
  ASSIGN_OR_RETURN(std::string region, repo::OrganizationRegion(tx));
  RowMapper mapper(opened.columns, options, region);
  Record record;
  std::vector<StagedRow> rows;
  while (static_cast<int>(rows.size()) < options_.max_preview_rows) {
    ASSIGN_OR_RETURN(bool more, opened.reader->Next(record));
    if (!more) break;
    StagedRow row;
    mapper.Map(record, row);
    row.seq = static_cast<int64_t>(rows.size()) + 1;
    rows.push_back(std::move(row));
  }
  ImportJob job;
  job.id = NewUuid();
  job.kind = KindFor(format);
  job.status = JobStatus::kRunning;
  job.filename = "preview";
  job.options = options;
  ASSIGN_OR_RETURN(job, InsertCheckedJob(tx, job));
  RETURN_IF_ERROR(repo::ApplyRows(tx, job, repo::EncodeRows(rows)));
  ASSIGN_OR_RETURN(std::vector<repo::StagedDecision> decisions, repo::StagedDecisions(tx));
  for (repo::StagedDecision& d : decisions) {
    PreviewRow pr;
    if (d.duplicate_of) pr.duplicate_of_line = rows[*d.duplicate_of - 1].line;
    pr.row = std::move(rows[d.seq - 1]);
    if (d.error) {
      pr.row.error = std::move(d.error);
      pr.outcome = "failed";
    } else {
      pr.outcome = std::move(d.outcome);
      pr.dnc = d.dnc;
      if (pr.outcome != "create") pr.existing_id = std::move(d.lead_id);
    }
    preview.rows.push_back(std::move(pr));
  }
  return preview;  // `tx` rolls back
}

Status ImportService::ForEachFailedRow(
    const auth::Principal& p, std::string_view id,
    const std::function<bool(int64_t line, std::string_view raw, std::string_view error)>& fn) {
  if (!IsUuid(id)) return JobNotFound();
  ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(pool_, p.Tenant()));
  ASSIGN_OR_RETURN(auto job, repo::FindJob(tx, CanonicalUuid(id)));
  if (!job) return JobNotFound();
  RETURN_IF_ERROR(repo::ForEachFailedRow(tx, job->id, fn));
  return tx.Commit();
}

Result<std::string> ImportService::HeaderLine(const auth::Principal& p, std::string_view id) {
  if (!IsUuid(id)) return JobNotFound();
  std::optional<std::string> header;
  bool found = false;
  RETURN_IF_ERROR(db::RunInTransaction(pool_, p.Tenant(), [&](db::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(auto job, repo::FindJob(tx, CanonicalUuid(id)));
    found = job.has_value();
    if (found) {
      ASSIGN_OR_RETURN(header, repo::Header(tx, job->id));
    }
    return Status::Ok();
  }));
  if (!found) return JobNotFound();
  return header.value_or("");
}

Result<ImportJob> ImportService::RunFile(const db::TenantContext& tenant, const std::string& path,
                                         ImportOptions options, bool dry_run,
                                         const ProgressFn& progress) {
  std::error_code ec;
  std::string absolute = std::filesystem::absolute(path, ec).string();
  if (ec) absolute = path;
  ASSIGN_OR_RETURN(OpenedFile opened, OpenWithHeader(absolute, options));
  const FileFormat format = FormatOf(*opened.reader, options, absolute);
  opened.reader.reset();

  // An organization id that names none is the caller's mistake, not a failed job.
  RETURN_IF_ERROR(db::RunInTransaction(pool_, tenant, [&](db::Transaction& tx) -> Status {
    return repo::OrganizationRegion(tx).status();
  }));

  ImportJob job;
  job.id = NewUuid();
  job.kind = KindFor(format);
  job.status = JobStatus::kRunning;
  job.filename = std::filesystem::path(absolute).filename().string();
  job.options = std::move(options);
  job.file_path = absolute;
  job.file_bytes = FileSize(absolute);

  if (dry_run) return DryRun(tenant, std::move(job), progress);

  // Hold the job's lock before it exists, so no server's worker picks it up, and the
  // organization's, so no other import of it runs meanwhile (0015): waited for.
  ASSIGN_OR_RETURN(db::PooledConnection lock, pool_.Acquire());
  RETURN_IF_ERROR(repo::LockJobKey(*lock, job.id));
  Result<bool> locked = repo::TryLockOrganization(*lock, tenant.organization_id);
  Status st = locked.status();
  if (locked.ok() && !*locked) {
    spdlog::info("waiting for the organization's running import to finish (one at a time)");
    st = repo::LockOrganization(*lock, tenant.organization_id);
  }
  if (!st.ok()) {
    (void)repo::ReleaseJob(*lock, job.id, tenant.organization_id);
    return st;
  }
  std::optional<ImportJob> created;
  st = db::RunInTransaction(pool_, tenant, [&](db::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(created, InsertCheckedJob(tx, job));
    return Status::Ok();
  });
  ImportJob running;
  if (st.ok()) {
    running = *created;
    st = RunPhases(tenant, running, progress);
    if (!st.ok() && st.code() != StatusCode::kUnavailable) {
      std::string reason = st.code() == StatusCode::kInternal ? "internal error" : st.message();
      (void)db::RunInTransaction(pool_, tenant, [&](db::Transaction& tx) {
        return repo::FinishJob(tx, running.id, JobStatus::kFailed, reason);
      });
    }
  }
  (void)repo::ReleaseJob(*lock, job.id, tenant.organization_id);
  RETURN_IF_ERROR(st);
  return running;
}

// The whole import in one transaction that is rolled back: every row meets exactly the
// decisions a real run would make (including repeats across batches), and nothing is left.
// Meanwhile the rows' phones are held by the uncommitted inserts, so a concurrent create of
// the same number waits for the dry run to end.
Result<ImportJob> ImportService::DryRun(const db::TenantContext& tenant, ImportJob job,
                                        const ProgressFn& progress) {
  ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(pool_, tenant));
  ASSIGN_OR_RETURN(ImportJob running, InsertCheckedJob(tx, job));
  RETURN_IF_ERROR(repo::RefreshDncStatistics(tx));
  RETURN_IF_ERROR(ReadBatches(tenant, running,
                              [&](const std::vector<StagedRow>& rows, uint64_t bytes_read,
                                  const std::string&, char, bool&) -> Status {
                                RETURN_IF_ERROR(repo::ImportBatch(tx, running, rows, bytes_read));
                                // Its ANALYZE sees the transaction's own rows.
                                RETURN_IF_ERROR(repo::RefreshStatistics(tx, running.id));
                                ASSIGN_OR_RETURN(auto fresh, repo::FindJob(tx, running.id));
                                if (fresh) running = std::move(*fresh);
                                if (progress) progress(running);
                                return Status::Ok();
                              }));
  running.status = JobStatus::kCompleted;
  running.phase = "done";
  return running;  // `tx` rolls back
}

}  // namespace leadline::imports
