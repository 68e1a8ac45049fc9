// Migrations against a real database: up, down, up again; a tampered migration is refused.
#include <gtest/gtest.h>

#include "db/connection.h"
#include "db/migrator.h"
#include "support/test_db.h"

namespace leadline {
namespace {

using testing::TestDatabase;

int64_t Count(db::Connection& c, const std::string& sql) {
  auto r = c.Exec(sql);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r->GetInt(0, 0) : -1;
}

constexpr char kUserTables[] =
    "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> "
    "'schema_migrations'";

TEST(Migrations, UpDownUpRoundTrip) {
  auto tdb = TestDatabase::Create(/*migrated=*/false);
  auto conn = db::Connection::Open(tdb->conninfo());
  ASSERT_TRUE(conn.ok());
  db::Migrator m(**conn, db::BuiltinMigrations());

  auto up = m.Up();
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(*up, static_cast<int>(db::BuiltinMigrations().size()));
  int64_t tables = Count(**conn, kUserTables);
  EXPECT_GE(tables, 16);  // identity (4) + reference (2) + the 12 CRM tables

  auto again = m.Up();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0) << "a second up applies nothing";

  auto down = m.Down(0);
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  EXPECT_EQ(Count(**conn, kUserTables), 0) << "down removes every table";
  EXPECT_EQ(Count(**conn,
                  "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = "
                  "p.pronamespace WHERE n.nspname = 'public' AND p.proname LIKE 'app_%'"),
            0)
      << "down removes our functions";

  auto up2 = m.Up();
  ASSERT_TRUE(up2.ok()) << up2.status().ToString();
  EXPECT_EQ(Count(**conn, kUserTables), tables);
}

TEST(Migrations, StepwiseUpAndDownTo) {
  auto tdb = TestDatabase::Create(false);
  auto conn = db::Connection::Open(tdb->conninfo());
  ASSERT_TRUE(conn.ok());
  db::Migrator m(**conn, db::BuiltinMigrations());
  ASSERT_TRUE(m.Up(1).ok());
  EXPECT_EQ(*m.CurrentVersion(), 1);
  ASSERT_TRUE(m.Up(2).ok());
  EXPECT_EQ(*m.CurrentVersion(), 2);
  ASSERT_TRUE(m.Down(1).ok());
  EXPECT_EQ(*m.CurrentVersion(), 1);
  auto state = m.State();
  ASSERT_TRUE(state.ok());
  ASSERT_EQ(state->size(), db::BuiltinMigrations().size());
  EXPECT_TRUE((*state)[0].applied);
  EXPECT_FALSE((*state)[1].applied);
}

TEST(Migrations, ChangedChecksumIsRefused) {
  auto tdb = TestDatabase::Create(false);
  auto conn = db::Connection::Open(tdb->conninfo());
  ASSERT_TRUE(conn.ok());
  {
    db::Migrator m(**conn, db::BuiltinMigrations());
    ASSERT_TRUE(m.Up().ok());
  }
  auto tampered = db::BuiltinMigrations();
  tampered[0].up_sql += "\n-- edited after it was applied\n";
  db::Migrator m(**conn, tampered);
  auto r = m.Up();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("checksum"), std::string::npos) << r.status().message();
  EXPECT_FALSE(m.Down(0).ok()) << "down is refused too";
}

TEST(Migrations, FailedMigrationLeavesNothingBehind) {
  auto tdb = TestDatabase::Create(false);
  auto conn = db::Connection::Open(tdb->conninfo());
  ASSERT_TRUE(conn.ok());
  auto broken = db::BuiltinMigrations();
  broken[1].up_sql += "\nSELECT no_such_function();\n";
  db::Migrator m(**conn, broken);
  auto r = m.Up();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(*m.CurrentVersion(), 1) << "0001 applied, 0002 rolled back whole";
  EXPECT_EQ(Count(**conn, "SELECT count(*) FROM pg_tables WHERE tablename = 'leads'"), 0);
}

TEST(Migrations, FileNamesAreValidated) {
  std::vector<db::EmbeddedFile> files = {{"0001_a.up.sql", "SELECT 1"}};
  EXPECT_FALSE(db::MigrationsFromFiles(files).ok()) << "up without down";
  files = {{"1_a.up.sql", "SELECT 1"}, {"1_a.down.sql", "SELECT 1"}};
  EXPECT_FALSE(db::MigrationsFromFiles(files).ok()) << "unpadded version";
}

}  // namespace
}  // namespace leadline
