// db::ReadInTenant and Connection::ExecPipeline: one round trip, the same tenant isolation
// and settings as a Transaction, nothing left behind on the pooled connection.
#include <gtest/gtest.h>

#include "db/transaction.h"
#include "support/test_db.h"

namespace leadline {
namespace {

using db::Params;
using db::Query;
using testing::TestDatabase;

constexpr Query kLeadPhone{"test_read_lead_phone",
                           "SELECT phone FROM leads WHERE organization_id = app_current_org() "
                           "AND id = $1::uuid"};
constexpr Query kCountLeads{"test_read_count_leads", "SELECT count(*) FROM leads"};
constexpr Query kSettings{"",
                          "SELECT current_setting('app.organization_id'), "
                          "current_setting('app.user_id'), current_setting('app.change_source')"};

db::TenantContext Tenant(const std::string& org, const std::string& user = "") {
  db::TenantContext ctx;
  ctx.organization_id = org;
  ctx.user_id = user;
  return ctx;
}

class ReadInTenant : public ::testing::Test {
 protected:
  void SetUp() override {
    tdb_ = TestDatabase::Create();
    a_ = tdb_->CreateOrganization("Org A", "a@example.com");
    b_ = tdb_->CreateOrganization("Org B", "b@example.com");
    a_lead_ = InsertLead(a_.organization_id, "+12065550121");
    b_lead_ = InsertLead(b_.organization_id, "+12065550122");
    // One connection, so every call below reuses the connection the previous one used.
    db::PoolOptions o;
    o.conninfo = tdb_->conninfo();
    o.role = "leadline_app";
    o.max_connections = 1;
    pool_ = std::make_unique<db::Pool>(o);
  }

  std::string InsertLead(const std::string& org, const std::string& phone) {
    auto tx = db::Transaction::Begin(tdb_->app_pool(), Tenant(org));
    EXPECT_TRUE(tx.ok()) << tx.status().ToString();
    auto r = tx->Exec(
        "INSERT INTO leads (organization_id, first_name, phone) VALUES "
        "(app_current_org(), 'X', $1) RETURNING id",
        Params().Add(phone));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(tx->Commit().ok());
    return std::string(r->Get(0, 0));
  }

  std::unique_ptr<TestDatabase> tdb_;
  std::unique_ptr<db::Pool> pool_;
  auth::NewOrganization a_, b_;
  std::string a_lead_, b_lead_;
};

TEST_F(ReadInTenant, ReadsTheTenantsRowAndNothingOfAnotherTenant) {
  for (int round = 0; round < 3; ++round) {  // first round prepares, later ones reuse
    auto own =
        db::ReadInTenant(*pool_, Tenant(a_.organization_id), kLeadPhone, Params().Add(a_lead_));
    ASSERT_TRUE(own.ok()) << own.status().ToString();
    ASSERT_EQ(own->size(), 1);
    EXPECT_EQ(own->Get(0, 0), "+12065550121");

    auto other =
        db::ReadInTenant(*pool_, Tenant(a_.organization_id), kLeadPhone, Params().Add(b_lead_));
    ASSERT_TRUE(other.ok()) << other.status().ToString();
    EXPECT_EQ(other->size(), 0) << "row-level security must hide organization B's lead";
  }
  auto none = db::ReadInTenant(*pool_, Tenant(""), kCountLeads);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(none->Get(0, 0), "0") << "no tenant, no rows";
}

TEST_F(ReadInTenant, SettingsHoldForTheStatementAndEndWithIt) {
  db::TenantContext ctx = Tenant(a_.organization_id, a_.user_id);
  ctx.change_source = "import";
  auto seen = db::ReadInTenant(*pool_, ctx, kSettings);
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_EQ(seen->Get(0, 0), a_.organization_id);
  EXPECT_EQ(seen->Get(0, 1), a_.user_id);
  EXPECT_EQ(seen->Get(0, 2), "import");

  // The implicit transaction ended: the same connection has no tenant any more (local
  // settings end with their transaction) and is not inside a transaction block.
  auto conn = pool_->Acquire();
  ASSERT_TRUE(conn.ok());
  auto after = (*conn)->Exec("SELECT current_setting('app.organization_id', true)");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->Get(0, 0), "");
  EXPECT_FALSE((*conn)->ExecScript("SAVEPOINT probe").ok()) << "a transaction is still open";
}

TEST_F(ReadInTenant, AFailingStatementReportsItsErrorAndLeavesTheConnectionUsable) {
  constexpr Query kBad{"test_read_bad", "SELECT 1 / (count(*) - count(*)) FROM leads"};
  auto bad = db::ReadInTenant(*pool_, Tenant(a_.organization_id), kBad);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("division by zero"), std::string::npos)
      << bad.status().ToString();

  constexpr Query kSyntax{"test_read_syntax", "SELEC 1"};
  auto syntax = db::ReadInTenant(*pool_, Tenant(a_.organization_id), kSyntax);
  ASSERT_FALSE(syntax.ok());

  auto good = db::ReadInTenant(*pool_, Tenant(a_.organization_id), kCountLeads);
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->Get(0, 0), "1");
  // And ordinary transactions still work on it.
  auto tx = db::Transaction::Begin(*pool_, Tenant(a_.organization_id));
  ASSERT_TRUE(tx.ok()) << tx.status().ToString();
  auto count = tx->Exec(kCountLeads);
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(count->Get(0, 0), "1");
  EXPECT_TRUE(tx->Commit().ok());
}

}  // namespace
}  // namespace leadline
