// `leadline dnc load FILE`: loads a file of numbers into an organization's Do-Not-Call list or,
// with --national, into the national registry snapshot. The file is mapped, not read into
// memory, and its pages are dropped as they are consumed.
#pragma once

#include <functional>
#include <string>

#include "core/status.h"
#include "db/pool.h"

namespace leadline::dnc {

struct LoadFileOptions {
  std::string path;
  bool national = false;
  bool changes = false;         // national: a change file (additions and deletions)
  std::string as_of;            // national: download date YYYY-MM-DD (default today, UTC)
  std::string organization_id;  // organization list: whose list
  std::string reason;           // organization list: reason stored on new entries
};

struct LoadFileSummary {
  uint64_t lines = 0;
  uint64_t added = 0;
  uint64_t removed = 0;
  uint64_t skipped = 0;  // organization list: invalid numbers or already listed
  int area_codes = 0;
  uint64_t total = 0;
  double seconds = 0;
  double parse_seconds = 0;
  double store_seconds = 0;
  long peak_rss_mb = 0;
};

// Organization lists: one number per line (first CSV field; any format the organization's
// default region parses), a header line allowed; new entries get source "import"; numbers
// already listed are skipped; invalid ones are counted and reported (the first few on
// `progress`). National: see LoadRegistry. `progress` receives human-readable lines (rows/s).
// Runs on `pool` (the CLI's owner connection).
Result<LoadFileSummary> LoadFile(db::Pool& pool, const LoadFileOptions& options,
                                 const std::function<void(const std::string&)>& progress);

// Today's date in UTC, YYYY-MM-DD.
std::string TodayUtc();

}  // namespace leadline::dnc
