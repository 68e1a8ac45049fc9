// Salesforce leads: GET /services/data/<version>/query?q=<SOQL>, then nextRecordsUrl until
// done. Errors come as a JSON array [{"message", "errorCode"}].
#include <algorithm>
#include <cctype>

#include "connectors/crm_source.h"
#include "connectors/crm_transport.h"
#include "core/crypto.h"
#include "http/json.h"

namespace leadline::connectors {
namespace {

constexpr std::string_view kProvider = "Salesforce";

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string TrimSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

struct ProviderError {
  std::string message;
  std::string code;
};

// The first entry of a Salesforce error array (or object), if any.
ProviderError ParseError(const std::string& body) {
  auto doc = json::Parse(body);
  if (!doc.ok()) return {};
  const json::Value* e = &*doc;
  if (doc->is_array()) {
    if (doc->items().empty()) return {};
    e = &doc->items().front();
  }
  ProviderError out;
  if (const json::Value* m = e->Find("message"); m != nullptr && m->is_string()) {
    out.message = m->as_string();
  }
  if (const json::Value* c = e->Find("errorCode"); c != nullptr && c->is_string()) {
    out.code = c->as_string();
  }
  return out;
}

// Adds a record's fields as text; relationship objects become "Owner.Name".
void Flatten(const json::Value& object, const std::string& prefix, CrmRecord& r, int depth) {
  for (const auto& [k, v] : object.members()) {
    if (k == "attributes") continue;
    std::string key = prefix + Lower(k);
    switch (v.type()) {
      case json::Value::Type::kString:
        r.values[key] = v.as_string();
        break;
      case json::Value::Type::kBool:
        r.values[key] = v.as_bool() ? "true" : "false";
        break;
      case json::Value::Type::kNumber:
        if (v.is_integer()) {
          r.values[key] = std::to_string(v.as_int());
        } else {
          r.values[key] = json::Serialize(v);
        }
        break;
      case json::Value::Type::kObject:
        if (depth < 6) Flatten(v, key + ".", r, depth + 1);
        break;
      default:
        break;
    }
  }
}

}  // namespace

std::string SalesforceSoql(const std::vector<std::string>& fields, std::optional<SysTime> since) {
  std::vector<std::string> lowered = {"id"};
  std::string soql = "SELECT Id";
  for (const std::string& f : fields) {
    std::string key = Lower(f);
    if (std::find(lowered.begin(), lowered.end(), key) != lowered.end()) continue;
    lowered.push_back(key);
    soql += ", " + f;
  }
  soql += " FROM Lead";
  if (since) soql += " WHERE LastModifiedDate > " + FormatRfc3339(*since);
  return soql;
}

Status FetchSalesforceLeads(const SourceQuery& q, const RetryPolicy& retry, const PageSink& sink) {
  const std::string base = TrimSlash(q.base_url);
  auto origin = UrlOrigin(base);
  if (!origin) return InvalidArgument("the Salesforce instance URL is not an http(s) URL");
  std::string url = base + "/services/data/" + kSalesforceApiVersion +
                    "/query?q=" + UrlEncode(SalesforceSoql(q.properties, q.since));
  for (int page_number = 1;; ++page_number) {
    HttpRequest req;
    req.url = url;
    req.headers = {{"Authorization", "Bearer " + q.token}, {"Accept", "application/json"}};
    req.timeout = retry.request_timeout;
    ASSIGN_OR_RETURN(HttpResponse resp, internal::SendWithRetry(req, retry, kProvider, q.token));
    if (resp.status < 200 || resp.status > 299) {
      ProviderError e = ParseError(resp.body);
      if (resp.status == 403 && e.code == "REQUEST_LIMIT_EXCEEDED") {
        return Unavailable("Salesforce API request limit exceeded: " +
                           internal::Scrub(e.message, q.token));
      }
      std::string message = e.message;
      if (!e.code.empty() && resp.status != 401) message = e.code + ": " + message;
      return internal::ErrorFor(resp.status, kProvider, message, q.token);
    }
    auto doc = json::Parse(resp.body);
    if (!doc.ok()) {
      return InvalidArgument("Salesforce sent malformed JSON (page " + std::to_string(page_number) +
                             "): " + doc.status().message());
    }
    const json::Value* records = doc->Find("records");
    if (records == nullptr || !records->is_array()) {
      return InvalidArgument("Salesforce sent an unexpected answer (page " +
                             std::to_string(page_number) + "): no \"records\" array");
    }
    std::vector<CrmRecord> page;
    page.reserve(records->items().size());
    for (const json::Value& item : records->items()) {
      const json::Value* id = item.Find("Id");
      if (id == nullptr || !id->is_string()) {
        return InvalidArgument("Salesforce sent an unexpected answer (page " +
                               std::to_string(page_number) + "): a record without an Id");
      }
      CrmRecord r;
      r.id = id->as_string();
      Flatten(item, "", r, 0);
      page.push_back(std::move(r));
    }
    RETURN_IF_ERROR(sink(page));
    const json::Value* done = doc->Find("done");
    const json::Value* next = doc->Find("nextRecordsUrl");
    if ((done != nullptr && done->is_bool() && done->as_bool()) || next == nullptr ||
        !next->is_string() || next->as_string().empty()) {
      return Status::Ok();
    }
    // A path on the same instance; anything else would send the token elsewhere.
    const std::string& path = next->as_string();
    if (!path.starts_with("/services/data/")) {
      return InvalidArgument("Salesforce sent an unexpected nextRecordsUrl");
    }
    url = *origin + path;
  }
}

Result<std::string> SalesforceAccessToken(const std::string& instance_url,
                                          const SalesforceRefreshToken& grant,
                                          const RetryPolicy& retry) {
  const std::string base = TrimSlash(instance_url);
  if (!UrlOrigin(base)) return InvalidArgument("the Salesforce instance URL is not an http(s) URL");
  HttpRequest req;
  req.method = "POST";
  req.url = base + "/services/oauth2/token";
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                 {"Accept", "application/json"}};
  req.body = "grant_type=refresh_token&client_id=" + UrlEncode(grant.client_id) +
             "&client_secret=" + UrlEncode(grant.client_secret) +
             "&refresh_token=" + UrlEncode(grant.refresh_token);
  req.timeout = retry.request_timeout;
  auto resp = internal::SendWithRetry(req, retry, kProvider, grant.refresh_token);
  crypto::Wipe(req.body);
  if (!resp.ok()) return resp.status();
  auto scrub = [&grant](std::string text) {
    return internal::Scrub(internal::Scrub(std::move(text), grant.client_secret),
                           grant.refresh_token);
  };
  auto doc = json::Parse(resp->body);
  if (resp->status < 200 || resp->status > 299) {
    // OAuth errors: {"error": "invalid_grant", "error_description": "expired access/refresh
    // token"}; 400 for a rejected grant or client, 401 for a rejected client secret.
    std::string error, description;
    if (doc.ok()) {
      if (const json::Value* e = doc->Find("error"); e != nullptr && e->is_string()) {
        error = e->as_string();
      }
      if (const json::Value* d = doc->Find("error_description"); d != nullptr && d->is_string()) {
        description = d->as_string();
      }
    }
    if (resp->status == 400 || resp->status == 401) {
      return PermissionDenied(scrub("Salesforce refused the refresh token (" +
                                    (error.empty() ? std::to_string(resp->status) : error) +
                                    (description.empty() ? "" : ": " + description) +
                                    "); set the token again"));
    }
    return internal::ErrorFor(resp->status, kProvider, scrub(description), grant.refresh_token);
  }
  const json::Value* token = doc.ok() ? doc->Find("access_token") : nullptr;
  if (token == nullptr || !token->is_string() || token->as_string().empty()) {
    return InvalidArgument("Salesforce sent an unexpected answer to the token request");
  }
  return token->as_string();
}

}  // namespace leadline::connectors
