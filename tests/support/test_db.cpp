#include "support/test_db.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <random>
#include <thread>

#include "core/crypto.h"
#include "db/connection.h"
#include "db/migrator.h"

namespace leadline::testing {
namespace {

std::string TemplateName() {
  std::string all;
  for (const auto& m : db::BuiltinMigrations()) all += m.checksum();
  return "leadline_tmpl_" + crypto::Sha256Hex(all).substr(0, 12);
}

std::unique_ptr<db::Connection> MustConnect(const std::string& conninfo) {
  auto c = db::Connection::Open(conninfo);
  if (!c.ok()) throw std::runtime_error(c.status().ToString());
  return std::move(c).value();
}

void Must(const Status& st) {
  if (!st.ok()) throw std::runtime_error(st.ToString());
}

// Creates the migrated template once per cluster; an advisory lock serialises parallel tests.
void EnsureTemplate() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto admin = MustConnect(ClusterConninfo() + " dbname=postgres");
    Must(admin->Exec("SELECT pg_advisory_lock(4242)").status());
    auto exists = admin->Exec("SELECT 1 FROM pg_database WHERE datname = $1",
                              db::Params().Add(TemplateName()));
    Must(exists.status());
    if (exists->empty()) {
      std::string tmp = TemplateName() + "_building";
      Must(admin->ExecScript("DROP DATABASE IF EXISTS " + db::QuoteIdentifier(tmp)));
      Must(admin->ExecScript("CREATE DATABASE " + db::QuoteIdentifier(tmp)));
      {
        auto conn = MustConnect(ClusterConninfo() + " dbname=" + tmp);
        db::Migrator m(*conn, db::BuiltinMigrations());
        auto applied = m.Up();
        if (!applied.ok()) throw std::runtime_error(applied.status().ToString());
      }
      Must(admin->ExecScript("ALTER DATABASE " + db::QuoteIdentifier(tmp) + " RENAME TO " +
                             db::QuoteIdentifier(TemplateName())));
    }
    Must(admin->Exec("SELECT pg_advisory_unlock(4242)").status());
  });
}

}  // namespace

std::string ClusterConninfo() {
  const char* dsn = std::getenv("LEADLINE_TEST_PG");
  if (dsn == nullptr || *dsn == '\0') {
    throw std::runtime_error("LEADLINE_TEST_PG is not set: run tests through ctest");
  }
  return dsn;
}

std::string SourceDir() {
  const char* d = std::getenv("LEADLINE_SOURCE_DIR");
  return d ? d : ".";
}

std::unique_ptr<TestDatabase> TestDatabase::Create(bool migrated) {
  if (migrated) EnsureTemplate();
  std::random_device rd;
  auto db = std::unique_ptr<TestDatabase>(new TestDatabase());
  db->name_ =
      "t_" +
      crypto::ToHex(crypto::Sha256(std::to_string(rd()) + std::to_string(rd()))).substr(0, 16);
  auto admin = MustConnect(ClusterConninfo() + " dbname=postgres");
  std::string sql = "CREATE DATABASE " + db::QuoteIdentifier(db->name_);
  if (migrated) sql += " TEMPLATE " + db::QuoteIdentifier(TemplateName());
  Status st;
  for (int attempt = 0; attempt < 20; ++attempt) {  // a parallel copy may hold the template
    st = admin->ExecScript(sql);
    if (st.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  Must(st);
  db::PoolOptions owner;
  owner.conninfo = db->conninfo();
  owner.max_connections = 4;
  db->owner_pool_ = std::make_unique<db::Pool>(owner);
  db::PoolOptions app = owner;
  app.role = "leadline_app";
  app.max_connections = 8;
  db->app_pool_ = std::make_unique<db::Pool>(app);
  return db;
}

TestDatabase::~TestDatabase() {
  owner_pool_.reset();
  app_pool_.reset();
  try {
    auto admin = MustConnect(ClusterConninfo() + " dbname=postgres");
    (void)admin->ExecScript("DROP DATABASE IF EXISTS " + db::QuoteIdentifier(name_) +
                            " WITH (FORCE)");
  } catch (...) {
    // Leftover databases vanish with the cluster at the end of the run.
  }
}

std::string TestDatabase::conninfo() const { return ClusterConninfo() + " dbname=" + name_; }

auth::NewOrganization TestDatabase::CreateOrganization(const std::string& name,
                                                       const std::string& admin_email,
                                                       const std::string& password) {
  auth::AuthService auth(owner_pool());
  auto org = auth.CreateOrganization(name, admin_email, password);
  if (!org.ok()) throw std::runtime_error(org.status().ToString());
  return *org;
}

}  // namespace leadline::testing
