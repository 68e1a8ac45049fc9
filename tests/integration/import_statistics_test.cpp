// The statistics refresh an import runs after each batch (import_refresh_statistics): it
// analyses import_rows when the planner underestimates the job's rows, and not again while
// the estimate is right or until the job has doubled them.
#include <gtest/gtest.h>

#include "db/transaction.h"
#include "support/test_db.h"

namespace leadline {
namespace {

using db::Params;
using testing::TestDatabase;

class ImportStatistics : public ::testing::Test {
 protected:
  void SetUp() override {
    tdb_ = TestDatabase::Create();
    mine_ = tdb_->CreateOrganization("Mine", "mine@example.com");
    other_ = tdb_->CreateOrganization("Other", "other@example.com");
    // Autovacuum would analyse the table at moments of its own choosing.
    ASSERT_TRUE(Owner("ALTER TABLE import_rows SET (autovacuum_enabled = false)").ok());
    my_job_ = NewJob(mine_);
    other_job_ = NewJob(other_);
    // Another organization's import kept 40,000 rows; this one keeps 5,000. Assumed
    // independent, organization and import id would estimate this job at (5/45)² of the
    // table, ~560 rows: under a quarter of 5,000 whatever ANALYZE saw.
    Keep(other_, other_job_, 0, 40000);
    Keep(mine_, my_job_, 0, 5000);
  }

  std::string NewJob(const auth::NewOrganization& org) {
    auto r = Owner(
        "INSERT INTO import_jobs (organization_id, kind, status) "
        "VALUES ($1, 'csv', 'running') RETURNING id",
        Params().Add(org.organization_id));
    return r.ok() ? std::string(r->Get(0, 0)) : "";
  }

  // Rows [from, to) of `job` kept in import_rows (skipped, none created), counted in the job
  // as the import does, and reported to the statistics collector at once.
  void Keep(const auth::NewOrganization& org, const std::string& job, int from, int to) {
    auto conn = tdb_->owner_pool().Acquire();
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    auto r = (*conn)->Exec(
        "WITH rows AS (INSERT INTO import_rows (organization_id, import_id, seq, line, outcome, "
        "                phone, email) "
        "  SELECT $1, $2, n, n + 1, 'skip_duplicate', '+1206' || lpad(n::text, 7, '0'), "
        "         'row' || n || '@example.com' FROM generate_series($3::int, $4::int - 1) n "
        "  RETURNING 1) "
        "UPDATE import_jobs SET processed_rows = processed_rows + (SELECT count(*) FROM rows) "
        "WHERE organization_id = $1 AND id = $2",
        Params().Add(org.organization_id).Add(job).Add(from).Add(to));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    // PostgreSQL 15 publishes a backend's table counts at most once a second, when it is idle
    // between statements: this one's are published once it has run the next.
    ASSERT_TRUE((*conn)->Exec("SELECT pg_stat_force_next_flush()").ok());
    ASSERT_TRUE((*conn)->Exec("SELECT 1").ok());
  }

  Result<db::Rows> Owner(const std::string& sql, const Params& p = {}) {
    ASSIGN_OR_RETURN(auto conn, tdb_->owner_pool().Acquire());
    return conn->Exec(sql, p);
  }

  // How many tables the refresh analysed, run as the importing organization.
  int Refresh() {
    auto tx = db::Transaction::Begin(
        tdb_->app_pool(), {mine_.organization_id, mine_.user_id, "203.0.113.7", "tests/1.0"});
    EXPECT_TRUE(tx.ok()) << tx.status().ToString();
    if (!tx.ok()) return -1;
    auto r = tx->Exec("SELECT import_refresh_statistics($1)", Params().Add(my_job_));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(tx->Commit().ok());
    return r.ok() ? static_cast<int>(r->GetInt(0, 0)) : -1;
  }

  double EstimatedJobRows() {
    auto r = Owner(
        "SELECT app_planner_rows('import_rows', format("
        "'organization_id = %L AND import_id = %L', $1::text, $2::text))",
        Params().Add(mine_.organization_id).Add(my_job_));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::stod(std::string(r->Get(0, 0))) : -1;
  }

  std::unique_ptr<TestDatabase> tdb_;
  auth::NewOrganization mine_, other_;
  std::string my_job_, other_job_;
};

// The table outgrew its statistics: one ANALYZE, after which the planner knows the job's
// rows (an import id implies its organization), so the next batches analyse nothing.
TEST_F(ImportStatistics, OneAnalyzeCorrectsTheJobsEstimate) {
  EXPECT_EQ(Refresh(), 1);  // import_rows was never analysed
  EXPECT_GT(EstimatedJobRows(), 5000 / 4);
  EXPECT_EQ(Refresh(), 0);
  EXPECT_EQ(Refresh(), 0);
}

// An estimate that ANALYZE cannot correct (here: without the dependency statistics) is
// analysed for once, and again only once the job has doubled its kept rows since then.
TEST_F(ImportStatistics, AnUncorrectableEstimateIsAnalysedOncePerDoubling) {
  ASSERT_TRUE(Owner("DROP STATISTICS import_rows_job_dependency").ok());
  ASSERT_TRUE(Owner("ANALYZE import_rows").ok());
  ASSERT_LT(EstimatedJobRows(), 5000 / 4);
  EXPECT_EQ(Refresh(), 1);  // the job's 5,000 rows
  EXPECT_LT(EstimatedJobRows(), 5000 / 4);
  EXPECT_EQ(Refresh(), 0);
  Keep(mine_, my_job_, 5000, 9000);
  EXPECT_EQ(Refresh(), 0);  // 9,000 rows: not yet twice 5,000
  Keep(mine_, my_job_, 9000, 10000);
  EXPECT_EQ(Refresh(), 1);
  EXPECT_EQ(Refresh(), 0);
}

}  // namespace
}  // namespace leadline
