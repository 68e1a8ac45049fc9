// The `leadline` binary: CLI wiring only; all behaviour lives in the libraries.
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <thread>

#include "api/api.h"
#include "auth/auth_service.h"
#include "benchdata/loader.h"
#include "core/process.h"
#include "core/uuid.h"
#include "db/embedded_cluster.h"
#include "db/migrator.h"
#include "db/pool.h"
#include "dnc/load_file.h"
#include "http/json.h"
#include "http/server.h"
#include "imports/import_handlers.h"
#include "imports/import_options.h"
#include "imports/import_service.h"
#include "seed/demo_seed.h"

namespace {

using namespace leadline;

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int Fail(const Status& st) {
  std::fprintf(stderr, "leadline: %s\n", st.message().c_str());
  return kExitFailure;
}

// Opens the database the way every subcommand does (DATABASE_URL or embedded cluster) and
// brings the schema up to date.
Result<std::unique_ptr<db::DatabaseLocation>> OpenDatabase(const std::string& data_dir,
                                                           bool migrate) {
  auto loc = std::make_unique<db::DatabaseLocation>();
  RETURN_IF_ERROR(loc->Open(data_dir));
  if (migrate) {
    ASSIGN_OR_RETURN(auto conn, db::Connection::Open(loc->conninfo()));
    db::Migrator migrator(*conn, db::BuiltinMigrations());
    ASSIGN_OR_RETURN(int applied, migrator.Up());
    if (applied > 0) spdlog::info("applied {} migration(s)", applied);
  }
  return loc;
}

db::Pool OwnerPool(const std::string& conninfo) {
  db::PoolOptions o;
  o.conninfo = conninfo;
  o.max_connections = 2;
  return db::Pool(o);
}

void PrintDemoLogin(const std::string& url) {
  std::printf("Demo login: %s / %s%s%s\n", seed::kDemoAdminEmail, seed::kDemoPassword,
              url.empty() ? "" : "  (open ", url.empty() ? "" : (url + ")").c_str());
  std::fflush(stdout);
}

// Uploads wait for their import job in the data directory, which every process started
// with the same --data-dir shares.
std::string ImportsSpoolDir(const std::string& data_dir) {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(data_dir, ec) / "imports";
  std::filesystem::create_directories(dir, ec);
  return dir.lexically_normal().string();
}

struct ImportCommand {
  std::string path;
  std::string organization_id;
  std::string mapping;
  std::string dedupe = "skip";
  std::string update_mode = "fill";
  std::string dnc = "flag";
  std::string source;
  std::string tags;
  std::string owner;
  std::string delimiter;
  bool dry_run = false;
};

// One line on stderr, redrawn in place on a terminal: rows, rows/s and an estimate of the
// time left from the share of the file done.
void PrintImportProgress(const imports::ImportJob& job, std::chrono::steady_clock::time_point start,
                         bool tty) {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto& c = job.counts;
  double done = job.status == imports::JobStatus::kCompleted ? 1.0 : 0.0;
  if (done < 1 && job.file_bytes > 0) {
    done = std::min(1.0, static_cast<double>(job.bytes_read) / static_cast<double>(job.file_bytes));
  }
  double rate = elapsed > 0 ? static_cast<double>(c.total_rows) / elapsed : 0;
  std::string eta =
      done > 0.01 && done < 1 ? fmt::format("{:.0f}s", elapsed / done - elapsed) : "-";
  const int width = 30;
  int filled = static_cast<int>(done * width);
  std::string bar = std::string(static_cast<size_t>(filled), '#') +
                    std::string(static_cast<size_t>(width - filled), '.');
  std::fprintf(stderr,
               "%s[%s] %3.0f%% %lld rows: %lld created, %lld updated, %lld skipped, %lld failed; "
               "%.0f rows/s, ETA %s%s",
               tty ? "\r" : "", bar.c_str(), done * 100, static_cast<long long>(c.total_rows),
               static_cast<long long>(c.created), static_cast<long long>(c.updated),
               static_cast<long long>(c.skipped), static_cast<long long>(c.failed), rate,
               eta.c_str(), tty ? "   " : "\n");
  std::fflush(stderr);
}

// A refusal caused by the command's own arguments (exit status 2, like a bad flag): an
// organization that does not exist, a mapping naming a column the file lacks, an owner who is
// no active user. A file that cannot be imported (no phone or email column among its headers
// included) is a failure (1).
bool IsImportUsageError(const Status& st) {
  if (st.code() == StatusCode::kNotFound) return true;
  if (st.code() != StatusCode::kValidationFailed || st.field_errors().empty()) return false;
  for (const auto& fe : st.field_errors()) {
    if (fe.field.rfind("mapping.", 0) != 0 && fe.field != "owner_id") return false;
  }
  return true;
}

int Import(const ImportCommand& cmd, const std::string& data_dir) {
  auto options =
      imports::ParseImportOptions([&](std::string_view name) -> std::optional<std::string> {
        auto nonempty = [](const std::string& v) {
          return v.empty() ? std::nullopt : std::optional<std::string>(v);
        };
        if (name == "dedupe") return cmd.dedupe;
        if (name == "update_mode") return cmd.update_mode;
        if (name == "dnc") return cmd.dnc;
        if (name == "source") return nonempty(cmd.source);
        if (name == "tags") return nonempty(cmd.tags);
        if (name == "owner_id") return nonempty(cmd.owner);
        if (name == "mapping") return nonempty(cmd.mapping);
        if (name == "delimiter") return nonempty(cmd.delimiter);
        return std::nullopt;
      });
  if (!options.ok()) {
    std::string reason = options.status().message();
    for (const auto& fe : options.status().field_errors())
      reason += "; " + fe.field + ": " + fe.message;
    std::fprintf(stderr, "leadline: %s (see --help)\n", reason.c_str());
    return kExitUsage;
  }
  auto loc = OpenDatabase(data_dir, true);
  if (!loc.ok()) return Fail(loc.status());
  db::PoolOptions pool_options;
  pool_options.conninfo = (*loc)->conninfo();
  pool_options.role = "leadline_app";
  // The job's lock, two batches being written and the statistics refresh between them.
  pool_options.max_connections = 4;
  db::Pool pool(pool_options);
  imports::ImportService service(pool, imports::ImportServiceOptions{});
  db::TenantContext tenant{cmd.organization_id, "", "", "leadline import", "import"};
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  const auto start = std::chrono::steady_clock::now();
  auto job =
      service.RunFile(tenant, cmd.path, std::move(*options), cmd.dry_run,
                      [&](const imports::ImportJob& j) { PrintImportProgress(j, start, tty); });
  if (tty) std::fprintf(stderr, "\n");
  if (!job.ok()) {
    std::string reason = job.status().message();
    for (const auto& fe : job.status().field_errors())
      reason += "; " + fe.field + ": " + fe.message;
    if (IsImportUsageError(job.status())) {
      std::fprintf(stderr, "leadline: %s (see --help)\n", reason.c_str());
      return kExitUsage;
    }
    return Fail(Status(job.status().code(), reason));
  }
  const auto& c = job->counts;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  json::Writer w;
  w.BeginObject();
  if (!cmd.dry_run) w.Field("import_id", job->id);
  w.Field("status", imports::JobStatusName(job->status));
  w.Key("dry_run").Bool(cmd.dry_run);
  w.Key("total_rows").Int(c.total_rows).Key("created").Int(c.created);
  w.Key("updated").Int(c.updated).Key("skipped").Int(c.skipped).Key("failed").Int(c.failed);
  w.Key("dnc_flagged").Int(c.dnc_flagged).Key("seconds").Double(seconds);
  w.Key("rows_per_second").Double(seconds > 0 ? static_cast<double>(c.total_rows) / seconds : 0);
  w.Key("peak_rss_mb").Int(PeakRssMb());
  w.OptionalField("error", job->error);
  w.EndObject();
  std::printf("%s\n", w.str().c_str());
  return job->status == imports::JobStatus::kCompleted ? 0 : 1;
}

int Serve(const std::string& host, int port, const std::string& data_dir, bool seed_demo,
          const std::string& web_dir, int threads) {
  // Block the stop signals before any thread starts, so that only sigwait below sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto loc = OpenDatabase(data_dir, true);
  if (!loc.ok()) return Fail(loc.status());
  if (seed_demo) {
    db::Pool owner = OwnerPool((*loc)->conninfo());
    auto seeded = seed::SeedDemo(owner);
    if (!seeded.ok()) return Fail(seeded.status());
  }
  // One I/O thread per core. Handlers wait for PostgreSQL on their thread, and two per core
  // gave more throughput on 2 cores but a worse tail for heavy queries (docs/scaling.md).
  int io_threads = threads > 0 ? threads : std::max(2u, std::thread::hardware_concurrency());
  // Downloads (CSV exports) and slow handlers (sign-ins, bulk changes) run on worker threads
  // of their own, as many of each at once as there are I/O threads.
  const int worker_threads = io_threads;
  db::PoolOptions pool_options;
  pool_options.conninfo = (*loc)->conninfo();
  pool_options.role = "leadline_app";
  // Two per I/O thread, one per download (its export transaction) and slow handler, and four
  // for the import worker (its job lock, two batches being written and the statistics
  // refresh between them).
  pool_options.max_connections = io_threads * 2 + worker_threads * 2 + 4;
  db::Pool pool(pool_options);

  api::ApiOptions api_options;
  api_options.web_dist_dir = web_dir;
  api_options.imports_spool_dir = ImportsSpoolDir(data_dir);
  {
    std::error_code ec;
    api_options.secret_key_file =
        (std::filesystem::absolute(data_dir, ec) / "secret.key").lexically_normal().string();
  }
  api::Api api(pool, api_options);
  http::ServerOptions server_options;
  server_options.host = host;
  server_options.port = static_cast<uint16_t>(port);
  server_options.threads = io_threads;
  server_options.max_streams = worker_threads;
  server_options.slow_request = api::IsSlowRequest;
  server_options.max_slow_handlers = worker_threads;
  server_options.spool_body = imports::IsUploadRequest;
  server_options.spool_dir = api_options.imports_spool_dir;
  http::Server server(server_options, [&api](http::Request& r) { return api.Handle(r); });
  auto bound = server.Start();
  if (!bound.ok()) return Fail(bound.status());
  api.StartWorkers();
  std::string url = "http://" + host + ":" + std::to_string(*bound) + "/";
  std::printf("Leadline is running at %s\n", url.c_str());
  if (seed_demo) PrintDemoLogin("");
  std::fflush(stdout);

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("received signal {}, shutting down", sig);
  server.Stop(10);
  api.StopWorkers();  // before the database goes away under a running import
  Status closed = (*loc)->Close();
  if (!closed.ok()) return Fail(closed);
  return 0;
}

int Migrate(const std::string& action, int to, const std::string& data_dir) {
  auto loc = OpenDatabase(data_dir, false);
  if (!loc.ok()) return Fail(loc.status());
  auto conn = db::Connection::Open((*loc)->conninfo());
  if (!conn.ok()) return Fail(conn.status());
  db::Migrator migrator(**conn, db::BuiltinMigrations());
  if (action == "up") {
    auto n = migrator.Up(to);
    if (!n.ok()) return Fail(n.status());
    std::printf("applied %d migration(s)\n", *n);
  } else if (action == "down") {
    int target = to;
    if (target < 0) {
      auto current = migrator.CurrentVersion();
      if (!current.ok()) return Fail(current.status());
      target = std::max(0, *current - 1);
    }
    auto n = migrator.Down(target);
    if (!n.ok()) return Fail(n.status());
    std::printf("reverted %d migration(s)\n", *n);
  } else {
    auto state = migrator.State();
    if (!state.ok()) return Fail(state.status());
    for (const auto& m : *state) {
      std::printf("%04d  %-20s  %s\n", m.version, m.name.c_str(),
                  m.applied ? ("applied " + m.applied_at).c_str() : "pending");
    }
  }
  return 0;
}

int OrgCreate(const std::string& name, const std::string& email, const std::string& password,
              const std::string& data_dir) {
  auto loc = OpenDatabase(data_dir, true);
  if (!loc.ok()) return Fail(loc.status());
  db::Pool owner = OwnerPool((*loc)->conninfo());
  auth::AuthService auth(owner);
  auto org = auth.CreateOrganization(
      name, email, password.empty() ? std::nullopt : std::optional<std::string>(password));
  if (!org.ok()) {
    std::string reason = org.status().message();
    for (const auto& fe : org.status().field_errors()) reason += "; " + fe.field + " " + fe.message;
    return Fail(Status(org.status().code(), reason));
  }
  json::Writer w;
  w.BeginObject()
      .Field("organization_id", org->organization_id)
      .Field("user_id", org->user_id)
      .Field("api_key", org->api_key)
      .EndObject();
  std::printf("%s\n", w.str().c_str());
  return 0;
}

int SeedDemo(const std::string& data_dir) {
  auto loc = OpenDatabase(data_dir, true);
  if (!loc.ok()) return Fail(loc.status());
  db::Pool owner = OwnerPool((*loc)->conninfo());
  auto seeded = seed::SeedDemo(owner);
  if (!seeded.ok()) return Fail(seeded.status());
  std::printf("%s demo organization %s\n", seeded->created ? "Created" : "Found existing",
              seeded->organization_id.c_str());
  PrintDemoLogin("");
  return 0;
}

int BenchData(const benchdata::BenchDataOptions& options, const std::string& data_dir) {
  auto loc = OpenDatabase(data_dir, true);
  if (!loc.ok()) return Fail(loc.status());
  auto summary = benchdata::LoadBenchData((*loc)->conninfo(), options, [](const std::string& line) {
    std::fprintf(stderr, "bench-data: %s\n", line.c_str());
  });
  if (!summary.ok()) return Fail(summary.status());
  json::Writer w;
  w.BeginObject()
      .Field("organization_id", summary->organization_id)
      .Field("admin_email", summary->admin_email)
      .Field("password", summary->password)
      .Field("api_key", summary->api_key)
      .Key("organizations")
      .Int(static_cast<int64_t>(summary->organizations))
      .Key("users")
      .Int(summary->users)
      .Key("leads")
      .Int(summary->leads)
      .Key("status_history")
      .Int(summary->status_history)
      .Key("audit")
      .Int(summary->audit)
      .Key("bench_ids")
      .Int(summary->sample_ids)
      .Field("trigger_mode", summary->trigger_mode)
      .Key("seconds")
      .Int(static_cast<int64_t>(summary->seconds + 0.5))
      .EndObject();
  std::printf("%s\n", w.str().c_str());
  return 0;
}

int DncLoad(const dnc::LoadFileOptions& options, const std::string& data_dir) {
  auto loc = OpenDatabase(data_dir, true);
  if (!loc.ok()) return Fail(loc.status());
  db::Pool owner = OwnerPool((*loc)->conninfo());
  auto s = dnc::LoadFile(owner, options, [](const std::string& line) {
    std::fprintf(stderr, "dnc load: %s\n", line.c_str());
  });
  if (!s.ok()) {
    std::string reason = s.status().message();
    for (const auto& fe : s.status().field_errors()) reason += "; " + fe.message;
    return Fail(Status(s.status().code(), reason));
  }
  json::Writer w;
  w.BeginObject()
      .Key("lines")
      .Int(static_cast<int64_t>(s->lines))
      .Key("added")
      .Int(static_cast<int64_t>(s->added))
      .Key("removed")
      .Int(static_cast<int64_t>(s->removed))
      .Key("skipped")
      .Int(static_cast<int64_t>(s->skipped));
  if (options.national) {
    w.Key("area_codes").Int(s->area_codes).Key("total").Int(static_cast<int64_t>(s->total));
    w.Key("parse_seconds").Double(s->parse_seconds).Key("store_seconds").Double(s->store_seconds);
  }
  w.Key("seconds").Double(s->seconds).Key("peak_rss_mb").Int(s->peak_rss_mb).EndObject();
  std::printf("%s\n", w.str().c_str());
  return 0;
}

// Default web UI location: next to the binary's source tree or installed share dir.
std::string DefaultWebDir() {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  for (const fs::path& candidate : {exe.parent_path() / "../share/leadline/web",
                                    exe.parent_path() / "../web/dist", fs::path("web/dist")}) {
    if (fs::exists(candidate / "index.html", ec)) return fs::canonical(candidate, ec).string();
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("leadline"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

  CLI::App app{"Leadline: lead management with Do-Not-Call compliance built in"};
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));

  std::string data_dir = "./var";
  auto add_data_dir = [&](CLI::App* sub) {
    sub->add_option("--data-dir", data_dir,
                    "embedded PostgreSQL directory (used when DATABASE_URL is not set)");
  };

  auto* serve = app.add_subcommand("serve", "Run the HTTP API and web UI");
  std::string host = "127.0.0.1";
  int port = 8080;
  int threads = 0;
  bool seed_demo = false;
  std::string web_dir;
  serve->add_option("--port", port, "TCP port (0 = any free port)")->check(CLI::Range(0, 65535));
  serve->add_option("--host", host, "address to listen on");
  serve->add_option("--threads", threads, "I/O threads (default: cores, at least 2)")
      ->check(CLI::Range(0, 256));
  serve->add_flag("--seed-demo", seed_demo, "load the demo organization if it is missing");
  serve->add_option("--web-dir", web_dir, "built web UI to serve at / (default: web/dist)");
  add_data_dir(serve);

  auto* migrate = app.add_subcommand("migrate", "Apply, revert or list schema migrations");
  std::string migrate_action;
  int migrate_to = -1;
  migrate->add_option("action", migrate_action, "up, down or status")
      ->required()
      ->check(CLI::IsMember({"up", "down", "status"}));
  migrate->add_option("--to", migrate_to, "target version (up: at most; down: revert above)")
      ->check(CLI::Range(0, 9999));
  add_data_dir(migrate);

  auto* org = app.add_subcommand("org", "Manage organizations");
  org->require_subcommand(1);
  auto* org_create = org->add_subcommand("create", "Create an organization and its admin");
  std::string org_name, admin_email, admin_password;
  org_create->add_option("--name", org_name, "organization name")->required();
  org_create->add_option("--admin-email", admin_email, "the first admin's email")->required();
  org_create->add_option("--admin-password", admin_password,
                         "the admin's password (omit to sign in with the printed API key)");
  add_data_dir(org_create);

  auto* seed = app.add_subcommand("seed", "Load sample data");
  bool demo = false;
  seed->add_flag("--demo", demo, "the demo organization with users, leads and more")->required();
  add_data_dir(seed);

  auto* bench_data = app.add_subcommand(
      "bench-data",
      "Load a large synthetic data set (organizations, users, leads, history) for "
      "benchmarks; prints a JSON summary with a login and an API key");
  benchdata::BenchDataOptions bench;
  bench_data
      ->add_option("--orgs", bench.plan.organizations,
                   "organizations: one large, the others 1% of its size each")
      ->check(CLI::Range(1, 1000));
  bench_data->add_option("--leads", bench.plan.leads, "leads of the large organization")
      ->check(CLI::Range(int64_t{1}, int64_t{500'000'000}));
  bench_data->add_option("--history", bench.plan.history, "status-history rows, all organizations")
      ->check(CLI::Range(int64_t{0}, int64_t{5'000'000'000}));
  bench_data->add_option("--audit", bench.plan.audit, "audit-log rows, all organizations")
      ->check(CLI::Range(int64_t{0}, int64_t{5'000'000'000}));
  bench_data->add_option("--seed", bench.plan.seed,
                         "random seed: the same seed gives the same rows");
  bench_data
      ->add_option("--sample-ids", bench.sample_ids,
                   "live leads of the large organization copied to table bench_ids")
      ->check(CLI::Range(int64_t{0}, int64_t{10'000'000}));
  add_data_dir(bench_data);

  auto* dnc_cmd = app.add_subcommand("dnc", "Do-Not-Call lists");
  dnc_cmd->require_subcommand(1);
  auto* dnc_load = dnc_cmd->add_subcommand(
      "load",
      "Load numbers into an organization's list (--org) or the national registry "
      "(--national); plain, gzip or zip files");
  dnc::LoadFileOptions dnc_options;
  dnc_load->add_option("file", dnc_options.path, "the file to load")->required();
  dnc_load->add_flag("--national", dnc_options.national,
                     "a national registry file: lines NPA,NNNNNNN (one or many area codes)");
  dnc_load->add_flag("--changes", dnc_options.changes,
                     "with --national: a change file, lines NPA,NNNNNNN,A|D");
  dnc_load->add_option("--as-of", dnc_options.as_of,
                       "with --national: the date the file was downloaded, YYYY-MM-DD "
                       "(default today)");
  dnc_load->add_option("--org", dnc_options.organization_id,
                       "without --national: the organization whose list to add to");
  dnc_load->add_option("--reason", dnc_options.reason, "reason stored on new entries");
  add_data_dir(dnc_load);

  ImportCommand import_cmd;
  auto* import_sub = app.add_subcommand(
      "import", "Import leads from a CSV or XLSX file (progress on stderr, counts on stdout)");
  import_sub->add_option("file", import_cmd.path, "the CSV or XLSX file")
      ->required()
      ->check(CLI::ExistingFile);
  import_sub->add_option("--org", import_cmd.organization_id, "the organization to import into")
      ->required();
  import_sub->add_option("--mapping", import_cmd.mapping,
                         "JSON object: column header -> lead field (\"\" ignores a column)");
  import_sub
      ->add_option("--dedupe", import_cmd.dedupe,
                   "rows matching a lead by phone or email: skip, update or create")
      ->check(CLI::IsMember({"skip", "update", "create"}));
  import_sub
      ->add_option("--update-mode", import_cmd.update_mode,
                   "with --dedupe update: fill empty fields or overwrite")
      ->check(CLI::IsMember({"fill", "overwrite"}));
  import_sub->add_option("--dnc", import_cmd.dnc, "numbers on a DNC list: flag or skip")
      ->check(CLI::IsMember({"flag", "skip"}));
  import_sub->add_option("--source", import_cmd.source, "source for rows without one");
  import_sub->add_option("--tags", import_cmd.tags, "tags added to every lead (comma-separated)");
  import_sub->add_option("--owner", import_cmd.owner,
                         "assignee for rows without one (user id or email)");
  import_sub->add_option("--delimiter", import_cmd.delimiter,
                         "CSV delimiter: , ; | or tab (default: detected)");
  import_sub->add_flag("--dry-run", import_cmd.dry_run,
                       "validate and classify every row, change nothing");
  add_data_dir(import_sub);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "leadline: %s (see --help)\n", e.what());
    return kExitUsage;
  }
  spdlog::set_level(spdlog::level::from_str(log_level));

  if (*serve) {
    return Serve(host, port, data_dir, seed_demo, web_dir.empty() ? DefaultWebDir() : web_dir,
                 threads);
  }
  if (*migrate) return Migrate(migrate_action, migrate_to, data_dir);
  if (*org_create) return OrgCreate(org_name, admin_email, admin_password, data_dir);
  if (*seed) return SeedDemo(data_dir);
  if (*import_sub) {
    if (!IsUuid(import_cmd.organization_id)) {
      std::fprintf(stderr, "leadline: --org must be an organization id (a UUID)\n");
      return kExitUsage;
    }
    return Import(import_cmd, data_dir);
  }
  if (*dnc_load) {
    if (!dnc_options.national && dnc_options.organization_id.empty()) {
      std::fprintf(stderr, "leadline: dnc load needs --org ORG_ID or --national (see --help)\n");
      return kExitUsage;
    }
    if (!dnc_options.national && dnc_options.changes) {
      std::fprintf(stderr, "leadline: --changes needs --national (see --help)\n");
      return kExitUsage;
    }
    return DncLoad(dnc_options, data_dir);
  }
  if (*bench_data) {
    // Timestamps are relative to the start of the current UTC day, so a given seed gives
    // the same rows all day long and the data always ends "today".
    int64_t now_s = static_cast<int64_t>(std::time(nullptr));
    bench.plan.now_us = (now_s - now_s % 86'400) * 1'000'000;
    return BenchData(bench, data_dir);
  }
  return kExitUsage;
}
