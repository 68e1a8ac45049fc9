// The import job: what a client asked to import, how, and how far it got. Jobs are rows of
// `import_jobs` (migration 0005) run by the worker; see docs/imports.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "imports/record_reader.h"

namespace leadline::imports {

enum class JobStatus { kQueued, kRunning, kCompleted, kFailed, kCancelled };
// What happens to a row whose phone or email matches a live lead (or an earlier row).
enum class DedupePolicy { kSkip, kUpdate, kCreate };
// kUpdate only: fill the lead's empty fields, or overwrite with every non-empty cell.
enum class UpdateMode { kFill, kOverwrite };
// A row whose phone is on a DNC list: import it flagged, or skip it.
enum class DncPolicy { kFlag, kSkip };

struct ImportOptions {
  DedupePolicy dedupe = DedupePolicy::kSkip;
  UpdateMode update_mode = UpdateMode::kFill;
  DncPolicy dnc = DncPolicy::kFlag;
  std::optional<std::string> source;        // for rows without one
  std::vector<std::string> tags;            // added to every imported lead
  std::optional<std::string> owner_id;      // assigned_to for rows without one
  std::optional<std::string> mapping_json;  // explicit header -> field mapping
  bool unknown_to_metadata = true;          // unmapped columns go to metadata
  std::optional<char> delimiter;            // CSV; nullopt = detect
  std::optional<FileFormat> format;         // nullopt = detect
};

struct ImportCounts {
  int64_t total_rows = 0;      // data rows read so far (the header excluded)
  int64_t processed_rows = 0;  // rows whose outcome is decided
  int64_t created = 0;
  int64_t updated = 0;
  int64_t skipped = 0;      // duplicates under `skip`, DNC rows under DncPolicy::kSkip
  int64_t failed = 0;       // invalid rows, kept for errors.csv
  int64_t dnc_flagged = 0;  // imported rows whose number is on a DNC list
};

struct ImportJob {
  std::string id;
  std::string organization_id;
  std::string kind;  // "csv", "xlsx", or a connector kind ("hubspot", "salesforce")
  JobStatus status = JobStatus::kQueued;
  std::string filename;
  std::optional<std::string> connector_id;
  ImportOptions options;
  ImportCounts counts;
  std::optional<std::string> error;          // why it failed
  std::optional<std::string> source_cursor;  // connectors: where the next incremental run starts
  std::optional<std::string> created_by;
  std::string created_at;
  std::optional<std::string> started_at;
  std::optional<std::string> finished_at;
  std::optional<std::string> undone_at;

  // Where the worker is (not shown to clients as such).
  std::string phase = "read";  // fetch, read, apply, done
  std::string file_path;       // the spooled upload or fetched file, on the server
  int64_t file_bytes = 0;
  int64_t bytes_read = 0;
  int64_t applied_through = 0;  // rows (seq) applied so far
  bool cancel_requested = false;
  std::string created_at_micro;             // list cursor key
  double elapsed_seconds = 0;               // since started (to finished, or now)
  std::optional<std::string> undo_summary;  // JSON {"deleted","restored","kept"}
};

const char* JobStatusName(JobStatus s);

}  // namespace leadline::imports
