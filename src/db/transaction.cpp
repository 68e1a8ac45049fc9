#include "db/transaction.h"

namespace leadline::db {
namespace {

constexpr Query kSetTenant{
    "tx_set_tenant",
    "SELECT set_config('app.organization_id', $1, true), set_config('app.user_id', $2, true), "
    "set_config('app.client_ip', $3, true), set_config('app.user_agent', $4, true), "
    "set_config('app.change_source', $5, true), set_config('app.audit_action', '', true)"};
constexpr Query kBegin{"tx_begin", "BEGIN"};
constexpr Query kBeginSnapshot{"tx_begin_snapshot",
                               "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"};
constexpr Query kSetLocal{"tx_set_local", "SELECT set_config($1, $2, true)"};

Params TenantParams(const TenantContext& ctx) {
  return Params()
      .Add(ctx.organization_id)
      .Add(ctx.user_id)
      .Add(ctx.client_ip)
      .Add(ctx.user_agent)
      .Add(ctx.change_source);
}

}  // namespace

// BEGIN and the tenant settings travel in one pipeline: one round trip where a transaction
// used to spend two before its first statement. The Sync that ends the pipeline does not
// commit an explicit transaction block, so the transaction stays open for `fn`.
Result<Transaction> Transaction::Begin(Pool& pool, const TenantContext& ctx, TransactionMode mode) {
  ASSIGN_OR_RETURN(PooledConnection conn, pool.Acquire());
  Transaction tx(std::move(conn));  // from here on, a failure rolls back on destruction
  const Params none;
  const Params tenant = TenantParams(ctx);
  const Query& begin = mode == TransactionMode::kReadOnlySnapshot ? kBeginSnapshot : kBegin;
  ASSIGN_OR_RETURN(std::vector<Rows> ignored,
                   tx.connection().ExecPipeline({{&begin, &none}, {&kSetTenant, &tenant}}));
  return tx;
}

Transaction::~Transaction() {
  if (open_) {
    // A failed rollback means the connection is broken; the pool drops it on release.
    (void)conn_->ExecScript("ROLLBACK");
  }
}

Status Transaction::SetLocal(std::string_view key, std::string_view value) {
  return Exec(kSetLocal, Params().Add(key).Add(value)).status();
}

Status Transaction::Commit() {
  open_ = false;
  return conn_->ExecScript("COMMIT");
}

Status RunInTransaction(Pool& pool, const TenantContext& ctx,
                        const std::function<Status(Transaction&)>& fn, TransactionMode mode) {
  Status last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto tx = Transaction::Begin(pool, ctx, mode);
    if (!tx.ok()) return tx.status();
    last = fn(*tx);
    if (last.ok()) last = tx->Commit();
    if (last.code() != StatusCode::kAborted) return last;
  }
  return last;
}

Result<Rows> ReadInTenant(Pool& pool, const TenantContext& ctx, const Query& q,
                          const Params& params) {
  ASSIGN_OR_RETURN(PooledConnection conn, pool.Acquire());
  const Params tenant = TenantParams(ctx);
  ASSIGN_OR_RETURN(std::vector<Rows> results,
                   conn->ExecPipeline({{&kSetTenant, &tenant}, {&q, &params}}));
  return std::move(results[1]);
}

}  // namespace leadline::db
