#include "db/pool.h"

namespace leadline::db {

PooledConnection::~PooledConnection() {
  if (pool_ && conn_) pool_->Release(std::move(conn_));
}

Result<PooledConnection> Pool::Acquire() {
  {
    std::unique_lock lock(mu_);
    bool ready = cv_.wait_for(lock, options_.acquire_timeout,
                              [&] { return !idle_.empty() || open_ < options_.max_connections; });
    if (!ready) return Unavailable("no database connection available");
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return PooledConnection(this, std::move(conn));
    }
    ++open_;  // reserve a slot, connect outside the lock
  }
  auto opened = Connection::Open(options_.conninfo);
  if (opened.ok() && !options_.role.empty()) {
    Status st = (*opened)->ExecScript("SET ROLE " + QuoteIdentifier(options_.role));
    if (!st.ok()) opened = st;
  }
  if (!opened.ok()) {
    std::lock_guard lock(mu_);
    --open_;
    cv_.notify_one();
    return opened.status();
  }
  return PooledConnection(this, std::move(opened).value());
}

void Pool::Release(std::unique_ptr<Connection> conn) {
  std::lock_guard lock(mu_);
  if (conn->IsBroken()) {
    --open_;
  } else {
    idle_.push_back(std::move(conn));
  }
  cv_.notify_one();
}

}  // namespace leadline::db
