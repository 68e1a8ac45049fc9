// `leadline bench-data`: loads the generated benchmark data set into a database with COPY.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "benchdata/generator.h"
#include "core/status.h"

namespace leadline::benchdata {

struct BenchDataOptions {
  PlanOptions plan;
  // Live leads of the large organization sampled into the bench_ids table, which load
  // generators and pgbench scripts draw their ids, phones and names from.
  int64_t sample_ids = 100'000;
  std::string password = "bench-password";  // every generated user's password
};

struct BenchDataSummary {
  std::string organization_id;  // the large organization
  std::string admin_email;
  std::string password;
  std::string api_key;  // an admin API key of the large organization
  int organizations = 0;
  int64_t users = 0;
  int64_t leads = 0;
  int64_t status_history = 0;
  int64_t audit = 0;
  int64_t sample_ids = 0;
  std::string trigger_mode;  // how the leads triggers were kept out of the bulk load
  double seconds = 0;
};

// One line of progress (rows loaded, rows/s, index builds).
using ProgressFn = std::function<void(const std::string& line)>;

// Connects with `conninfo` as the schema owner (migrations already applied) and loads the
// plan in one transaction: organizations and users with INSERT/COPY, then leads, status
// history and audit rows streamed through COPY in chunks. The leads triggers are disabled for
// the load (they would write a second history and audit row per lead; the generator writes
// those rows itself): with `session_replication_role = replica` when the owner is a
// superuser, which also skips foreign-key checks the generator guarantees by construction,
// otherwise with ALTER TABLE ... DISABLE TRIGGER USER. Secondary indexes of the three large
// tables are dropped and rebuilt after the COPY (faster than maintaining them row by row),
// and the trigger-kept tag counts are rebuilt from the loaded leads; all of it is one
// transaction, so a failure leaves the database as it was. Then VACUUM ANALYZE, and an API
// key for the large organization's admin.
// Errors: kAlreadyExists when benchmark data is already loaded (the table bench_ids exists);
// kInvalidArgument for sizes out of range; database errors as they come.
Result<BenchDataSummary> LoadBenchData(const std::string& conninfo, const BenchDataOptions& options,
                                       const ProgressFn& progress);

}  // namespace leadline::benchdata
