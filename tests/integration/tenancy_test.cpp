// Row-level security seen from the server's own role: no tenant -> no rows; tenant A never
// sees or writes tenant B's rows, whatever the WHERE clause says.
#include <gtest/gtest.h>

#include "db/transaction.h"
#include "support/test_db.h"

namespace leadline {
namespace {

using db::Params;
using testing::TestDatabase;

class Tenancy : public ::testing::Test {
 protected:
  void SetUp() override {
    tdb_ = TestDatabase::Create();
    a_ = tdb_->CreateOrganization("Org A", "a@example.com");
    b_ = tdb_->CreateOrganization("Org B", "b@example.com");
    b_lead_ = InsertLead(b_.organization_id, "+12065550111");
    InsertLead(a_.organization_id, "+12065550112");
  }

  std::string InsertLead(const std::string& org, const std::string& phone) {
    auto tx = db::Transaction::Begin(tdb_->app_pool(), {org});
    EXPECT_TRUE(tx.ok()) << tx.status().ToString();
    auto r = tx->Exec(
        "INSERT INTO leads (organization_id, first_name, phone) VALUES "
        "(app_current_org(), 'X', $1) RETURNING id",
        Params().Add(phone));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(tx->Commit().ok());
    return std::string(r->Get(0, 0));
  }

  int64_t CountAs(const std::string& org, const std::string& sql, const Params& p = {}) {
    auto tx = db::Transaction::Begin(tdb_->app_pool(), {org});
    EXPECT_TRUE(tx.ok());
    auto r = tx->Exec(sql, p);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->GetInt(0, 0) : -1;
  }

  std::unique_ptr<TestDatabase> tdb_;
  auth::NewOrganization a_, b_;
  std::string b_lead_;
};

TEST_F(Tenancy, ServerRoleIsRestricted) {
  auto conn = tdb_->app_pool().Acquire();
  ASSERT_TRUE(conn.ok());
  auto r = (*conn)->Exec(
      "SELECT current_user, r.rolsuper, r.rolbypassrls, "
      "(SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid) "
      "FROM pg_roles r WHERE r.rolname = current_user");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->Get(0, 0), "leadline_app");
  EXPECT_EQ(r->Get(0, 1), "f");
  EXPECT_EQ(r->Get(0, 2), "f");
  EXPECT_EQ(r->Get(0, 3), "0") << "the server's role owns nothing";
}

TEST_F(Tenancy, NoTenantSeesNothing) {
  for (const char* table : {"leads", "users", "organizations", "api_keys", "sessions",
                            "lead_audit_log", "lead_status_history"}) {
    EXPECT_EQ(CountAs("", std::string("SELECT count(*) FROM ") + table), 0) << table;
  }
}

TEST_F(Tenancy, TenantNeverSeesAnotherTenantsRows) {
  EXPECT_EQ(CountAs(a_.organization_id, "SELECT count(*) FROM leads"), 1);
  EXPECT_EQ(CountAs(a_.organization_id, "SELECT count(*) FROM leads WHERE id = $1",
                    Params().Add(b_lead_)),
            0);
  EXPECT_EQ(CountAs(a_.organization_id, "SELECT count(*) FROM leads WHERE organization_id = $1",
                    Params().Add(b_.organization_id)),
            0);
  EXPECT_EQ(CountAs(a_.organization_id, "SELECT count(*) FROM users"), 1);
  EXPECT_EQ(CountAs(a_.organization_id, "SELECT count(*) FROM organizations"), 1);
  // B's history rows exist but are invisible to A.
  EXPECT_EQ(CountAs(b_.organization_id, "SELECT count(*) FROM lead_status_history"), 1);
  EXPECT_EQ(
      CountAs(a_.organization_id, "SELECT count(*) FROM lead_status_history WHERE lead_id = $1",
              Params().Add(b_lead_)),
      0);
}

TEST_F(Tenancy, CannotWriteIntoAnotherTenant) {
  auto tx = db::Transaction::Begin(tdb_->app_pool(), {a_.organization_id});
  ASSERT_TRUE(tx.ok());
  auto ins = tx->Exec(
      "INSERT INTO leads (organization_id, first_name, phone) VALUES ($1, 'Y', "
      "'+12065550199')",
      Params().Add(b_.organization_id));
  ASSERT_FALSE(ins.ok());
  EXPECT_EQ(ins.status().code(), StatusCode::kPermissionDenied) << ins.status().ToString();
}

TEST_F(Tenancy, CannotUpdateOrDeleteAnotherTenantsRows) {
  {
    auto tx = db::Transaction::Begin(tdb_->app_pool(), {a_.organization_id});
    ASSERT_TRUE(tx.ok());
    auto upd =
        tx->Exec("UPDATE leads SET first_name = 'hacked' WHERE id = $1", Params().Add(b_lead_));
    ASSERT_TRUE(upd.ok());
    EXPECT_EQ(upd->affected(), 0);
    auto del = tx->Exec("DELETE FROM leads WHERE id = $1", Params().Add(b_lead_));
    ASSERT_TRUE(del.ok());
    EXPECT_EQ(del->affected(), 0);
    ASSERT_TRUE(tx->Commit().ok());
  }
  EXPECT_EQ(CountAs(b_.organization_id, "SELECT count(*) FROM leads WHERE first_name = 'X'"), 1);
}

TEST_F(Tenancy, SettingDoesNotLeakAcrossTransactions) {
  // The same pooled connection serves A then nobody: SET LOCAL must not survive.
  EXPECT_EQ(CountAs(a_.organization_id, "SELECT count(*) FROM leads"), 1);
  EXPECT_EQ(CountAs("", "SELECT count(*) FROM leads"), 0);
}

TEST_F(Tenancy, CatalogShowsForcedRlsAndOrganizationLeadingKeys) {
  auto conn = tdb_->owner_pool().Acquire();
  ASSERT_TRUE(conn.ok());
  // Every table with an organization_id column: RLS enabled and forced, and the primary key
  // starts with organization_id.
  auto r = (*conn)->Exec(R"sql(
    SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
           (SELECT a.attname FROM pg_index i JOIN pg_attribute a
              ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
            WHERE i.indrelid = c.oid AND i.indisprimary) AS first_pk_column
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'r'
      AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                  AND a.attname = 'organization_id' AND NOT a.attisdropped))sql");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GE(r->size(), 15);
  for (int i = 0; i < r->size(); ++i) {
    std::string table(r->Get(i, 0));
    EXPECT_EQ(r->Get(i, 1), "t") << table << " has RLS enabled";
    EXPECT_EQ(r->Get(i, 2), "t") << table << " has RLS forced";
    EXPECT_EQ(r->Get(i, 3), "organization_id")
        << table << " primary key leads with organization_id";
  }
  // Every unique index on those tables includes organization_id.
  auto u = (*conn)->Exec(R"sql(
    SELECT c.relname, ic.relname FROM pg_index i
    JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND i.indisunique
      AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'organization_id')
      AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                      AND a.attname = 'organization_id' AND a.attnum = ANY (i.indkey)))sql");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  for (int i = 0; i < u->size(); ++i) {
    ADD_FAILURE() << "unique index " << u->Get(i, 1) << " on " << u->Get(i, 0)
                  << " lacks organization_id";
  }
}

}  // namespace
}  // namespace leadline
