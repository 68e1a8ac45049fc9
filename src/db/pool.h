// A fixed-size connection pool. Thread-safe. Connections are opened lazily and dropped
// when found broken, so a database restart heals without restarting the server.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "db/connection.h"

namespace leadline::db {

struct PoolOptions {
  std::string conninfo;
  int max_connections = 16;
  // When set, every connection runs SET ROLE <role> once after connecting: the server acts as
  // a role that owns nothing and is subject to row-level security.
  std::string role;
  std::chrono::milliseconds acquire_timeout{5000};
};

class Pool;

// Borrowed connection; returns to the pool when destroyed.
class PooledConnection {
 public:
  PooledConnection(Pool* pool, std::unique_ptr<Connection> conn)
      : pool_(pool), conn_(std::move(conn)) {}
  PooledConnection(PooledConnection&&) noexcept = default;
  PooledConnection& operator=(PooledConnection&&) noexcept = default;
  ~PooledConnection();
  Connection& operator*() { return *conn_; }
  Connection* operator->() { return conn_.get(); }

 private:
  Pool* pool_;
  std::unique_ptr<Connection> conn_;
};

class Pool {
 public:
  explicit Pool(PoolOptions options) : options_(std::move(options)) {}
  // Waits up to acquire_timeout for a free connection; kUnavailable when none or when
  // connecting fails.
  Result<PooledConnection> Acquire();
  const PoolOptions& options() const { return options_; }

 private:
  friend class PooledConnection;
  void Release(std::unique_ptr<Connection> conn);

  PoolOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;  // GUARDED_BY(mu_)
  int open_ = 0;                                   // GUARDED_BY(mu_): idle + borrowed
};

}  // namespace leadline::db
