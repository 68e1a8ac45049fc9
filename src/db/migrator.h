// Schema migrations: numbered up/down SQL files embedded at build time, applied in order
// under an advisory lock, recorded in schema_migrations with a checksum. A migration whose
// text changed after it was applied is refused, never re-run.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "db/connection.h"
#include "db/embedded_sql.h"

namespace leadline::db {

struct Migration {
  int version = 0;
  std::string name;  // "identity" for 0001_identity.up.sql
  std::string up_sql;
  std::string down_sql;
  std::string checksum() const;  // SHA-256 hex of up_sql
};

struct MigrationState {
  int version;
  std::string name;
  bool applied;
  std::string applied_at;  // empty when pending
};

// Builds the list from file pairs named NNNN_name.up.sql / NNNN_name.down.sql.
// kInternal when a file is misnamed or an up file lacks its down file.
Result<std::vector<Migration>> MigrationsFromFiles(const std::vector<EmbeddedFile>& files);
// The migrations compiled into this binary.
const std::vector<Migration>& BuiltinMigrations();

class Migrator {
 public:
  // `conn` must be the owner role's connection (not the server's restricted role).
  Migrator(Connection& conn, std::vector<Migration> migrations)
      : conn_(conn), migrations_(std::move(migrations)) {}

  // Applies pending migrations up to `target` (-1 = all). Each runs in its own transaction.
  // kFailedPrecondition-like kConflict when an applied migration's checksum changed.
  Result<int> Up(int target = -1);
  // Reverts applied migrations with version > target, newest first.
  Result<int> Down(int target);
  Result<std::vector<MigrationState>> State();
  // Highest applied version, 0 when none.
  Result<int> CurrentVersion();

 private:
  Status EnsureTable();
  Status VerifyChecksums();
  Connection& conn_;
  std::vector<Migration> migrations_;
};

}  // namespace leadline::db
