// Hermetic databases for tests: each test gets its own database, copied from a migrated
// template in the cluster that CTest's fixture started (LEADLINE_TEST_PG).
#pragma once

#include <memory>
#include <string>

#include "auth/auth_service.h"
#include "db/pool.h"

namespace leadline::testing {

class TestDatabase {
 public:
  // A new database; `migrated` copies the migrated template, otherwise it is empty.
  static std::unique_ptr<TestDatabase> Create(bool migrated = true);
  ~TestDatabase();

  const std::string& name() const { return name_; }
  // Connects as the cluster superuser (the migration owner).
  std::string conninfo() const;
  db::Pool& owner_pool() { return *owner_pool_; }
  // Connects as the owner and SET ROLE leadline_app, exactly like the server.
  db::Pool& app_pool() { return *app_pool_; }

  // A new organization with an admin; returns ids and the admin's API key.
  auth::NewOrganization CreateOrganization(const std::string& name = "Test Org",
                                           const std::string& admin_email = "admin@example.com",
                                           const std::string& password = "correct-horse-1");

 private:
  TestDatabase() = default;
  std::string name_;
  std::unique_ptr<db::Pool> owner_pool_;
  std::unique_ptr<db::Pool> app_pool_;
};

// The cluster-level conninfo (without dbname).
std::string ClusterConninfo();
std::string SourceDir();

}  // namespace leadline::testing
