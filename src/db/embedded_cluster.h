// A private PostgreSQL cluster in a data directory: initdb on first use, started with
// pg_ctl, reachable only through a Unix socket inside the directory (no TCP port).
// When we are root, the cluster runs as the `postgres` system user (PostgreSQL refuses root).
#pragma once

#include <string>

#include "core/status.h"

namespace leadline::db {

struct EmbeddedClusterOptions {
  std::string data_dir = "./var";
  std::string database = "leadline";
  std::string bin_dir;  // empty: LEADLINE_PG_BIN, else the newest /usr/lib/postgresql/*/bin
};

class EmbeddedCluster {
 public:
  explicit EmbeddedCluster(EmbeddedClusterOptions options);
  ~EmbeddedCluster();  // stops the cluster if this object started it
  EmbeddedCluster(const EmbeddedCluster&) = delete;
  EmbeddedCluster& operator=(const EmbeddedCluster&) = delete;

  // Initialises (first run) and starts the cluster unless it is already running (e.g. a
  // `leadline serve` owns it), and creates the database. Errors: kUnavailable with a
  // sentence saying what to do (binaries missing, directory owned by someone else, ...).
  Status Start();
  // Stops the cluster if this object started it. Idempotent.
  Status Stop();

  // libpq conninfo for the database (valid after Start).
  std::string conninfo() const { return ConninfoFor(options_.database); }
  std::string ConninfoFor(const std::string& database) const;
  bool started_here() const { return started_here_; }
  const std::string& socket_dir() const { return socket_dir_; }

 private:
  Status Run(const std::vector<std::string>& argv, const std::string& what);
  std::string Bin(const std::string& program) const { return bin_dir_ + "/" + program; }

  EmbeddedClusterOptions options_;
  std::string data_dir_;  // absolute
  std::string pgdata_;
  std::string socket_dir_;
  std::string bin_dir_;
  std::string run_as_;  // "postgres" when root
  bool started_here_ = false;
};

// Where the database is: DATABASE_URL if set, else the embedded cluster in `data_dir`
// (started for this process's lifetime if no other process runs it).
class DatabaseLocation {
 public:
  Status Open(const std::string& data_dir);
  const std::string& conninfo() const { return conninfo_; }
  bool embedded() const { return cluster_ != nullptr; }
  EmbeddedCluster* cluster() { return cluster_.get(); }
  Status Close();

 private:
  std::unique_ptr<EmbeddedCluster> cluster_;
  std::string conninfo_;
};

}  // namespace leadline::db
