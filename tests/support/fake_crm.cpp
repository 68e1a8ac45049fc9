#include "support/fake_crm.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "connectors/timestamps.h"
#include "http/json.h"

namespace leadline::testing {
namespace {

using connectors::FormatRfc3339Millis;
using connectors::FromUnixMillis;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    std::string item = Trim(s.substr(start, end - start));
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

http::Response Json(int status, std::string body, const char* content_type) {
  http::Response r;
  r.status = status;
  r.content_type = content_type;
  r.body = std::move(body);
  return r;
}

// --- HubSpot ---------------------------------------------------------------------------
constexpr char kHubSpotType[] = "application/json;charset=utf-8";

http::Response HubSpotError(int status, std::string_view message, std::string_view category) {
  json::Writer w;
  w.BeginObject()
      .Field("status", "error")
      .Field("message", message)
      .Field("correlationId", "a3c9b2f0-6d1e-4c47-9d6f-0f1e2d3c4b5a")
      .Field("category", category)
      .EndObject();
  return Json(status, w.Take(), kHubSpotType);
}

bool IsDateProperty(std::string_view p) { return p == "lastmodifieddate" || p == "createdate"; }

// Comparable form of a property value: dates as milliseconds, the rest as text.
struct Comparable {
  bool is_number = false;
  int64_t number = 0;
  std::string text;
};

Comparable ComparableOf(std::string_view property, const std::string& value) {
  Comparable c;
  if (IsDateProperty(property)) {
    c.is_number = true;
    if (!value.empty() && std::all_of(value.begin(), value.end(), [](char ch) {
          return std::isdigit(static_cast<unsigned char>(ch));
        })) {
      c.number = std::stoll(value);
    } else if (auto t = connectors::ParseTimestamp(value)) {
      c.number = connectors::ToUnixMillis(*t);
    }
  } else {
    c.text = value;
  }
  return c;
}

int Compare(const Comparable& a, const Comparable& b) {
  if (a.is_number) return a.number < b.number ? -1 : (a.number > b.number ? 1 : 0);
  return a.text.compare(b.text) < 0 ? -1 : (a.text == b.text ? 0 : 1);
}

// --- Salesforce ------------------------------------------------------------------------
constexpr char kSalesforceType[] = "application/json;charset=UTF-8";
constexpr char kSfPrefix[] = "/services/data/v59.0";

http::Response SalesforceError(int status, std::string_view message, std::string_view code) {
  json::Writer w;
  w.BeginArray().BeginObject().Field("message", message).Field("errorCode", code).EndObject();
  w.EndArray();
  return Json(status, w.Take(), kSalesforceType);
}

std::string SalesforceDate(int64_t ms) {
  std::string s = FormatRfc3339Millis(FromUnixMillis(ms));
  s.pop_back();  // 'Z'
  return s + "+0000";
}

const char* const kStandardLeadFields[] = {
    "Id",        "FirstName",   "LastName",         "Email",
    "Phone",     "MobilePhone", "Company",          "Title",
    "Status",    "LeadSource",  "LastModifiedDate", "CreatedDate",
    "IsDeleted", "Industry",    "Owner.Name"};

}  // namespace

std::string RecordedRequest::Query(const std::string& key) const {
  for (const auto& [k, v] : query) {
    if (k == key) return v;
  }
  return "";
}

// --- FakeCrmServer ---------------------------------------------------------------------

void FakeCrmServer::Start() {
  http::ServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.threads = 2;
  server_ = std::make_unique<http::Server>(o, [this](http::Request& r) { return Handle(r); });
  auto port = server_->Start();
  if (!port.ok()) throw std::runtime_error(port.status().ToString());
  port_ = *port;
}

void FakeCrmServer::Stop() {
  if (server_) server_->Stop(2);
}

std::string FakeCrmServer::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FakeCrmServer::SetToken(std::string token) {
  std::lock_guard lock(mu_);
  token_ = std::move(token);
}

void FakeCrmServer::RateLimitNext(int n, int retry_after_seconds) {
  std::lock_guard lock(mu_);
  rate_limit_next_ = n;
  retry_after_ = retry_after_seconds;
}

void FakeCrmServer::FailNext(int n, int status) {
  std::lock_guard lock(mu_);
  fail_next_ = n;
  fail_status_ = status;
}

void FakeCrmServer::MalformNext(int n) {
  std::lock_guard lock(mu_);
  malform_next_ = n;
}

std::vector<RecordedRequest> FakeCrmServer::Requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

void FakeCrmServer::ClearRequests() {
  std::lock_guard lock(mu_);
  requests_.clear();
}

http::Response FakeCrmServer::Handle(http::Request& r) {
  std::lock_guard lock(mu_);
  RecordedRequest rec;
  rec.method = http::MethodName(r.method);
  rec.path = r.path;
  rec.query = r.query;
  rec.body = r.body;
  rec.authorization = std::string(r.headers.Get("Authorization").value_or(""));
  requests_.push_back(rec);
  if (rate_limit_next_ > 0) {
    --rate_limit_next_;
    http::Response resp = RateLimited();
    if (retry_after_ >= 0) resp.SetHeader("Retry-After", std::to_string(retry_after_));
    return resp;
  }
  if (fail_next_ > 0) {
    --fail_next_;
    return ServerError(fail_status_);
  }
  if (malform_next_ > 0) {
    --malform_next_;
    return Json(200, "<html><body>Service temporarily unavailable</body></html>",
                "application/json");
  }
  if (auto open = AnswerWithoutToken(r)) return std::move(*open);
  if (rec.authorization != "Bearer " + token_) return Unauthorized();
  return Answer(r);
}

// --- FakeHubSpot -----------------------------------------------------------------------

FakeHubSpot::FakeHubSpot(std::string token) : FakeCrmServer(std::move(token)) { Start(); }
FakeHubSpot::~FakeHubSpot() { Stop(); }

void FakeHubSpot::Upsert(FakeContact c) {
  std::lock_guard lock(mu_);
  int64_t key = std::stoll(c.id);
  contacts_[key] = std::move(c);
}

void FakeHubSpot::SetMaxPageSize(int n) {
  std::lock_guard lock(mu_);
  max_page_size_ = n;
}

void FakeHubSpot::SetSearchLimit(int n) {
  std::lock_guard lock(mu_);
  search_limit_ = n;
}

http::Response FakeHubSpot::Unauthorized() {
  return HubSpotError(401,
                      "Authentication credentials not found. This API supports OAuth 2.0 "
                      "authentication and you can find more details at "
                      "https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                      "INVALID_AUTHENTICATION");
}

http::Response FakeHubSpot::RateLimited() {
  json::Writer w;
  w.BeginObject()
      .Field("status", "error")
      .Field("message", "You have reached your ten_secondly_rolling limit.")
      .Field("errorType", "RATE_LIMIT")
      .Field("correlationId", "c0ffee00-1111-2222-3333-444455556666")
      .Field("policyName", "TEN_SECONDLY_ROLLING")
      .Field("category", "RATE_LIMITS")
      .EndObject();
  return Json(429, w.Take(), kHubSpotType);
}

http::Response FakeHubSpot::ServerError(int status) {
  return HubSpotError(status, "internal error", "INTERNAL_ERROR");
}

http::Response FakeHubSpot::Answer(const http::Request& r) {
  if (r.method == http::Method::kGet && r.path == "/crm/v3/objects/contacts") return List(r);
  if (r.method == http::Method::kPost && r.path == "/crm/v3/objects/contacts/search") {
    return Search(r);
  }
  return HubSpotError(404, "Unable to infer object type from: " + r.path, "OBJECT_NOT_FOUND");
}

std::string FakeHubSpot::ContactJson(const FakeContact& c,
                                     const std::vector<std::string>& properties) const {
  std::map<std::string, std::string> all = c.properties;
  all["hs_object_id"] = c.id;
  all["createdate"] = FormatRfc3339Millis(FromUnixMillis(c.created_ms));
  all["lastmodifieddate"] = FormatRfc3339Millis(FromUnixMillis(c.updated_ms));
  std::vector<std::string> names = properties;
  for (const char* always : {"createdate", "hs_object_id", "lastmodifieddate"}) {
    if (std::find(names.begin(), names.end(), always) == names.end()) names.emplace_back(always);
  }
  std::sort(names.begin(), names.end());
  json::Writer w;
  w.BeginObject().Field("id", c.id).Key("properties").BeginObject();
  for (const std::string& n : names) {
    auto it = all.find(n);
    if (it == all.end()) {
      w.Key(n).Null();
    } else {
      w.Field(n, it->second);
    }
  }
  w.EndObject()
      .Field("createdAt", FormatRfc3339Millis(FromUnixMillis(c.created_ms)))
      .Field("updatedAt", FormatRfc3339Millis(FromUnixMillis(c.updated_ms)))
      .Key("archived")
      .Bool(false)
      .EndObject();
  return w.Take();
}

http::Response FakeHubSpot::List(const http::Request& r) {
  int limit = 10;
  if (auto v = r.QueryParam("limit")) limit = std::stoi(std::string(*v));
  limit = std::clamp(limit, 1, std::min(100, max_page_size_));
  int64_t after = 0;
  if (auto v = r.QueryParam("after")) {
    try {
      after = std::stoll(std::string(*v));
    } catch (...) {
      return HubSpotError(400, "Invalid input JSON on line 1: after", "VALIDATION_ERROR");
    }
  }
  std::vector<std::string> properties;
  for (std::string_view v : r.QueryParams("properties")) {
    for (std::string& p : Split(v, ',')) properties.push_back(p);
  }
  if (properties.empty()) properties = {"email", "firstname", "lastname"};

  std::string results;
  auto it = contacts_.lower_bound(after);
  int n = 0;
  for (; it != contacts_.end() && n < limit; ++it, ++n) {
    if (!results.empty()) results += ',';
    results += ContactJson(it->second, properties);
  }
  std::string body = "{\"results\":[" + results + "]";
  if (it != contacts_.end()) {
    std::string next = std::to_string(it->first);
    body += ",\"paging\":{\"next\":{\"after\":\"" + next + "\",\"link\":\"" + base_url() +
            "/crm/v3/objects/contacts?after=" + next + "\"}}";
  }
  body += "}";
  return Json(200, body, kHubSpotType);
}

http::Response FakeHubSpot::Search(const http::Request& r) {
  auto doc = json::Parse(r.body);
  if (!doc.ok() || !doc->is_object()) {
    return HubSpotError(400, "Invalid input JSON on line 1", "VALIDATION_ERROR");
  }
  int limit = 10;
  if (const json::Value* v = doc->Find("limit"); v != nullptr && v->is_integer()) {
    limit = static_cast<int>(v->as_int());
  }
  limit = std::clamp(limit, 1, std::min(200, max_page_size_));
  int64_t offset = 0;
  if (const json::Value* v = doc->Find("after"); v != nullptr) {
    try {
      offset = v->is_string() ? std::stoll(v->as_string()) : v->as_int();
    } catch (...) {
      return HubSpotError(400, "Invalid after", "VALIDATION_ERROR");
    }
  }
  if (offset >= search_limit_) {
    return HubSpotError(400,
                        "There was a problem with the request. The search API returns at most " +
                            std::to_string(search_limit_) + " results",
                        "VALIDATION_ERROR");
  }
  std::vector<std::string> properties;
  if (const json::Value* v = doc->Find("properties"); v != nullptr && v->is_array()) {
    for (const auto& p : v->items()) {
      if (p.is_string()) properties.push_back(p.as_string());
    }
  }
  if (properties.empty()) properties = {"email", "firstname", "lastname"};

  auto value_of = [](const FakeContact& c, const std::string& property) -> std::string {
    if (property == "lastmodifieddate") return std::to_string(c.updated_ms);
    if (property == "createdate") return std::to_string(c.created_ms);
    if (property == "hs_object_id") return c.id;
    auto it = c.properties.find(property);
    return it == c.properties.end() ? "" : it->second;
  };
  auto matches = [&](const FakeContact& c, const json::Value& filter) {
    const json::Value* name = filter.Find("propertyName");
    const json::Value* op = filter.Find("operator");
    const json::Value* value = filter.Find("value");
    if (name == nullptr || op == nullptr || !name->is_string() || !op->is_string()) return false;
    std::string want = value == nullptr     ? ""
                       : value->is_string() ? value->as_string()
                                            : std::to_string(value->as_int());
    int cmp = Compare(ComparableOf(name->as_string(), value_of(c, name->as_string())),
                      ComparableOf(name->as_string(), want));
    const std::string& o = op->as_string();
    if (o == "EQ") return cmp == 0;
    if (o == "NEQ") return cmp != 0;
    if (o == "GT") return cmp > 0;
    if (o == "GTE") return cmp >= 0;
    if (o == "LT") return cmp < 0;
    if (o == "LTE") return cmp <= 0;
    return false;
  };

  std::vector<const FakeContact*> hits;
  const json::Value* groups = doc->Find("filterGroups");
  for (const auto& [id, c] : contacts_) {
    bool ok = groups == nullptr || !groups->is_array() || groups->items().empty();
    if (!ok) {
      for (const auto& g : groups->items()) {
        const json::Value* filters = g.Find("filters");
        bool all = filters != nullptr && filters->is_array();
        if (all) {
          for (const auto& f : filters->items()) all = all && matches(c, f);
        }
        ok = ok || all;
      }
    }
    if (ok) hits.push_back(&c);
  }
  if (const json::Value* sorts = doc->Find("sorts");
      sorts != nullptr && sorts->is_array() && !sorts->items().empty()) {
    const json::Value& s = sorts->items().front();
    std::string property = s.Find("propertyName") ? s.Find("propertyName")->as_string() : "";
    bool desc = s.Find("direction") && s.Find("direction")->as_string() == "DESCENDING";
    std::stable_sort(hits.begin(), hits.end(), [&](const FakeContact* a, const FakeContact* b) {
      int cmp = Compare(ComparableOf(property, value_of(*a, property)),
                        ComparableOf(property, value_of(*b, property)));
      return desc ? cmp > 0 : cmp < 0;
    });
  }
  const int64_t total = static_cast<int64_t>(hits.size());
  int64_t end = std::min<int64_t>(offset + limit, total);
  std::string results;
  for (int64_t i = offset; i < end; ++i) {
    if (!results.empty()) results += ',';
    results += ContactJson(*hits[static_cast<size_t>(i)], properties);
  }
  std::string body = "{\"total\":" + std::to_string(total) + ",\"results\":[" + results + "]";
  if (end < total) {
    body += ",\"paging\":{\"next\":{\"after\":\"" + std::to_string(end) + "\"}}";
  }
  body += "}";
  return Json(200, body, kHubSpotType);
}

// --- FakeSalesforce --------------------------------------------------------------------

FakeSalesforce::FakeSalesforce(std::string token) : FakeCrmServer(std::move(token)) { Start(); }
FakeSalesforce::~FakeSalesforce() { Stop(); }

void FakeSalesforce::Upsert(FakeLead lead) {
  std::lock_guard lock(mu_);
  std::string id = lead.id;
  leads_[id] = std::move(lead);
}

void FakeSalesforce::SetBatchSize(int n) {
  std::lock_guard lock(mu_);
  batch_size_ = n;
}

http::Response FakeSalesforce::Unauthorized() {
  return SalesforceError(401, "Session expired or invalid", "INVALID_SESSION_ID");
}

http::Response FakeSalesforce::RateLimited() {
  return SalesforceError(429, "Too many requests, retry later", "REQUEST_LIMIT_EXCEEDED");
}

http::Response FakeSalesforce::ServerError(int status) {
  if (status == 403) {
    return SalesforceError(403, "TotalRequests Limit exceeded.", "REQUEST_LIMIT_EXCEEDED");
  }
  return SalesforceError(status,
                         "An unexpected error occurred. Please include this ErrorId if you "
                         "contact support: 1234567890-12345 (-987654321)",
                         "UNKNOWN_EXCEPTION");
}

void FakeSalesforce::SetRefreshGrant(std::string client_id, std::string client_secret,
                                     std::string refresh_token) {
  std::lock_guard lock(mu_);
  client_id_ = std::move(client_id);
  client_secret_ = std::move(client_secret);
  refresh_token_ = std::move(refresh_token);
}

std::optional<http::Response> FakeSalesforce::AnswerWithoutToken(const http::Request& r) {
  if (r.path != "/services/oauth2/token") return std::nullopt;
  auto oauth_error = [](std::string_view error, std::string_view description) {
    json::Writer w;
    w.BeginObject().Field("error", error).Field("error_description", description).EndObject();
    return Json(400, w.Take(), "application/json;charset=UTF-8");
  };
  if (r.method != http::Method::kPost) return oauth_error("invalid_request", "must use HTTP POST");
  std::map<std::string, std::string> form;
  for (std::string_view rest = r.body; !rest.empty();) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    form[std::string(pair.substr(0, eq))] =
        http::PercentDecode(pair.substr(eq + 1), true).value_or("");
  }
  if (form["grant_type"] != "refresh_token") {
    return oauth_error("unsupported_grant_type", "grant type not supported");
  }
  if (client_id_.empty() || form["client_id"] != client_id_) {
    return oauth_error("invalid_client_id", "client identifier invalid");
  }
  if (form["client_secret"] != client_secret_) {
    return oauth_error("invalid_client", "invalid client credentials");
  }
  if (form["refresh_token"] != refresh_token_) {
    return oauth_error("invalid_grant", "expired access/refresh token");
  }
  json::Writer w;
  w.BeginObject()
      .Field("access_token", token())
      .Field("signature", "fake-signature")
      .Field("scope", "api refresh_token")
      .Field("instance_url", base_url())
      .Field("id", base_url() + "/id/00D000000000001EAA/005000000000001AAA")
      .Field("token_type", "Bearer")
      .Field("issued_at", "1764500000000")
      .EndObject();
  return Json(200, w.Take(), "application/json;charset=UTF-8");
}

http::Response FakeSalesforce::Answer(const http::Request& r) {
  const std::string prefix = std::string(kSfPrefix) + "/query";
  if (r.method == http::Method::kGet && r.path == prefix) {
    auto q = r.QueryParam("q");
    if (!q) return SalesforceError(400, "A query string has to be specified", "MALFORMED_QUERY");
    return Query(std::string(*q));
  }
  if (r.method == http::Method::kGet && r.path.starts_with(prefix + "/")) {
    std::string rest = r.path.substr(prefix.size() + 1);
    size_t dash = rest.rfind('-');
    if (dash == std::string::npos) {
      return SalesforceError(400, "invalid query locator", "INVALID_QUERY_LOCATOR");
    }
    return Page(rest.substr(0, dash), std::stoul(rest.substr(dash + 1)));
  }
  return SalesforceError(404, "The requested resource does not exist", "NOT_FOUND");
}

http::Response FakeSalesforce::Query(const std::string& soql) {
  std::string lower = Lower(soql);
  if (!lower.starts_with("select ")) {
    return SalesforceError(400, "unexpected token: '" + soql.substr(0, soql.find(' ')) + "'",
                           "MALFORMED_QUERY");
  }
  size_t from = lower.find(" from ");
  if (from == std::string::npos) {
    return SalesforceError(400, "unexpected token: <EOF>", "MALFORMED_QUERY");
  }
  std::vector<std::string> requested = Split(soql.substr(7, from - 7), ',');
  std::string rest = Trim(soql.substr(from + 6));
  std::string object = rest.substr(0, rest.find(' '));
  if (Lower(object) != "lead") {
    return SalesforceError(400, "sObject type '" + object + "' is not supported.", "INVALID_TYPE");
  }
  rest = Trim(rest.substr(object.size()));
  std::optional<int64_t> after_ms;
  bool inclusive = false;
  if (Lower(rest).starts_with("where ")) {
    std::vector<std::string> parts = Split(rest.substr(6), ' ');
    if (parts.size() < 3 || Lower(parts[0]) != "lastmodifieddate" ||
        (parts[1] != ">" && parts[1] != ">=")) {
      return SalesforceError(400, "unsupported WHERE clause in this fake: " + rest,
                             "MALFORMED_QUERY");
    }
    auto t = connectors::ParseTimestamp(parts[2]);
    if (!t) {
      return SalesforceError(400,
                             "value of filter criterion for field 'LastModifiedDate' must be "
                             "of type dateTime and should not be enclosed in quotes",
                             "INVALID_QUERY_FILTER_OPERATOR");
    }
    after_ms = connectors::ToUnixMillis(*t);
    inclusive = parts[1] == ">=";
  }

  // Canonical names: the standard fields, then any custom field some lead has.
  std::vector<std::string> known(std::begin(kStandardLeadFields), std::end(kStandardLeadFields));
  for (const auto& [id, lead] : leads_) {
    for (const auto& [name, v] : lead.fields) {
      if (std::none_of(known.begin(), known.end(),
                       [&](const std::string& k) { return Lower(k) == Lower(name); })) {
        known.push_back(name);
      }
    }
  }
  Cursor cursor;
  for (const std::string& f : requested) {
    auto it = std::find_if(known.begin(), known.end(),
                           [&](const std::string& k) { return Lower(k) == Lower(f); });
    if (it == known.end()) {
      return SalesforceError(
          400,
          "\nSELECT " + f +
              " FROM Lead\n       ^\nERROR at Row:1:Column:8\n"
              "No such column '" +
              f +
              "' on entity 'Lead'. If you are attempting "
              "to use a custom field, be sure to append the '__c' after the custom "
              "field name.",
          "INVALID_FIELD");
    }
    cursor.fields.push_back(*it);
  }
  for (const auto& [id, lead] : leads_) {
    if (after_ms &&
        (inclusive ? lead.last_modified_ms < *after_ms : lead.last_modified_ms <= *after_ms)) {
      continue;
    }
    cursor.leads.push_back(lead);
  }
  std::stable_sort(
      cursor.leads.begin(), cursor.leads.end(),
      [](const FakeLead& a, const FakeLead& b) { return a.last_modified_ms < b.last_modified_ms; });
  std::string locator = "01gFAKE" + std::to_string(next_cursor_++);
  cursors_[locator] = std::move(cursor);
  return Page(locator, 0);
}

http::Response FakeSalesforce::Page(const std::string& locator, size_t offset) {
  auto it = cursors_.find(locator);
  if (it == cursors_.end()) {
    return SalesforceError(400, "invalid query locator", "INVALID_QUERY_LOCATOR");
  }
  const Cursor& c = it->second;
  size_t end = std::min(c.leads.size(), offset + static_cast<size_t>(batch_size_));
  json::Writer w;
  w.BeginObject().Key("totalSize").Int(static_cast<int64_t>(c.leads.size()));
  w.Key("done").Bool(end >= c.leads.size());
  if (end < c.leads.size()) {
    w.Field("nextRecordsUrl",
            std::string(kSfPrefix) + "/query/" + locator + "-" + std::to_string(end));
  }
  w.Key("records").BeginArray();
  for (size_t i = offset; i < end; ++i) {
    const FakeLead& lead = c.leads[i];
    w.BeginObject().Key("attributes").BeginObject();
    w.Field("type", "Lead").Field("url", std::string(kSfPrefix) + "/sobjects/Lead/" + lead.id);
    w.EndObject();
    auto value = [&](const std::string& name) -> std::optional<std::string> {
      if (Lower(name) == "id") return lead.id;
      if (Lower(name) == "lastmodifieddate") return SalesforceDate(lead.last_modified_ms);
      for (const auto& [k, v] : lead.fields) {
        if (Lower(k) == Lower(name)) return v;
      }
      return std::nullopt;
    };
    std::vector<std::string> done_relations;
    for (const std::string& f : c.fields) {
      size_t dot = f.find('.');
      if (dot != std::string::npos) {
        std::string rel = f.substr(0, dot);
        if (std::find(done_relations.begin(), done_relations.end(), rel) != done_relations.end()) {
          continue;
        }
        done_relations.push_back(rel);
        w.Key(rel).BeginObject().Key("attributes").BeginObject().Field("type", "User").EndObject();
        for (const std::string& g : c.fields) {
          if (!g.starts_with(rel + ".")) continue;
          if (auto v = value(g)) {
            w.Field(g.substr(dot + 1), *v);
          } else {
            w.Key(g.substr(dot + 1)).Null();
          }
        }
        w.EndObject();
        continue;
      }
      if (auto v = value(f)) {
        w.Field(f, *v);
      } else {
        w.Key(f).Null();
      }
    }
    w.EndObject();
  }
  w.EndArray().EndObject();
  return Json(200, w.Take(), kSalesforceType);
}

}  // namespace leadline::testing
