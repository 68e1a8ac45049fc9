// RAII libpq connection and result handles. Only src/db/ includes libpq; these headers
// forward-declare its types so callers never see them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/status.h"

struct pg_conn;
struct pg_result;

namespace leadline::db {

// A named SQL statement. Named ones are prepared once per connection on first use.
struct Query {
  const char* name;  // unique; "" = run unnamed (planned with the actual values every time)
  const char* sql;
};

// Text-format bind parameters; std::nullopt binds SQL NULL. Values are never spliced into SQL.
class Params {
 public:
  Params() = default;
  Params& Add(std::string_view v) {
    values_.emplace_back(std::string(v));
    return *this;
  }
  Params& Add(const char* v) { return Add(std::string_view(v)); }
  Params& Add(const std::string& v) { return Add(std::string_view(v)); }
  Params& Add(int64_t v) {
    values_.emplace_back(std::to_string(v));
    return *this;
  }
  Params& Add(int v) { return Add(static_cast<int64_t>(v)); }
  Params& Add(bool v) {
    values_.emplace_back(v ? "t" : "f");
    return *this;
  }
  Params& Add(const std::optional<std::string>& v) {
    values_.push_back(v);
    return *this;
  }
  Params& Add(const std::optional<int64_t>& v) {
    if (v) return Add(*v);
    return AddNull();
  }
  Params& AddNull() {
    values_.emplace_back(std::nullopt);
    return *this;
  }
  size_t size() const { return values_.size(); }
  const std::vector<std::optional<std::string>>& values() const { return values_; }

 private:
  std::vector<std::optional<std::string>> values_;
};

// Owns a PGresult. Values are text; accessors do not copy.
class Rows {
 public:
  Rows() = default;
  explicit Rows(pg_result* res);
  Rows(Rows&&) noexcept;
  Rows& operator=(Rows&&) noexcept;
  ~Rows();

  int size() const;
  int columns() const;
  bool empty() const { return size() == 0; }
  // Column index by name, -1 when absent.
  int Column(std::string_view name) const;
  bool IsNull(int row, int col) const;
  std::string_view Get(int row, int col) const;
  std::optional<std::string> GetOptional(int row, int col) const;
  int64_t GetInt(int row, int col) const;
  bool GetBool(int row, int col) const;
  // Number of rows affected by INSERT/UPDATE/DELETE.
  int64_t affected() const;

 private:
  pg_result* res_ = nullptr;
};

class Connection {
 public:
  // Connects with a libpq conninfo string or URI. Failure -> kUnavailable.
  static Result<std::unique_ptr<Connection>> Open(const std::string& conninfo);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Extended protocol, one statement, text results. Errors map SQLSTATE to a Status.
  Result<Rows> Exec(std::string_view sql, const Params& params = {});
  // Prepares `q` on this connection the first time it is used, then executes it.
  Result<Rows> Exec(const Query& q, const Params& params = {});
  // Simple protocol: several statements, no parameters (migrations, seeds, BEGIN).
  Status ExecScript(std::string_view sql);

  // One statement of ExecPipeline; both pointers must outlive the call.
  struct PipelineStep {
    const Query* query;
    const Params* params;
  };
  // Sends every step (preparing named queries not yet prepared here) in libpq pipeline mode,
  // then one Sync, and reads the results: one network round trip in all. Without BEGIN the
  // steps run in one implicit transaction that commits at the Sync, so transaction-local
  // settings made by a step hold for the steps after it. When a step fails, PostgreSQL skips
  // the rest and rolls the transaction back; the error returned is that step's. Must not be
  // called inside a transaction block (the steps would then join it and nothing commits);
  // a pipeline whose first step is BEGIN leaves that transaction open after the Sync.
  // On success, returns one Rows per step, in order.
  Result<std::vector<Rows>> ExecPipeline(const std::vector<PipelineStep>& steps);

  // COPY ... FROM STDIN: `produce` is called with a function that sends one chunk of COPY
  // text data; when it returns an error the COPY is aborted (nothing is written).
  Status CopyIn(
      std::string_view copy_sql,
      const std::function<Status(const std::function<Status(std::string_view)>&)>& produce);
  // COPY ... TO STDOUT: `consume` receives each row's text; returning false cancels.
  Status CopyOut(std::string_view copy_sql, const std::function<bool(std::string_view)>& consume);

  // LISTEN/NOTIFY: waits up to timeout_ms for one notification; nullopt on timeout.
  struct Notification {
    std::string channel;
    std::string payload;
  };
  Result<std::optional<Notification>> WaitForNotification(int timeout_ms);

  bool IsBroken() const;
  // Forgets prepared statements (after DISCARD ALL or a reconnect).
  void ForgetPrepared() { prepared_.clear(); }

 private:
  explicit Connection(pg_conn* conn) : conn_(conn) {}
  Result<Rows> Check(pg_result* res);
  pg_conn* conn_;
  std::unordered_set<std::string> prepared_;
  // Set when a pipeline could not be drained: the connection's protocol state is unknown,
  // so the pool must drop it.
  bool poisoned_ = false;
};

// Quotes an identifier for DDL that cannot take parameters (CREATE DATABASE name).
std::string QuoteIdentifier(std::string_view ident);

}  // namespace leadline::db
