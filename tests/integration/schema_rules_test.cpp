// Constraints and triggers of the CRM schema, exercised as the server's role.
#include <gtest/gtest.h>

#include "db/transaction.h"
#include "support/test_db.h"

namespace leadline {
namespace {

using db::Params;
using testing::TestDatabase;

class SchemaRules : public ::testing::Test {
 protected:
  void SetUp() override {
    tdb_ = TestDatabase::Create();
    org_ = tdb_->CreateOrganization();
  }

  // Runs `sql` in its own transaction as the org's admin; returns the status.
  Result<db::Rows> Run(const std::string& sql, const Params& p = {}) {
    auto tx = db::Transaction::Begin(
        tdb_->app_pool(), {org_.organization_id, org_.user_id, "203.0.113.7", "tests/1.0"});
    if (!tx.ok()) return tx.status();
    auto r = tx->Exec(sql, p);
    if (!r.ok()) return r.status();
    RETURN_IF_ERROR(tx->Commit());
    return r;
  }

  std::string NewLead(const std::string& phone = "+12065550100") {
    auto r =
        Run("INSERT INTO leads (organization_id, first_name, last_name, phone, email) "
            "VALUES (app_current_org(), 'Ada', 'Lovelace', $1, 'ada@example.com') RETURNING id",
            Params().Add(phone));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::string(r->Get(0, 0)) : "";
  }

  std::unique_ptr<TestDatabase> tdb_;
  auth::NewOrganization org_;
};

// Autovacuum analyses the tables looked up by organization and phone after ~10,000 changes
// (0011), so an organization that grew since the last ANALYZE is not estimated at one row
// for long (a lookup by phone then walks every lead of the organization).
TEST_F(SchemaRules, LeadsAndDncListAreAnalysedAfterTenThousandChanges) {
  for (const char* table : {"leads", "dnc_list"}) {
    auto r = Run("SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = $1",
                 Params().Add(table));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const std::string options(r->Get(0, 0));
    EXPECT_NE(options.find("autovacuum_analyze_threshold=10000"), std::string::npos) << table;
    EXPECT_NE(options.find("autovacuum_analyze_scale_factor=0.002"), std::string::npos) << table;
  }
}

// Leads and their history rows get time-ordered ids (0013: UUID version 7 layout, the Unix
// milliseconds first), so a new row's key goes to the end of each index holding it instead
// of a random leaf page. A lead written later has a greater id, and so do its history rows.
TEST_F(SchemaRules, LeadsAndTheirHistoryGetTimeOrderedIds) {
  const std::string first = NewLead("+12065550100");
  // The ids order by millisecond; within one they are random.
  ASSERT_TRUE(Run("SELECT pg_sleep(0.005)").ok());
  const std::string second = NewLead("+12065550101");
  auto r = Run(
      "SELECT $1::text::uuid < $2::text::uuid, substr($1::text, 15, 1), substr($2::text, 15, 1), "
      "       abs(extract(epoch FROM now()) * 1000 - ('x' || substr(replace($2::text, '-', ''), 1, "
      "           12))::bit(48)::bigint) < 60000, "
      "       (SELECT bool_and(substr(h.id::text, 15, 1) = '7') FROM lead_status_history h "
      "        WHERE h.lead_id IN ($1::uuid, $2::uuid)), "
      "       (SELECT bool_and(substr(a.id::text, 15, 1) = '7') FROM lead_audit_log a "
      "        WHERE a.lead_id IN ($1::uuid, $2::uuid))",
      Params().Add(first).Add(second));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->GetBool(0, 0)) << first << " " << second;
  EXPECT_EQ(r->Get(0, 1), "7");  // the version digit
  EXPECT_EQ(r->Get(0, 2), "7");
  EXPECT_TRUE(r->GetBool(0, 3)) << "the first 48 bits are the creation time in ms: " << second;
  EXPECT_TRUE(r->GetBool(0, 4));
  EXPECT_TRUE(r->GetBool(0, 5));
}

TEST_F(SchemaRules, BadPhoneRejected) {
  for (const char* phone : {"2065550100", "+0123456789", "+1 206 555", "+12", "abc"}) {
    auto r = Run("INSERT INTO leads (organization_id, phone) VALUES (app_current_org(), $1)",
                 Params().Add(phone));
    ASSERT_FALSE(r.ok()) << phone;
    EXPECT_EQ(r.status().code(), StatusCode::kValidationFailed) << r.status().ToString();
  }
}

TEST_F(SchemaRules, NeedsPhoneOrEmail) {
  auto r = Run("INSERT INTO leads (organization_id, first_name) VALUES (app_current_org(), 'N')");
  EXPECT_FALSE(r.ok());
}

TEST_F(SchemaRules, BadStatusRejected) {
  std::string id = NewLead();
  auto r = Run("UPDATE leads SET status = 'bogus' WHERE id = $1", Params().Add(id));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kValidationFailed);
}

TEST_F(SchemaRules, ScoreOutOfRangeRejected) {
  std::string id = NewLead();
  EXPECT_FALSE(Run("UPDATE leads SET lead_score = 101 WHERE id = $1", Params().Add(id)).ok());
  EXPECT_FALSE(Run("UPDATE leads SET lead_score = -1 WHERE id = $1", Params().Add(id)).ok());
  EXPECT_TRUE(Run("UPDATE leads SET lead_score = 100 WHERE id = $1", Params().Add(id)).ok());
}

TEST_F(SchemaRules, NegativeCostRejected) {
  auto r =
      Run("INSERT INTO lead_source_costs (organization_id, source, period_start, period_end, "
          "amount, currency) VALUES (app_current_org(), 'google', '2026-11-01', '2026-11-30', "
          "-5.00, 'USD')");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kValidationFailed);
  EXPECT_TRUE(Run("INSERT INTO lead_source_costs (organization_id, source, period_start, "
                  "period_end, amount, currency) VALUES (app_current_org(), 'google', "
                  "'2026-11-01', '2026-11-30', 5.00, 'USD')")
                  .ok());
}

TEST_F(SchemaRules, UnknownCurrencyAndTimeZoneRejected) {
  EXPECT_FALSE(Run("INSERT INTO lead_source_costs (organization_id, source, period_start, "
                   "period_end, amount, currency) VALUES (app_current_org(), 'g', '2026-11-01', "
                   "'2026-11-30', 1, 'usd')")
                   .ok());
  std::string id = NewLead();
  auto bad = Run("UPDATE leads SET timezone = 'Mars/Olympus_Mons' WHERE id = $1", Params().Add(id));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kValidationFailed);
  EXPECT_TRUE(
      Run("UPDATE leads SET timezone = 'America/Chicago' WHERE id = $1", Params().Add(id)).ok());
}

TEST_F(SchemaRules, LivePhoneUniquePerOrganization) {
  NewLead("+12065550123");
  auto dup =
      Run("INSERT INTO leads (organization_id, phone) VALUES (app_current_org(), "
          "'+12065550123')");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
}

TEST_F(SchemaRules, StatusChangeWritesHistoryAndVersion) {
  std::string id = NewLead();
  ASSERT_TRUE(Run("UPDATE leads SET status = 'contacted' WHERE id = $1", Params().Add(id)).ok());
  auto h =
      Run("SELECT from_status, to_status, triggered_by, changed_by::text FROM "
          "lead_status_history WHERE lead_id = $1 ORDER BY changed_at, from_status NULLS FIRST",
          Params().Add(id));
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  ASSERT_EQ(h->size(), 2);  // creation (NULL -> new) and the change
  EXPECT_TRUE(h->IsNull(0, 0));
  EXPECT_EQ(h->Get(0, 1), "new");
  EXPECT_EQ(h->Get(1, 0), "new");
  EXPECT_EQ(h->Get(1, 1), "contacted");
  EXPECT_EQ(h->Get(1, 2), "api");
  EXPECT_EQ(h->Get(1, 3), org_.user_id);
  auto v = Run("SELECT version FROM leads WHERE id = $1", Params().Add(id));
  EXPECT_EQ(v->Get(0, 0), "2");
}

TEST_F(SchemaRules, ConvertedIsTerminal) {
  std::string id = NewLead();
  ASSERT_TRUE(Run("UPDATE leads SET status = 'converted' WHERE id = $1", Params().Add(id)).ok());
  auto back = Run("UPDATE leads SET status = 'qualified' WHERE id = $1", Params().Add(id));
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), StatusCode::kValidationFailed);
}

TEST_F(SchemaRules, UpdateWritesFieldLevelAudit) {
  std::string id = NewLead();
  ASSERT_TRUE(Run("UPDATE leads SET first_name = 'Augusta', lead_score = 40 WHERE id = $1",
                  Params().Add(id))
                  .ok());
  auto a =
      Run("SELECT action, changes->'first_name'->>'old', changes->'first_name'->>'new', "
          "changes->'lead_score'->>'new', actor_id::text, client_ip, user_agent, "
          "changes ? 'updated_at', changes ? 'version' "
          "FROM lead_audit_log WHERE lead_id = $1 ORDER BY occurred_at DESC, action LIMIT 1",
          Params().Add(id));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->size(), 1);
  EXPECT_EQ(a->Get(0, 0), "update");
  EXPECT_EQ(a->Get(0, 1), "Ada");
  EXPECT_EQ(a->Get(0, 2), "Augusta");
  EXPECT_EQ(a->Get(0, 3), "40");
  EXPECT_EQ(a->Get(0, 4), org_.user_id);
  EXPECT_EQ(a->Get(0, 5), "203.0.113.7");
  EXPECT_EQ(a->Get(0, 6), "tests/1.0");
  EXPECT_EQ(a->Get(0, 7), "f") << "bookkeeping columns are not audited";
  EXPECT_EQ(a->Get(0, 8), "f");
  auto score = Run("SELECT old_score, new_score FROM lead_score_history WHERE lead_id = $1",
                   Params().Add(id));
  ASSERT_EQ(score->size(), 1);
  EXPECT_EQ(score->Get(0, 1), "40");
}

TEST_F(SchemaRules, SoftDeleteAndRestoreAreAudited) {
  std::string id = NewLead();
  ASSERT_TRUE(Run("UPDATE leads SET deleted_at = now() WHERE id = $1", Params().Add(id)).ok());
  ASSERT_TRUE(Run("UPDATE leads SET deleted_at = NULL WHERE id = $1", Params().Add(id)).ok());
  auto a =
      Run("SELECT string_agg(action, ',' ORDER BY occurred_at, id) FROM lead_audit_log "
          "WHERE lead_id = $1",
          Params().Add(id));
  ASSERT_TRUE(a.ok());
  std::string actions(a->Get(0, 0));
  EXPECT_NE(actions.find("create"), std::string::npos) << actions;
  EXPECT_NE(actions.find("delete"), std::string::npos) << actions;
  EXPECT_NE(actions.find("restore"), std::string::npos) << actions;
}

TEST_F(SchemaRules, LedgerIsAppendOnlyWithRunningBalance) {
  NewLead();  // so that the audit log has a row to protect
  ASSERT_TRUE(Run("INSERT INTO budget_transactions (organization_id, transaction_type, amount, "
                  "currency) VALUES (app_current_org(), 'deposit', 100.00, 'USD')")
                  .ok());
  auto second =
      Run("INSERT INTO budget_transactions (organization_id, transaction_type, amount, "
          "currency) VALUES (app_current_org(), 'lead_purchase', -30.50, 'USD') "
          "RETURNING id, balance_before, balance_after");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->Get(0, 1), "100.00");
  EXPECT_EQ(second->Get(0, 2), "69.50");
  std::string id(second->Get(0, 0));
  EXPECT_FALSE(
      Run("UPDATE budget_transactions SET amount = -1 WHERE id = $1", Params().Add(id)).ok());
  EXPECT_FALSE(Run("DELETE FROM budget_transactions WHERE id = $1", Params().Add(id)).ok());
  // Even the owner cannot rewrite history.
  auto conn = tdb_->owner_pool().Acquire();
  ASSERT_TRUE(conn.ok());
  EXPECT_FALSE((*conn)->Exec("UPDATE budget_transactions SET description = 'x'").ok());
  EXPECT_FALSE((*conn)->Exec("DELETE FROM lead_audit_log").ok());
}

TEST_F(SchemaRules, LeadsAreNeverHardDeletedSoTheirHistoryStays) {
  std::string id = NewLead();
  auto del = Run("DELETE FROM leads WHERE id = $1", Params().Add(id));
  ASSERT_FALSE(del.ok());
  EXPECT_EQ(del.status().code(), StatusCode::kValidationFailed) << del.status().ToString();
  auto conn = tdb_->owner_pool().Acquire();
  ASSERT_TRUE(conn.ok());
  EXPECT_FALSE((*conn)->Exec("DELETE FROM leads").ok());
  EXPECT_FALSE((*conn)->Exec("TRUNCATE leads CASCADE").ok());
  auto left = Run("SELECT count(*) FROM lead_audit_log WHERE lead_id = $1", Params().Add(id));
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->Get(0, 0), "1");
}

TEST_F(SchemaRules, CreateAuditListsTheColumnsSet) {
  std::string id = NewLead();
  auto a =
      Run("SELECT c->'first_name'->>'new', c->'first_name' ? 'old', c->'first_name'->>'old', "
          "c ? 'lead_score_factors', c ? 'metadata', c ? 'version' "
          "FROM (SELECT lead_audit_changes(changes, created_values) AS c FROM lead_audit_log "
          "      WHERE lead_id = $1 AND action = 'create') x",
          Params().Add(id));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->size(), 1);
  EXPECT_EQ(a->Get(0, 0), "Ada");
  EXPECT_EQ(a->Get(0, 1), "t");
  EXPECT_TRUE(a->IsNull(0, 2));
  EXPECT_EQ(a->Get(0, 3), "f") << "NULL columns are left out";
  EXPECT_EQ(a->Get(0, 4), "f") << "empty {} is left out";
  EXPECT_EQ(a->Get(0, 5), "f") << "bookkeeping columns are not audited";
}

TEST_F(SchemaRules, DncFunctionHonoursExpiry) {
  ASSERT_TRUE(Run("INSERT INTO dnc_list (organization_id, phone, reason, expires_at) VALUES "
                  "(app_current_org(), '+12065550150', 'asked', now() + interval '1 day'), "
                  "(app_current_org(), '+12065550151', 'asked', now() - interval '1 day')")
                  .ok());
  auto r =
      Run("SELECT is_on_dnc_list('+12065550150', app_current_org()), "
          "is_on_dnc_list('+12065550151', app_current_org()), "
          "is_on_dnc_list('+12065550152', app_current_org())");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->Get(0, 0), "t");
  EXPECT_EQ(r->Get(0, 1), "f") << "expired entries no longer block";
  EXPECT_EQ(r->Get(0, 2), "f");
}

}  // namespace
}  // namespace leadline
