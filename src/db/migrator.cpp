#include "db/migrator.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "core/crypto.h"

namespace leadline::db {
namespace {

// Arbitrary constant shared by every leadline process: only one migrates at a time.
constexpr int64_t kMigrationLockKey = 7305911004;

class AdvisoryLock {
 public:
  explicit AdvisoryLock(Connection& c) : c_(c) {}
  Status Acquire() {
    return c_.Exec("SELECT pg_advisory_lock($1)", Params().Add(kMigrationLockKey)).status();
  }
  ~AdvisoryLock() {
    (void)c_.Exec("SELECT pg_advisory_unlock($1)", Params().Add(kMigrationLockKey));
  }

 private:
  Connection& c_;
};

}  // namespace

std::string Migration::checksum() const { return crypto::Sha256Hex(up_sql); }

Result<std::vector<Migration>> MigrationsFromFiles(const std::vector<EmbeddedFile>& files) {
  std::map<int, Migration> by_version;
  std::map<int, int> halves;
  for (const auto& f : files) {
    std::string name(f.name);
    bool up = name.ends_with(".up.sql");
    bool down = name.ends_with(".down.sql");
    size_t underscore = name.find('_');
    if ((!up && !down) || underscore != 4) {
      return Internal("migration file '" + name + "' is not named NNNN_name.up.sql/.down.sql");
    }
    int version = std::stoi(name.substr(0, 4));
    Migration& m = by_version[version];
    m.version = version;
    m.name = name.substr(5, name.size() - 5 - (up ? 7 : 9));
    (up ? m.up_sql : m.down_sql) = std::string(f.text);
    halves[version] += up ? 1 : 2;
  }
  std::vector<Migration> out;
  for (auto& [v, m] : by_version) {
    if (halves[v] != 3) {
      return Internal("migration " + std::to_string(v) + " needs both an up and a down file");
    }
    out.push_back(std::move(m));
  }
  return out;
}

const std::vector<Migration>& BuiltinMigrations() {
  static const std::vector<Migration> migrations = [] {
    auto r = MigrationsFromFiles(EmbeddedMigrationFiles());
    if (!r.ok()) throw std::runtime_error(r.status().ToString());  // a build defect
    return std::move(r).value();
  }();
  return migrations;
}

Status Migrator::EnsureTable() {
  return conn_.ExecScript(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
      " applied_at timestamptz NOT NULL DEFAULT now())");
}

Status Migrator::VerifyChecksums() {
  ASSIGN_OR_RETURN(Rows rows, conn_.Exec("SELECT version, checksum FROM schema_migrations"));
  for (int i = 0; i < rows.size(); ++i) {
    int version = static_cast<int>(rows.GetInt(i, 0));
    auto it = std::find_if(migrations_.begin(), migrations_.end(),
                           [&](const Migration& m) { return m.version == version; });
    if (it == migrations_.end()) {
      return Conflict("database has migration " + std::to_string(version) +
                      " which this binary does not know; use a newer leadline");
    }
    if (it->checksum() != rows.Get(i, 1)) {
      return Conflict("migration " + std::to_string(version) + " (" + it->name +
                      ") was changed after it was applied: checksum mismatch; migrations "
                      "must never be edited once applied — add a new one instead");
    }
  }
  return Status::Ok();
}

Result<int> Migrator::CurrentVersion() {
  RETURN_IF_ERROR(EnsureTable());
  ASSIGN_OR_RETURN(Rows rows,
                   conn_.Exec("SELECT coalesce(max(version), 0) FROM schema_migrations"));
  return static_cast<int>(rows.GetInt(0, 0));
}

Result<int> Migrator::Up(int target) {
  RETURN_IF_ERROR(EnsureTable());
  AdvisoryLock lock(conn_);
  RETURN_IF_ERROR(lock.Acquire());
  RETURN_IF_ERROR(VerifyChecksums());
  ASSIGN_OR_RETURN(int current, CurrentVersion());
  int applied = 0;
  for (const auto& m : migrations_) {
    if (m.version <= current || (target >= 0 && m.version > target)) continue;
    spdlog::info("applying migration {:04d}_{}", m.version, m.name);
    RETURN_IF_ERROR(conn_.ExecScript("BEGIN"));
    Status st = conn_.ExecScript(m.up_sql);
    if (st.ok()) {
      st = conn_
               .Exec("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                     Params().Add(m.version).Add(m.name).Add(m.checksum()))
               .status();
    }
    if (!st.ok()) {
      (void)conn_.ExecScript("ROLLBACK");
      return Status(st.code(), "migration " + std::to_string(m.version) + " (" + m.name +
                                   ") failed: " + st.message());
    }
    RETURN_IF_ERROR(conn_.ExecScript("COMMIT"));
    ++applied;
  }
  return applied;
}

Result<int> Migrator::Down(int target) {
  RETURN_IF_ERROR(EnsureTable());
  AdvisoryLock lock(conn_);
  RETURN_IF_ERROR(lock.Acquire());
  RETURN_IF_ERROR(VerifyChecksums());
  ASSIGN_OR_RETURN(Rows rows, conn_.Exec("SELECT version FROM schema_migrations WHERE version > $1 "
                                         "ORDER BY version DESC",
                                         Params().Add(target)));
  int reverted = 0;
  for (int i = 0; i < rows.size(); ++i) {
    int version = static_cast<int>(rows.GetInt(i, 0));
    auto it = std::find_if(migrations_.begin(), migrations_.end(),
                           [&](const Migration& m) { return m.version == version; });
    spdlog::info("reverting migration {:04d}_{}", it->version, it->name);
    RETURN_IF_ERROR(conn_.ExecScript("BEGIN"));
    Status st = conn_.ExecScript(it->down_sql);
    if (st.ok()) {
      st = conn_.Exec("DELETE FROM schema_migrations WHERE version = $1", Params().Add(version))
               .status();
    }
    if (!st.ok()) {
      (void)conn_.ExecScript("ROLLBACK");
      return Status(st.code(),
                    "reverting migration " + std::to_string(version) + " failed: " + st.message());
    }
    RETURN_IF_ERROR(conn_.ExecScript("COMMIT"));
    ++reverted;
  }
  return reverted;
}

Result<std::vector<MigrationState>> Migrator::State() {
  RETURN_IF_ERROR(EnsureTable());
  ASSIGN_OR_RETURN(Rows rows,
                   conn_.Exec("SELECT version, to_char(applied_at AT TIME ZONE 'UTC', "
                              "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM schema_migrations"));
  std::map<int, std::string> applied;
  for (int i = 0; i < rows.size(); ++i) {
    applied[static_cast<int>(rows.GetInt(i, 0))] = std::string(rows.Get(i, 1));
  }
  std::vector<MigrationState> out;
  for (const auto& m : migrations_) {
    auto it = applied.find(m.version);
    out.push_back({m.version, m.name, it != applied.end(), it != applied.end() ? it->second : ""});
  }
  return out;
}

}  // namespace leadline::db
