// Streams the generator's COPY text into PostgreSQL. Nothing is held in memory beyond one
// chunk: each table is a pass over the leads, regenerated from the seed.
#include "benchdata/loader.h"

#include <fmt/format.h>

#include <chrono>
#include <vector>

#include "auth/auth_service.h"
#include "core/crypto.h"
#include "db/connection.h"
#include "db/pool.h"

namespace leadline::benchdata {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kChunkBytes = 512 * 1024;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string Thousands(int64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  int lead = static_cast<int>(digits.size() % 3);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (static_cast<int>(i) - lead) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Rows loaded into one table, reported at most once a second.
class Meter {
 public:
  Meter(const ProgressFn& progress, std::string table, int64_t total)
      : progress_(progress), table_(std::move(table)), total_(total) {}

  void Add(int64_t rows) {
    done_ += rows;
    if (Since(last_) < 1.0) return;
    last_ = Clock::now();
    double s = Since(start_);
    Report(fmt::format("{:<20} {:>12} / {} ({:.0f}%)  {} rows/s", table_, Thousands(done_),
                       Thousands(total_), total_ ? 100.0 * done_ / total_ : 100.0,
                       Thousands(static_cast<int64_t>(done_ / std::max(s, 1e-9)))));
  }
  void Finish() {
    double s = Since(start_);
    Report(fmt::format("{:<20} {:>12} rows in {:.1f} s ({} rows/s)", table_, Thousands(done_), s,
                       Thousands(static_cast<int64_t>(done_ / std::max(s, 1e-9)))));
  }

 private:
  void Report(const std::string& line) {
    if (progress_) progress_(line);
  }
  const ProgressFn& progress_;
  std::string table_;
  int64_t total_;
  int64_t done_ = 0;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_ = Clock::now();
};

enum class Table { kLeads, kHistory, kAudit };

// One COPY per table covering every organization: each lead's rows are appended to a
// buffer that is sent whenever it passes kChunkBytes.
Status CopyTable(db::Connection& conn, const Plan& plan, Table table, const ProgressFn& progress) {
  const char* name = table == Table::kLeads     ? "leads"
                     : table == Table::kHistory ? "lead_status_history"
                                                : "lead_audit_log";
  const char* columns = table == Table::kLeads     ? kLeadColumns
                        : table == Table::kHistory ? kHistoryColumns
                                                   : kAuditColumns;
  int64_t total = 0;
  for (const OrgPlan& o : plan.orgs) {
    total += table == Table::kLeads ? o.leads : table == Table::kHistory ? o.history : o.audit;
  }
  Meter meter(progress, name, total);
  RETURN_IF_ERROR(conn.CopyIn(fmt::format("COPY {} ({}) FROM STDIN", name, columns),
                              [&](const std::function<Status(std::string_view)>& send) -> Status {
                                std::string buf;
                                buf.reserve(kChunkBytes + 64 * 1024);
                                int64_t pending = 0;
                                for (const OrgPlan& org : plan.orgs) {
                                  LeadCursor cursor(plan, org);
                                  while (cursor.Next()) {
                                    switch (table) {
                                      case Table::kLeads:
                                        cursor.AppendLeadRow(buf);
                                        pending += 1;
                                        break;
                                      case Table::kHistory:
                                        cursor.AppendHistoryRows(buf);
                                        pending += static_cast<int64_t>(cursor.lead().steps.size());
                                        break;
                                      case Table::kAudit:
                                        cursor.AppendAuditRows(buf);
                                        pending += static_cast<int64_t>(cursor.lead().audit.size());
                                        break;
                                    }
                                    if (buf.size() >= kChunkBytes) {
                                      RETURN_IF_ERROR(send(buf));
                                      buf.clear();
                                      meter.Add(pending);
                                      pending = 0;
                                    }
                                  }
                                }
                                if (!buf.empty()) RETURN_IF_ERROR(send(buf));
                                meter.Add(pending);
                                return Status::Ok();
                              }));
  meter.Finish();
  return Status::Ok();
}

struct DeferredIndex {
  std::string name;
  std::string definition;
};

// Drops the indexes of `table` that no constraint relies on (everything but the primary key
// here) and returns their definitions, to be recreated after the bulk load.
Result<std::vector<DeferredIndex>> DropSecondaryIndexes(db::Connection& conn, const char* table) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   conn.Exec("SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                             "FROM pg_index i WHERE i.indrelid = $1::regclass "
                             "AND NOT i.indisprimary AND NOT EXISTS "
                             "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
                             "ORDER BY 1",
                             db::Params().Add(table)));
  std::vector<DeferredIndex> out;
  for (int r = 0; r < rows.size(); ++r) {
    out.push_back({std::string(rows.Get(r, 0)), std::string(rows.Get(r, 1))});
    RETURN_IF_ERROR(conn.ExecScript("DROP INDEX " + out.back().name));
  }
  return out;
}

Status Validate(const BenchDataOptions& o) {
  const PlanOptions& p = o.plan;
  if (p.organizations < 1 || p.organizations > 1000) {
    return InvalidArgument("--orgs must be between 1 and 1000");
  }
  if (p.leads < 1) return InvalidArgument("--leads must be at least 1");
  if (p.history < 0 || p.audit < 0 || o.sample_ids < 0) {
    return InvalidArgument("row counts must not be negative");
  }
  // Leave room for growth; the phone bijection has about 2 billion numbers.
  if (p.leads > PhoneCapacity() / 4) return InvalidArgument("--leads is too large");
  return Status::Ok();
}

Status Load(db::Connection& conn, const Plan& plan, const BenchDataOptions& options,
            const std::string& password_hash, bool superuser, const ProgressFn& progress,
            BenchDataSummary& summary) {
  auto say = [&](const std::string& line) {
    if (progress) progress(line);
  };
  // Index builds (GIN trigram on 1M leads in particular) are much faster with room to sort.
  RETURN_IF_ERROR(conn.ExecScript(
      "SET LOCAL maintenance_work_mem = '512MB'; SET LOCAL synchronous_commit = off"));

  for (const OrgPlan& o : plan.orgs) {
    std::string created;
    AppendTimestamp(created, plan.now_us - 740LL * 86'400 * 1'000'000);
    RETURN_IF_ERROR(conn.Exec("INSERT INTO organizations (id, name, created_at, updated_at) "
                              "VALUES ($1, $2, $3, $3)",
                              db::Params().Add(o.id.ToString()).Add(o.name).Add(created))
                        .status());
    summary.users += static_cast<int64_t>(o.users.size());
  }
  RETURN_IF_ERROR(conn.CopyIn(fmt::format("COPY users ({}) FROM STDIN", kUserColumns),
                              [&](const std::function<Status(std::string_view)>& send) -> Status {
                                std::string buf;
                                AppendUserRows(plan, password_hash, buf);
                                return send(buf);
                              }));
  say(fmt::format("{:<20} {:>12} rows", "organizations", plan.orgs.size()));
  say(fmt::format("{:<20} {:>12} rows", "users", summary.users));

  if (superuser) {
    RETURN_IF_ERROR(conn.ExecScript("SET LOCAL session_replication_role = replica"));
    summary.trigger_mode = "session_replication_role=replica";
  } else {
    RETURN_IF_ERROR(conn.ExecScript("ALTER TABLE leads DISABLE TRIGGER USER"));
    summary.trigger_mode = "ALTER TABLE leads DISABLE TRIGGER USER";
  }

  std::vector<DeferredIndex> deferred;
  for (const char* table : {"leads", "lead_status_history", "lead_audit_log"}) {
    ASSIGN_OR_RETURN(std::vector<DeferredIndex> dropped, DropSecondaryIndexes(conn, table));
    deferred.insert(deferred.end(), dropped.begin(), dropped.end());
  }

  RETURN_IF_ERROR(CopyTable(conn, plan, Table::kLeads, progress));
  RETURN_IF_ERROR(CopyTable(conn, plan, Table::kHistory, progress));
  RETURN_IF_ERROR(CopyTable(conn, plan, Table::kAudit, progress));

  for (const DeferredIndex& index : deferred) {
    auto start = Clock::now();
    RETURN_IF_ERROR(conn.ExecScript(index.definition));
    say(fmt::format("{:<20} {} rebuilt in {:.1f} s", "index", index.name, Since(start)));
  }
  if (!superuser) RETURN_IF_ERROR(conn.ExecScript("ALTER TABLE leads ENABLE TRIGGER USER"));
  // The tag count triggers (0007) were off for the COPY. Counting in the load's transaction
  // means no snapshot sees the leads without their counts; the function is the owner's only.
  auto counts_start = Clock::now();
  ASSIGN_OR_RETURN(db::Rows counts, conn.Exec("SELECT lead_tag_counts_rebuild()"));
  say(fmt::format("{:<20} {:>12} rows in {:.1f} s", "lead_tag_counts",
                  Thousands(counts.GetInt(0, 0)), Since(counts_start)));

  // A sample of live leads of the large organization for the load generators: ids for
  // lookups, phones and names for searches. Ordered by a hash so that n is random but stable.
  RETURN_IF_ERROR(conn.ExecScript(
      "CREATE TABLE bench_ids (n int PRIMARY KEY, organization_id uuid NOT NULL, "
      "id uuid NOT NULL, phone text, email text, first_name text, last_name text); "
      "COMMENT ON TABLE bench_ids IS 'A sample of live leads of the large benchmark "
      "organization, written by leadline bench-data for load generators'; "
      "GRANT SELECT ON bench_ids TO leadline_app"));
  ASSIGN_OR_RETURN(
      db::Rows sampled,
      conn.Exec("INSERT INTO bench_ids "
                "SELECT row_number() OVER (ORDER BY md5(id::text)), organization_id, id, phone, "
                "email, first_name, last_name FROM leads "
                "WHERE organization_id = $1 AND deleted_at IS NULL "
                "ORDER BY md5(id::text) LIMIT $2",
                db::Params().Add(plan.orgs[0].id.ToString()).Add(options.sample_ids)));
  summary.sample_ids = sampled.affected();
  say(fmt::format("{:<20} {:>12} rows", "bench_ids", Thousands(summary.sample_ids)));
  return Status::Ok();
}

}  // namespace

Result<BenchDataSummary> LoadBenchData(const std::string& conninfo, const BenchDataOptions& options,
                                       const ProgressFn& progress) {
  RETURN_IF_ERROR(Validate(options));
  const auto start = Clock::now();
  const Plan plan = MakePlan(options.plan);
  BenchDataSummary summary;
  summary.organization_id = plan.orgs[0].id.ToString();
  summary.admin_email = plan.orgs[0].users[0].email;
  summary.password = options.password;
  summary.organizations = static_cast<int>(plan.orgs.size());
  for (const OrgPlan& o : plan.orgs) {
    summary.leads += o.leads;
    summary.status_history += o.history;
    summary.audit += o.audit;
  }

  ASSIGN_OR_RETURN(auto conn, db::Connection::Open(conninfo));
  ASSIGN_OR_RETURN(db::Rows state,
                   conn->Exec("SELECT to_regclass('public.bench_ids') IS NOT NULL OR EXISTS "
                              "(SELECT 1 FROM organizations WHERE id = $1), "
                              "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user)",
                              db::Params().Add(summary.organization_id)));
  if (state.GetBool(0, 0)) {
    return AlreadyExists(
        "benchmark data is already loaded in this database (table bench_ids exists); load it "
        "into an empty database");
  }
  const bool superuser = state.GetBool(0, 1);
  // argon2id is deliberately slow: hash once, every generated user shares the password.
  ASSIGN_OR_RETURN(std::string password_hash, crypto::HashPassword(options.password));

  RETURN_IF_ERROR(conn->ExecScript("BEGIN"));
  Status loaded = Load(*conn, plan, options, password_hash, superuser, progress, summary);
  if (!loaded.ok()) {
    (void)conn->ExecScript("ROLLBACK");
    return loaded;
  }
  auto commit_start = Clock::now();
  RETURN_IF_ERROR(conn->ExecScript("COMMIT"));
  if (progress) progress(fmt::format("{:<20} {:.1f} s", "commit", Since(commit_start)));

  // Fresh statistics for the planner, and a visibility map so index-only scans (funnel
  // counts) skip the heap; also sets hint bits now rather than during the benchmark.
  auto vacuum_start = Clock::now();
  RETURN_IF_ERROR(conn->ExecScript(
      "VACUUM (ANALYZE) organizations, users, leads, lead_status_history, lead_audit_log, "
      "bench_ids"));
  if (progress) progress(fmt::format("{:<20} {:.1f} s", "vacuum analyze", Since(vacuum_start)));

  db::PoolOptions pool_options;
  pool_options.conninfo = conninfo;
  pool_options.max_connections = 1;
  db::Pool pool(pool_options);
  auth::AuthService auth(pool);
  auth::Principal admin;
  admin.organization_id = summary.organization_id;
  admin.user_id = plan.orgs[0].users[0].id.ToString();
  admin.role = auth::Role::kAdmin;
  ASSIGN_OR_RETURN(auth::NewApiKey key, auth.CreateApiKey(admin, "bench-data"));
  summary.api_key = key.api_key;
  summary.seconds = Since(start);
  return summary;
}

}  // namespace leadline::benchdata
