// HubSpot contacts: GET /crm/v3/objects/contacts for a full sync, POST
// /crm/v3/objects/contacts/search filtered on lastmodifieddate for an incremental one. Both
// page with `after`; the search API stops at 10,000 results per query, so a long incremental
// sync restarts its search from the last lastmodifieddate it saw.
#include <algorithm>
#include <cctype>
#include <unordered_set>

#include "connectors/crm_source.h"
#include "connectors/crm_transport.h"
#include "http/json.h"

namespace leadline::connectors {
namespace {

constexpr std::string_view kProvider = "HubSpot";
constexpr std::string_view kModified = "lastmodifieddate";

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

// HubSpot writes datetimes as RFC 3339; older properties may hold epoch milliseconds.
std::optional<int64_t> ModifiedMillis(std::string_view v) {
  if (!v.empty() && std::all_of(v.begin(), v.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      })) {
    if (v.size() > 15) return std::nullopt;
    return std::stoll(std::string(v));
  }
  if (auto t = ParseTimestamp(v)) return ToUnixMillis(*t);
  return std::nullopt;
}

// The error message of a HubSpot error body ({"status":"error","message":...}), if any.
std::string ProviderMessage(const std::string& body) {
  auto doc = json::Parse(body);
  if (!doc.ok()) return "";
  const json::Value* m = doc->Find("message");
  return m != nullptr && m->is_string() ? m->as_string() : "";
}

struct Page {
  std::vector<CrmRecord> records;
  std::vector<std::optional<int64_t>> modified_ms;  // per record
  std::optional<std::string> next_after;
};

Result<Page> ParsePage(const std::string& body, int page_number) {
  auto doc = json::Parse(body);
  if (!doc.ok()) {
    return InvalidArgument("HubSpot sent malformed JSON (page " + std::to_string(page_number) +
                           "): " + doc.status().message());
  }
  const json::Value* results = doc->Find("results");
  if (results == nullptr || !results->is_array()) {
    return InvalidArgument("HubSpot sent an unexpected answer (page " +
                           std::to_string(page_number) + "): no \"results\" array");
  }
  Page page;
  for (const json::Value& item : results->items()) {
    const json::Value* id = item.Find("id");
    if (id == nullptr || !(id->is_string() || id->is_integer())) {
      return InvalidArgument("HubSpot sent an unexpected answer (page " +
                             std::to_string(page_number) + "): a result without an id");
    }
    CrmRecord r;
    r.id = id->is_string() ? id->as_string() : std::to_string(id->as_int());
    if (const json::Value* props = item.Find("properties");
        props != nullptr && props->is_object()) {
      for (const auto& [k, v] : props->members()) {
        if (v.is_string()) {
          r.values[Lower(k)] = v.as_string();
        } else if (v.is_bool()) {
          r.values[Lower(k)] = v.as_bool() ? "true" : "false";
        } else if (v.is_integer()) {
          r.values[Lower(k)] = std::to_string(v.as_int());
        }
      }
    }
    std::optional<int64_t> ms;
    if (const std::string* m = r.Find(kModified)) ms = ModifiedMillis(*m);
    if (!ms) {
      if (const json::Value* u = item.Find("updatedAt"); u != nullptr && u->is_string()) {
        ms = ModifiedMillis(u->as_string());
      }
    }
    page.records.push_back(std::move(r));
    page.modified_ms.push_back(ms);
  }
  if (const json::Value* paging = doc->Find("paging")) {
    if (const json::Value* next = paging->Find("next")) {
      if (const json::Value* after = next->Find("after")) {
        if (after->is_string() && !after->as_string().empty()) {
          page.next_after = after->as_string();
        } else if (after->is_integer()) {
          page.next_after = std::to_string(after->as_int());
        }
      }
    }
  }
  return page;
}

HttpRequest BaseRequest(const SourceQuery& q, const RetryPolicy& retry) {
  HttpRequest req;
  req.headers = {{"Authorization", "Bearer " + q.token}, {"Accept", "application/json"}};
  req.timeout = retry.request_timeout;
  return req;
}

Result<Page> FetchPage(const HttpRequest& req, const SourceQuery& q, const RetryPolicy& retry,
                       int page_number) {
  ASSIGN_OR_RETURN(HttpResponse resp, internal::SendWithRetry(req, retry, kProvider, q.token));
  if (resp.status < 200 || resp.status > 299) {
    return internal::ErrorFor(resp.status, kProvider, ProviderMessage(resp.body), q.token);
  }
  return ParsePage(resp.body, page_number);
}

std::vector<std::string> WithModified(std::vector<std::string> properties) {
  bool has = std::any_of(properties.begin(), properties.end(),
                         [](const std::string& p) { return Lower(p) == kModified; });
  if (!has) properties.emplace_back(kModified);
  return properties;
}

Status FullSync(const SourceQuery& q, const RetryPolicy& retry, const PageSink& sink) {
  std::string props;
  for (const std::string& p : WithModified(q.properties)) {
    if (!props.empty()) props += ',';
    props += UrlEncode(p);
  }
  const std::string base = TrimSlash(q.base_url) +
                           "/crm/v3/objects/contacts?limit=" + std::to_string(q.page_size) +
                           "&archived=false&properties=" + props;
  std::optional<std::string> after;
  for (int page_number = 1;; ++page_number) {
    HttpRequest req = BaseRequest(q, retry);
    req.url = base;
    if (after) req.url += "&after=" + UrlEncode(*after);
    ASSIGN_OR_RETURN(Page page, FetchPage(req, q, retry, page_number));
    RETURN_IF_ERROR(sink(page.records));
    if (!page.next_after) return Status::Ok();
    if (after && *page.next_after == *after) {
      return InvalidArgument("HubSpot repeated a page cursor; stopping");
    }
    after = std::move(page.next_after);
  }
}

std::string SearchBody(const SourceQuery& q, int64_t since_ms,
                       const std::optional<std::string>& after) {
  json::Writer w;
  w.BeginObject().Key("filterGroups").BeginArray().BeginObject().Key("filters").BeginArray();
  w.BeginObject()
      .Field("propertyName", kModified)
      .Field("operator", "GTE")
      .Field("value", std::to_string(since_ms))
      .EndObject();
  w.EndArray().EndObject().EndArray();
  w.Key("sorts").BeginArray().BeginObject();
  w.Field("propertyName", kModified).Field("direction", "ASCENDING").EndObject().EndArray();
  w.Key("properties").BeginArray();
  for (const std::string& p : WithModified(q.properties)) w.String(p);
  w.EndArray();
  w.Key("limit").Int(q.page_size);
  if (after) w.Field("after", *after);
  w.EndObject();
  return w.Take();
}

Status IncrementalSync(const SourceQuery& q, const RetryPolicy& retry, const PageSink& sink) {
  int64_t window_start = ToUnixMillis(*q.since);
  // Records already handed on whose lastmodifieddate equals the current window's start: a
  // restarted search (GTE that time) returns them again.
  std::unordered_set<std::string> seen_at_start;
  // The latest lastmodifieddate handed on, and the ids handed on with exactly that time.
  int64_t latest = window_start;
  std::unordered_set<std::string> ids_at_latest;
  std::optional<std::string> after;
  int64_t in_window = 0;
  const std::string url = TrimSlash(q.base_url) + "/crm/v3/objects/contacts/search";
  for (int page_number = 1;; ++page_number) {
    HttpRequest req = BaseRequest(q, retry);
    req.method = "POST";
    req.url = url;
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = SearchBody(q, window_start, after);
    ASSIGN_OR_RETURN(Page page, FetchPage(req, q, retry, page_number));
    in_window += static_cast<int64_t>(page.records.size());
    std::vector<CrmRecord> fresh;
    fresh.reserve(page.records.size());
    for (size_t i = 0; i < page.records.size(); ++i) {
      CrmRecord& r = page.records[i];
      std::optional<int64_t> ms = page.modified_ms[i];
      if (ms && *ms == window_start && seen_at_start.count(r.id) > 0) continue;
      if (ms && *ms > latest) {
        latest = *ms;
        ids_at_latest.clear();
      }
      if (ms && *ms == latest) ids_at_latest.insert(r.id);
      fresh.push_back(std::move(r));
    }
    RETURN_IF_ERROR(sink(fresh));
    if (!page.next_after) return Status::Ok();
    if (in_window + q.page_size > q.search_window) {
      // The next page would pass the search API's result limit: search again from the
      // latest modification time seen, skipping the records already handed on at that time.
      if (latest == window_start) {
        return InvalidArgument(
            "more than " + std::to_string(q.search_window) +
            " HubSpot contacts share one lastmodifieddate; run a full sync instead");
      }
      window_start = latest;
      seen_at_start = ids_at_latest;
      after.reset();
      in_window = 0;
      continue;
    }
    after = std::move(page.next_after);
  }
}

}  // namespace

Status FetchHubSpotContacts(const SourceQuery& q, const RetryPolicy& retry, const PageSink& sink) {
  if (q.since) return IncrementalSync(q, retry, sink);
  return FullSync(q, retry, sink);
}

Status FetchRecords(Kind kind, const SourceQuery& q, const RetryPolicy& retry,
                    const PageSink& sink) {
  return kind == Kind::kHubSpot ? FetchHubSpotContacts(q, retry, sink)
                                : FetchSalesforceLeads(q, retry, sink);
}

}  // namespace leadline::connectors
