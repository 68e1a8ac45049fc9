// Jobs that do not start from an uploaded file (external CRM connectors) get their input from
// a SourceFetcher: before the rows are read, the worker asks it to write the records as a CSV
// file whose header row names import targets ("first_name", "email", "metadata.hubspot_id",
// ...; see column_mapping.h). From there on the job is an ordinary CSV import: same mapping,
// validation, deduplication, DNC flagging, counts, errors.csv and undo.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/status.h"
#include "db/pool.h"
#include "db/transaction.h"
#include "imports/import_job.h"

namespace leadline::imports {

struct FetchContext {
  db::Pool& pool;
  const db::TenantContext& tenant;  // the job's organization and creator
  const ImportJob& job;             // job.kind names the fetcher; job.connector_id is set
  // Called after each page with the records written so far; false = the job was cancelled:
  // stop and return any error (the job then ends as cancelled, not failed).
  std::function<bool(int64_t records)> progress;
};

struct FetchResult {
  int64_t records = 0;
  // Stored on the job; the connector's next incremental run starts from the cursor of its
  // latest completed job (e.g. the time this fetch started, RFC 3339).
  std::optional<std::string> source_cursor;
};

class SourceFetcher {
 public:
  virtual ~SourceFetcher() = default;
  // Writes the records to `out_csv_path` (created or truncated). Errors fail the job with the
  // status's message, which must be fit for the user (no credentials in it).
  virtual Result<FetchResult> Fetch(const FetchContext& ctx, const std::string& out_csv_path) = 0;
};

}  // namespace leadline::imports
