#include "db/embedded_cluster.h"

#include <pwd.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "core/process.h"
#include "db/connection.h"

namespace leadline::db {
namespace fs = std::filesystem;
namespace {

constexpr int kPort = 5432;  // only names the socket file; no TCP listener

// Settings for a cluster Leadline owns, appended to postgresql.conf once after initdb (an
// operator's ALTER SYSTEM still wins). PostgreSQL's defaults (128 MB of buffers, a checkpoint
// per 1 GB of WAL) are sized for a small shared host: a million-lead organization's indexes
// would not stay in memory, and an import would checkpoint, and write every page whole again,
// every few seconds. No JIT: it compiles for tens of milliseconds on queries whose estimated
// cost is high, which an interactive request should never pay. Durability stays on.
std::string TuningFor(uint64_t memory_bytes) {
  constexpr uint64_t kMb = 1024 * 1024;
  const uint64_t memory_mb = std::max<uint64_t>(memory_bytes / kMb, 1024);
  const uint64_t shared_mb = std::clamp<uint64_t>(memory_mb / 4, 128, 2048);
  return fmt::format(
      "\n# Leadline: sized for this machine ({} MB of memory) when the cluster was created\n"
      "shared_buffers = '{}MB'\n"
      "effective_cache_size = '{}MB'\n"
      "work_mem = '16MB'\n"
      "maintenance_work_mem = '256MB'\n"
      "max_wal_size = '8GB'\n"
      "min_wal_size = '1GB'\n"
      "checkpoint_timeout = '15min'\n"
      "checkpoint_completion_target = 0.9\n"
      "wal_compression = lz4\n"
      "random_page_cost = 1.1\n"
      "jit = off\n",
      memory_mb, shared_mb, memory_mb / 2);
}

uint64_t PhysicalMemoryBytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page_size > 0
             ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size)
             : 0;
}

std::string FindBinDir(const std::string& configured) {
  if (!configured.empty()) return configured;
  if (const char* env = std::getenv("LEADLINE_PG_BIN"); env && *env) return env;
  std::vector<fs::path> candidates;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    if (fs::exists(entry.path() / "bin" / "initdb")) candidates.push_back(entry.path() / "bin");
  }
  if (candidates.empty()) return "";
  // Highest major version wins ("15" > "13"); compare numerically.
  std::sort(candidates.begin(), candidates.end(), [](const fs::path& a, const fs::path& b) {
    return std::atoi(a.parent_path().filename().c_str()) <
           std::atoi(b.parent_path().filename().c_str());
  });
  return candidates.back().string();
}

std::string OwnerName(const fs::path& p) {
  struct stat st {};
  if (stat(p.c_str(), &st) != 0) return "";
  struct passwd* pw = getpwuid(st.st_uid);
  return pw ? pw->pw_name : std::to_string(st.st_uid);
}

std::string CurrentUserName() {
  struct passwd* pw = getpwuid(geteuid());
  return pw ? pw->pw_name : std::to_string(geteuid());
}

Status ChownTo(const fs::path& p, const std::string& user) {
  struct passwd* pw = getpwnam(user.c_str());
  if (!pw) return Unavailable("system user '" + user + "' does not exist");
  if (chown(p.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
    return Unavailable("cannot give " + p.string() + " to user " + user);
  }
  return Status::Ok();
}

}  // namespace

EmbeddedCluster::EmbeddedCluster(EmbeddedClusterOptions options) : options_(std::move(options)) {}

EmbeddedCluster::~EmbeddedCluster() { (void)Stop(); }

std::string EmbeddedCluster::ConninfoFor(const std::string& database) const {
  return "host=" + socket_dir_ + " port=" + std::to_string(kPort) +
         " user=postgres dbname=" + database;
}

Status EmbeddedCluster::Run(const std::vector<std::string>& argv, const std::string& what) {
  ASSIGN_OR_RETURN(ProcessResult r, RunProcess(argv, run_as_));
  if (r.exit_code != 0) {
    return Unavailable(what + " failed (exit " + std::to_string(r.exit_code) + "): " + r.output);
  }
  return Status::Ok();
}

Status EmbeddedCluster::Start() {
  bin_dir_ = FindBinDir(options_.bin_dir);
  if (bin_dir_.empty() || !fs::exists(Bin("initdb")) || !fs::exists(Bin("pg_ctl"))) {
    return Unavailable(
        "PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin and "
        "LEADLINE_PG_BIN): install them with `make deps` (Debian package postgresql-15), or set "
        "DATABASE_URL to use an existing server");
  }
  std::error_code ec;
  fs::create_directories(options_.data_dir, ec);
  if (ec)
    return Unavailable("cannot create data directory " + options_.data_dir + ": " + ec.message());
  data_dir_ = fs::canonical(options_.data_dir).string();
  pgdata_ = data_dir_ + "/pgdata";
  socket_dir_ = data_dir_ + "/run";
  if (socket_dir_.size() + 20 > 107) {
    return Unavailable("data directory path is too long for a Unix socket: " + data_dir_ +
                       " (choose a shorter --data-dir)");
  }
  run_as_ = IsRoot() ? "postgres" : "";
  const std::string cluster_user = IsRoot() ? "postgres" : CurrentUserName();

  for (const auto& dir : {pgdata_, socket_dir_}) {
    if (fs::exists(dir)) {
      std::string owner = OwnerName(dir);
      if (owner != cluster_user) {
        return Unavailable("data directory " + dir + " belongs to user '" + owner +
                           "', but the cluster must run as '" + cluster_user +
                           "'; run as that user or choose another --data-dir");
      }
      continue;
    }
    fs::create_directories(dir, ec);
    if (ec) return Unavailable("cannot create " + dir + ": " + ec.message());
    fs::permissions(dir, fs::perms::owner_all, ec);
    if (IsRoot()) RETURN_IF_ERROR(ChownTo(dir, "postgres"));
  }
  if (IsRoot()) {
    auto probe = RunProcess({"test", "-w", pgdata_}, run_as_);
    if (!probe.ok() || probe->exit_code != 0) {
      return Unavailable("the postgres system user cannot reach " + pgdata_ +
                         " (a parent directory is closed to it); choose a --data-dir under a "
                         "directory it can enter, such as /var/lib/leadline");
    }
  }

  if (!fs::exists(pgdata_ + "/PG_VERSION")) {
    spdlog::info("initialising PostgreSQL cluster in {}", pgdata_);
    RETURN_IF_ERROR(Run({Bin("initdb"), "-D", pgdata_, "-U", "postgres", "-A", "trust", "-E",
                         "UTF8", "--locale=C.UTF-8"},
                        "initdb"));
    std::ofstream conf(pgdata_ + "/postgresql.conf", std::ios::app);
    conf << TuningFor(PhysicalMemoryBytes());
    if (!conf) return Unavailable("cannot write " + pgdata_ + "/postgresql.conf");
  }

  auto status = RunProcess({Bin("pg_ctl"), "status", "-D", pgdata_}, run_as_);
  bool running = status.ok() && status->exit_code == 0;
  if (!running) {
    spdlog::info("starting PostgreSQL ({})", pgdata_);
    std::string opts = "-k " + socket_dir_ + " -p " + std::to_string(kPort) +
                       " -c listen_addresses='' -c unix_socket_permissions=0700";
    Status st = Run({Bin("pg_ctl"), "start", "-D", pgdata_, "-w", "-t", "60", "-l",
                     pgdata_ + "/server.log", "-o", opts},
                    "starting PostgreSQL (see " + pgdata_ + "/server.log)");
    if (!st.ok()) {
      // Another process may have started it at the same moment; that is fine.
      auto again = RunProcess({Bin("pg_ctl"), "status", "-D", pgdata_}, run_as_);
      if (!again.ok() || again->exit_code != 0) return st;
    } else {
      started_here_ = true;
    }
  }

  ASSIGN_OR_RETURN(auto admin, Connection::Open(ConninfoFor("postgres")));
  ASSIGN_OR_RETURN(Rows rows, admin->Exec("SELECT 1 FROM pg_database WHERE datname = $1",
                                          Params().Add(options_.database)));
  if (rows.empty()) {
    Status st = admin->ExecScript("CREATE DATABASE " + QuoteIdentifier(options_.database));
    if (!st.ok() && st.code() != StatusCode::kAlreadyExists) return st;
  }
  return Status::Ok();
}

Status EmbeddedCluster::Stop() {
  if (!started_here_) return Status::Ok();
  started_here_ = false;
  spdlog::info("stopping PostgreSQL ({})", pgdata_);
  return Run({Bin("pg_ctl"), "stop", "-D", pgdata_, "-m", "fast", "-w", "-t", "60"},
             "stopping PostgreSQL");
}

Status DatabaseLocation::Open(const std::string& data_dir) {
  if (const char* url = std::getenv("DATABASE_URL"); url && *url) {
    conninfo_ = url;
    return Status::Ok();
  }
  EmbeddedClusterOptions opts;
  opts.data_dir = data_dir;
  cluster_ = std::make_unique<EmbeddedCluster>(opts);
  RETURN_IF_ERROR(cluster_->Start());
  conninfo_ = cluster_->conninfo();
  return Status::Ok();
}

Status DatabaseLocation::Close() {
  if (!cluster_) return Status::Ok();
  Status st = cluster_->Stop();
  cluster_.reset();
  return st;
}

}  // namespace leadline::db
