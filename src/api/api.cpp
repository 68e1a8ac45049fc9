#include "api/api.h"

#include "imports/import_handlers.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/call.h"
#include "auth/auth_handlers.h"
#include "http/problem.h"
#include "leads/lead_handlers.h"

namespace leadline::api {
namespace {

std::string ContentTypeFor(const std::filesystem::path& p) {
  auto ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".json") return "application/json";
  if (ext == ".ico") return "image/x-icon";
  return "application/octet-stream";
}

}  // namespace

Api::Api(db::Pool& pool, ApiOptions options)
    : pool_(pool),
      options_(std::move(options)),
      auth_(pool),
      leads_service_(pool),
      compliance_(std::make_unique<dnc::Compliance>(pool)),
      imports_(std::make_unique<imports::ImportService>(
          pool, imports::ImportServiceOptions{.spool_dir = options_.imports_spool_dir,
                                              .batch_rows = options_.imports_batch_rows})) {
  AddSystemRoutes();
  auth::RegisterAuthRoutes(router_, auth_);
  leads::RegisterLeadRoutes(router_, auth_, leads_service_);
  dnc::RegisterComplianceRoutes(router_, auth_, *compliance_);
  imports::RegisterImportRoutes(router_, auth_, *imports_);
  connectors::ModuleOptions connector_options;
  connector_options.secret_key_file = options_.secret_key_file;
  connectors_ = std::make_unique<connectors::ConnectorsModule>(pool, *imports_, connector_options);
  connectors_->RegisterRoutes(router_, auth_);
}

Api::~Api() { StopWorkers(); }

void Api::StartWorkers() {
  imports_->Start();
  connectors_->StartScheduler();
}

void Api::StopWorkers() {
  connectors_->StopScheduler();
  imports_->Stop();
}

void Api::AddSystemRoutes() {
  using http::Method;
  router_.Add(Method::kGet, "/healthz",
              Public([this](http::Request&, const http::PathParams&) -> Result<http::Response> {
                auto conn = pool_.Acquire();
                if (!conn.ok()) return Unavailable("database unavailable");
                auto rows = (*conn)->Exec("SELECT 1");
                if (!rows.ok()) return Unavailable("database unavailable");
                return JsonResponse(200, R"({"status":"ok"})");
              }));
  router_.Add(Method::kGet, "/metrics",
              Public([this](http::Request&, const http::PathParams&) -> Result<http::Response> {
                http::Response r;
                r.content_type = "text/plain; version=0.0.4";
                r.body = metrics_.Render();
                return r;
              }));
  router_.Add(Method::kGet, "/api/openapi.json",
              Public([](http::Request&, const http::PathParams&) -> Result<http::Response> {
                return JsonResponse(200, std::string(OpenApiDocument()));
              }));
}

http::Response Api::Handle(http::Request& request) {
  auto start = std::chrono::steady_clock::now();
  http::Response response;
  bool is_api =
      request.path.starts_with("/api/") || request.path == "/healthz" || request.path == "/metrics";
  if (is_api || options_.web_dist_dir.empty() || request.method != http::Method::kGet) {
    response = router_.Dispatch(request);
  } else {
    // The single-page app: real files when they exist, index.html for client-side routes.
    namespace fs = std::filesystem;
    fs::path root(options_.web_dist_dir);
    fs::path file = (root / request.path.substr(1)).lexically_normal();
    bool inside = file.string().starts_with(root.lexically_normal().string());
    if (!inside || !fs::is_regular_file(file)) file = root / "index.html";
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      response = http::ProblemResponse(NotFound("no such page"));
    } else {
      std::ostringstream ss;
      ss << in.rdbuf();
      response.content_type = ContentTypeFor(file);
      response.body = ss.str();
      if (request.path.starts_with("/assets/")) {
        response.SetHeader("Cache-Control", "public, max-age=31536000, immutable");
      }
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  metrics_.Observe(http::MethodName(request.method), response.status, seconds);
  return response;
}

bool IsSlowRequest(http::Method method, std::string_view path) {
  if (method != http::Method::kPost) return false;
  if (path == "/api/auth/login" || path == "/api/users" || path == "/api/leads/bulk" ||
      path == "/api/dnc/registry" || path == "/api/imports" || path == "/api/imports/preview") {
    return true;
  }
  // "/api/imports/{id}/undo" and "/api/leads/{id}/merge": both rewrite everything one import
  // or one lead has (its rows, history, assignments), however much that is.
  const auto is_item_action = [path](std::string_view collection, std::string_view action) {
    return path.starts_with(collection) && path.ends_with(action) &&
           path.size() > collection.size() + action.size();
  };
  return is_item_action("/api/imports/", "/undo") || is_item_action("/api/leads/", "/merge");
}

}  // namespace leadline::api
