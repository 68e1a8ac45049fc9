// libpq wrappers. Every error leaves this file as a Status built by MakeError.
#include "db/connection.h"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <cstring>

#include "db/errors.h"

namespace leadline::db {
namespace {

Status MakeError(pg_conn* conn, const PGresult* res) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const char* constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : nullptr;
  std::string message = primary ? primary : (conn ? PQerrorMessage(conn) : "database error");
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  StatusCode code = StatusCode::kUnavailable;
  if (state != nullptr) {
    code = CodeForSqlState(state);
  } else if (conn != nullptr && PQstatus(conn) == CONNECTION_OK) {
    code = StatusCode::kInternal;
  }
  Status st(code, message);
  if (constraint != nullptr) st.WithConstraint(constraint);
  return st;
}

struct ParamArrays {
  std::vector<const char*> values;
  explicit ParamArrays(const Params& p) {
    values.reserve(p.size());
    for (const auto& v : p.values()) values.push_back(v ? v->c_str() : nullptr);
  }
};

}  // namespace

Rows::Rows(pg_result* res) : res_(res) {}
Rows::Rows(Rows&& o) noexcept : res_(o.res_) { o.res_ = nullptr; }
Rows& Rows::operator=(Rows&& o) noexcept {
  if (this != &o) {
    if (res_) PQclear(res_);
    res_ = o.res_;
    o.res_ = nullptr;
  }
  return *this;
}
Rows::~Rows() {
  if (res_) PQclear(res_);
}
int Rows::size() const { return res_ ? PQntuples(res_) : 0; }
int Rows::columns() const { return res_ ? PQnfields(res_) : 0; }
int Rows::Column(std::string_view name) const {
  if (!res_) return -1;
  std::string n(name);
  return PQfnumber(res_, n.c_str());
}
bool Rows::IsNull(int row, int col) const { return PQgetisnull(res_, row, col) != 0; }
std::string_view Rows::Get(int row, int col) const {
  return {PQgetvalue(res_, row, col), static_cast<size_t>(PQgetlength(res_, row, col))};
}
std::optional<std::string> Rows::GetOptional(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return std::string(Get(row, col));
}
int64_t Rows::GetInt(int row, int col) const {
  return std::strtoll(PQgetvalue(res_, row, col), nullptr, 10);
}
bool Rows::GetBool(int row, int col) const { return PQgetvalue(res_, row, col)[0] == 't'; }
int64_t Rows::affected() const {
  if (!res_) return 0;
  const char* n = PQcmdTuples(res_);
  return (n && *n) ? std::strtoll(n, nullptr, 10) : 0;
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& conninfo) {
  pg_conn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) return Unavailable("out of memory connecting to the database");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    PQfinish(conn);
    return Unavailable("cannot connect to the database: " + msg);
  }
  // Notices (e.g. "relation already exists, skipping") are not errors; keep them out of stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char* message) { spdlog::debug("postgres: {}", message); }, nullptr);
  return std::unique_ptr<Connection>(new Connection(conn));
}

Connection::~Connection() {
  if (conn_) PQfinish(conn_);
}

bool Connection::IsBroken() const { return poisoned_ || PQstatus(conn_) != CONNECTION_OK; }

Result<Rows> Connection::Check(pg_result* res) {
  ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) {
    return Rows(res);
  }
  Status error = MakeError(conn_, res);
  if (res) PQclear(res);
  return error;
}

Result<Rows> Connection::Exec(std::string_view sql, const Params& params) {
  std::string text(sql);
  ParamArrays arrays(params);
  return Check(PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr,
                            arrays.values.data(), nullptr, nullptr, 0));
}

Result<Rows> Connection::Exec(const Query& q, const Params& params) {
  if (q.name == nullptr || q.name[0] == '\0') return Exec(std::string_view(q.sql), params);
  if (!prepared_.contains(q.name)) {
    ASSIGN_OR_RETURN(Rows ignored, Check(PQprepare(conn_, q.name, q.sql, 0, nullptr)));
    prepared_.insert(q.name);
  }
  ParamArrays arrays(params);
  return Check(PQexecPrepared(conn_, q.name, static_cast<int>(params.size()), arrays.values.data(),
                              nullptr, nullptr, 0));
}

Status Connection::ExecScript(std::string_view sql) {
  std::string text(sql);
  if (!PQsendQuery(conn_, text.c_str())) return MakeError(conn_, nullptr);
  Status first_error;
  while (pg_result* res = PQgetResult(conn_)) {
    ExecStatusType st = PQresultStatus(res);
    if (first_error.ok() && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK &&
        st != PGRES_EMPTY_QUERY) {
      first_error = MakeError(conn_, res);
    }
    PQclear(res);
  }
  return first_error;
}

Result<std::vector<Rows>> Connection::ExecPipeline(const std::vector<PipelineStep>& steps) {
  if (PQenterPipelineMode(conn_) != 1) return MakeError(conn_, nullptr);
  // What was sent, in order: a Prepare (whose result is only checked) or a step's execution.
  struct Sent {
    int step;  // -1 for a Prepare
    const char* prepared_name;
  };
  std::vector<Sent> sent;
  std::vector<std::string> unnamed_sql;  // keeps the text of unnamed statements alive
  unnamed_sql.reserve(steps.size());
  std::unordered_set<std::string> preparing;
  bool send_failed = false;
  for (size_t i = 0; i < steps.size() && !send_failed; ++i) {
    const Query& q = *steps[i].query;
    ParamArrays arrays(*steps[i].params);
    const int n = static_cast<int>(steps[i].params->size());
    if (q.name == nullptr || q.name[0] == '\0') {
      unnamed_sql.emplace_back(q.sql);
      send_failed = !PQsendQueryParams(conn_, unnamed_sql.back().c_str(), n, nullptr,
                                       arrays.values.data(), nullptr, nullptr, 0);
    } else {
      if (!prepared_.contains(q.name) && preparing.insert(q.name).second) {
        if (!PQsendPrepare(conn_, q.name, q.sql, 0, nullptr)) {
          send_failed = true;
          break;
        }
        sent.push_back({-1, q.name});
      }
      send_failed =
          !PQsendQueryPrepared(conn_, q.name, n, arrays.values.data(), nullptr, nullptr, 0);
    }
    if (!send_failed) sent.push_back({static_cast<int>(i), nullptr});
  }
  if (send_failed || !PQpipelineSync(conn_)) {
    Status error = MakeError(conn_, nullptr);
    poisoned_ = true;  // part of a pipeline may be queued; never reuse this connection
    return error;
  }

  std::vector<Rows> rows(steps.size());
  Status first_error;
  bool synced = false;
  for (const Sent& s : sent) {
    // Each command yields its result(s) and then a null.
    while (pg_result* res = PQgetResult(conn_)) {
      ExecStatusType st = PQresultStatus(res);
      if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) {
        if (s.step >= 0) {
          rows[s.step] = Rows(res);
        } else {
          prepared_.insert(s.prepared_name);
          PQclear(res);
        }
        continue;
      }
      if (st != PGRES_PIPELINE_ABORTED && first_error.ok()) first_error = MakeError(conn_, res);
      PQclear(res);
    }
  }
  // Then the Sync's own result.
  for (int guard = 0; guard < 4 && !synced; ++guard) {
    pg_result* res = PQgetResult(conn_);
    if (res == nullptr) continue;
    synced = PQresultStatus(res) == PGRES_PIPELINE_SYNC;
    PQclear(res);
  }
  if (!synced || PQexitPipelineMode(conn_) != 1) {
    poisoned_ = true;
    if (first_error.ok()) first_error = MakeError(conn_, nullptr);
  }
  if (!first_error.ok()) return first_error;
  return rows;
}

Status Connection::CopyIn(
    std::string_view copy_sql,
    const std::function<Status(const std::function<Status(std::string_view)>&)>& produce) {
  std::string text(copy_sql);
  pg_result* res = PQexec(conn_, text.c_str());
  if (!res || PQresultStatus(res) != PGRES_COPY_IN) {
    return Check(res).status();
  }
  PQclear(res);
  auto send = [this](std::string_view chunk) -> Status {
    if (PQputCopyData(conn_, chunk.data(), static_cast<int>(chunk.size())) != 1) {
      return MakeError(conn_, nullptr);
    }
    return Status::Ok();
  };
  Status produced = produce(send);
  if (!produced.ok()) {
    PQputCopyEnd(conn_, produced.message().c_str());
    while (pg_result* r = PQgetResult(conn_)) PQclear(r);
    return produced;
  }
  if (PQputCopyEnd(conn_, nullptr) != 1) return MakeError(conn_, nullptr);
  Status result;
  while (pg_result* r = PQgetResult(conn_)) {
    if (result.ok() && PQresultStatus(r) != PGRES_COMMAND_OK) result = MakeError(conn_, r);
    PQclear(r);
  }
  return result;
}

Status Connection::CopyOut(std::string_view copy_sql,
                           const std::function<bool(std::string_view)>& consume) {
  std::string text(copy_sql);
  pg_result* res = PQexec(conn_, text.c_str());
  if (!res || PQresultStatus(res) != PGRES_COPY_OUT) return Check(res).status();
  PQclear(res);
  bool cancelled = false;
  for (;;) {
    char* buf = nullptr;
    int n = PQgetCopyData(conn_, &buf, 0);
    if (n == -1) break;  // done
    if (n == -2) return MakeError(conn_, nullptr);
    if (!cancelled && !consume(std::string_view(buf, static_cast<size_t>(n)))) {
      cancelled = true;
      // Ask the server to stop; remaining data is drained below.
      PGcancel* cancel = PQgetCancel(conn_);
      char err[256];
      if (cancel) {
        PQcancel(cancel, err, sizeof err);
        PQfreeCancel(cancel);
      }
    }
    PQfreemem(buf);
  }
  Status result;
  while (pg_result* r = PQgetResult(conn_)) {
    if (!cancelled && result.ok() && PQresultStatus(r) != PGRES_COMMAND_OK) {
      result = MakeError(conn_, r);
    }
    PQclear(r);
  }
  if (cancelled) return Aborted("copy cancelled by the consumer");
  return result;
}

Result<std::optional<Connection::Notification>> Connection::WaitForNotification(int timeout_ms) {
  auto take = [this]() -> std::optional<Notification> {
    PGnotify* n = PQnotifies(conn_);
    if (!n) return std::nullopt;
    Notification out{n->relname, n->extra ? n->extra : ""};
    PQfreemem(n);
    return out;
  };
  if (!PQconsumeInput(conn_)) return MakeError(conn_, nullptr);
  if (auto n = take()) return std::optional<Notification>(std::move(n));
  pollfd pfd{PQsocket(conn_), POLLIN, 0};
  int rc = poll(&pfd, 1, timeout_ms);
  if (rc <= 0) return std::optional<Notification>();
  if (!PQconsumeInput(conn_)) return MakeError(conn_, nullptr);
  return std::optional<Notification>(take());
}

std::string QuoteIdentifier(std::string_view ident) {
  std::string out = "\"";
  for (char c : ident) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace leadline::db
