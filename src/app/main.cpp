// The `leadline` binary: CLI wiring only; all behaviour lives in the libraries.
#include <CLI/CLI.hpp>
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "api/api.h"
#include "auth/auth_service.h"
#include "db/embedded_cluster.h"
#include "db/migrator.h"
#include "db/pool.h"
#include "http/json.h"
#include "http/server.h"
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
  int io_threads = threads > 0 ? threads : std::max(2u, std::thread::hardware_concurrency());
  db::PoolOptions pool_options;
  pool_options.conninfo = (*loc)->conninfo();
  pool_options.role = "leadline_app";
  pool_options.max_connections = io_threads * 2;
  db::Pool pool(pool_options);

  api::ApiOptions api_options;
  api_options.web_dist_dir = web_dir;
  api::Api api(pool, api_options);
  http::ServerOptions server_options;
  server_options.host = host;
  server_options.port = static_cast<uint16_t>(port);
  server_options.threads = io_threads;
  http::Server server(server_options, [&api](http::Request& r) { return api.Handle(r); });
  auto bound = server.Start();
  if (!bound.ok()) return Fail(bound.status());
  std::string url = "http://" + host + ":" + std::to_string(*bound) + "/";
  std::printf("Leadline is running at %s\n", url.c_str());
  if (seed_demo) PrintDemoLogin("");
  std::fflush(stdout);

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("received signal {}, shutting down", sig);
  server.Stop(10);
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

// Default web UI location: next to the binary's source tree or installed share dir.
std::string DefaultWebDir() {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  for (const fs::path& candidate :
       {exe.parent_path() / "../share/leadline/web", exe.parent_path() / "../web/dist",
        fs::path("web/dist")}) {
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
  serve->add_option("--threads", threads, "I/O threads (default: cores)")->check(CLI::Range(0, 256));
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
  return kExitUsage;
}
