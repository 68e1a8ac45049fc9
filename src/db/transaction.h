// A transaction that carries the tenant. Every tenant-scoped statement runs inside one, so
// row-level security sees app.organization_id (and the audit triggers see the actor).
#pragma once

#include <functional>
#include <string>

#include "core/status.h"
#include "db/connection.h"
#include "db/pool.h"

namespace leadline::db {

// Who is acting; copied into transaction-local settings read by policies and triggers.
struct TenantContext {
  std::string organization_id;  // empty = no tenant: RLS then shows no rows
  std::string user_id{};
  std::string client_ip{};
  std::string user_agent{};
  std::string change_source = "api";  // what triggered a change: api, import, sequence, ...
};

// kReadWrite: PostgreSQL's default (READ COMMITTED: each statement sees the data committed
// when it starts). kReadOnlySnapshot: REPEATABLE READ READ ONLY, every statement sees the
// same snapshot, for reads made of several statements that must agree (such a transaction
// never fails with a serialization error; any write in it is an error).
enum class TransactionMode { kReadWrite, kReadOnlySnapshot };

class Transaction {
 public:
  // Borrows a connection, BEGINs and sets the tenant settings with SET LOCAL semantics.
  static Result<Transaction> Begin(Pool& pool, const TenantContext& ctx,
                                   TransactionMode mode = TransactionMode::kReadWrite);

  Transaction(Transaction&& other) noexcept : conn_(std::move(other.conn_)), open_(other.open_) {
    other.open_ = false;
  }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();  // rolls back unless committed

  Result<Rows> Exec(const Query& q, const Params& params = {}) { return conn_->Exec(q, params); }
  Result<Rows> Exec(std::string_view sql, const Params& params = {}) {
    return conn_->Exec(sql, params);
  }
  // Sets a transaction-local setting (e.g. app.audit_action) through a bound parameter.
  Status SetLocal(std::string_view key, std::string_view value);
  Connection& connection() { return *conn_; }

  Status Commit();

 private:
  explicit Transaction(PooledConnection conn) : conn_(std::move(conn)) {}
  PooledConnection conn_;
  bool open_ = true;
};

// Runs `fn` in a tenant transaction and commits; retries up to 3 times when the database
// reports a serialization failure or deadlock (kAborted).
Status RunInTransaction(Pool& pool, const TenantContext& ctx,
                        const std::function<Status(Transaction&)>& fn,
                        TransactionMode mode = TransactionMode::kReadWrite);

// Runs one statement as `ctx` in a single network round trip: the tenant settings and `q`
// travel together in libpq pipeline mode and run in one implicit transaction that commits
// when they are done (Connection::ExecPipeline), where Transaction::Begin + Exec + Commit
// needs three (BEGIN with the settings, the statement, COMMIT). Meant for services whose whole
// transaction is one read; row-level security and the settings behave exactly as in a
// Transaction. Errors: those of Pool::Acquire and of the statement (no retry).
Result<Rows> ReadInTenant(Pool& pool, const TenantContext& ctx, const Query& q,
                          const Params& params = {});

}  // namespace leadline::db
