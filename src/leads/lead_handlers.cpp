// Leads over HTTP. Handlers only translate: JSON bodies and query strings in, JSON or CSV
// out; the rules live in LeadService.
#include "leads/lead_handlers.h"

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "api/call.h"
#include "core/uuid.h"

namespace leadline::leads {
namespace {

using api::Call;
using api::FieldReader;
using api::JsonResponse;
using api::NoContent;
using auth::Role;
using http::Method;
using http::Response;

// Byte limits for the type check; NormalizeLeadInput then applies the character limits.
constexpr size_t kMaxTextBytes = 4 * 1024;
constexpr size_t kMaxTagBytes = 400;

void ReadText(FieldReader& f, std::string_view name, FieldValue<std::string>& out) {
  if (!f.Has(name)) return;
  if (f.IsNull(name)) {
    out.SetNull();
    return;
  }
  if (auto v = f.String(name, kMaxTextBytes)) out.Set(std::move(*v));
}

// Reads the writable lead fields; unknown members are "unknown field" errors.
LeadInput ReadLeadInput(const json::Value& body, FieldReader& f) {
  f.RejectUnknown({"first_name", "last_name", "email", "phone", "status", "source", "tags",
                   "lead_score", "assigned_to", "timezone", "company", "title", "metadata"});
  LeadInput in;
  ReadText(f, "first_name", in.first_name);
  ReadText(f, "last_name", in.last_name);
  ReadText(f, "email", in.email);
  ReadText(f, "phone", in.phone);
  ReadText(f, "status", in.status);
  ReadText(f, "source", in.source);
  ReadText(f, "assigned_to", in.assigned_to);
  ReadText(f, "timezone", in.timezone);
  ReadText(f, "company", in.company);
  ReadText(f, "title", in.title);
  if (f.Has("lead_score")) {
    if (f.IsNull("lead_score")) {
      in.lead_score.SetNull();
    } else if (auto v = f.Int("lead_score")) {
      in.lead_score.Set(*v);
    }
  }
  if (f.Has("tags")) {
    if (f.IsNull("tags")) {
      in.tags.SetNull();
    } else if (auto v = f.StringArray("tags", 10 * kMaxTags, kMaxTagBytes)) {
      in.tags.Set(std::move(*v));
    }
  }
  if (f.IsNull("metadata")) {
    in.metadata_json.SetNull();
  } else if (auto m = f.ObjectJson("metadata")) {
    in.metadata_json.Set(std::move(*m));
  }
  return in;
}

Response LeadResponse(int status, const Lead& lead) {
  Response r = JsonResponse(status, LeadJson(lead));
  r.SetHeader("ETag", LeadETag(lead.version));
  return r;
}

template <typename T, typename WriteItem>
Response PageResponse(const Page<T>& page, WriteItem write) {
  json::Writer w;
  w.BeginObject().Key("data").BeginArray();
  for (const T& item : page.items) write(w, item);
  w.EndArray().OptionalField("next_cursor", page.next_cursor).EndObject();
  return JsonResponse(200, w.Take());
}

Result<std::optional<IfMatch>> IfMatchOf(const http::Request& r) {
  return ParseIfMatch(r.headers.Get("If-Match"));
}

// The bulk "filter" object, as query parameters: the same keys, the same checks.
std::vector<std::pair<std::string, std::string>> FilterParams(const json::Value& filter,
                                                              FieldReader& f) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, v] : filter.members()) {
    const std::string field = "filter." + key;
    // JSON has types the query string has not: a score is an integer, everything else text.
    // A filter of the wrong type is refused, never read as the other (a bulk change is too
    // costly to make on a guess).
    const bool integer_key = key == "score_min" || key == "score_max";
    if (integer_key) {
      if (v.is_integer()) {
        out.emplace_back(key, std::to_string(v.as_int()));
      } else {
        f.Fail(field, "must be an integer");
      }
    } else if (v.is_string()) {
      out.emplace_back(key, v.as_string());
    } else if (v.is_array() && (key == "status" || key == "tag")) {
      for (const auto& item : v.items()) {
        if (!item.is_string()) {
          f.Fail(field, "must be an array of strings");
          break;
        }
        out.emplace_back(key, item.as_string());
      }
    } else {
      f.Fail(field, "has the wrong type");
    }
  }
  return out;
}

Result<BulkRequest> ReadBulkRequest(const json::Value& body) {
  FieldReader f(body);
  f.RejectUnknown({"ids", "filter", "operation"});
  BulkRequest req;
  const json::Value* ids = body.Find("ids");
  const json::Value* filter = body.Find("filter");
  if ((ids == nullptr) == (filter == nullptr)) {
    f.Fail("ids", "give either ids or filter");
  } else if (ids != nullptr) {
    if (auto v = f.StringArray("ids", kMaxBulkIds, 64)) {
      bool valid = !v->empty() && std::all_of(v->begin(), v->end(),
                                              [](const std::string& s) { return IsUuid(s); });
      if (!valid) {
        f.Fail("ids", "must be 1 to 10000 lead ids");
      } else {
        req.ids = std::move(*v);
      }
    } else if (f.ok()) {
      f.Fail("ids", "must be 1 to 10000 lead ids");
    }
  } else if (!filter->is_object()) {
    f.Fail("filter", "must be an object with the keys of the list query");
  } else {
    auto params = FilterParams(*filter, f);
    auto q = ParseListQuery(params, QueryKind::kFilter, StatusCode::kValidationFailed, "filter.");
    if (!q.ok()) {
      for (const auto& fe : q.status().field_errors()) f.Fail(fe.field, fe.message);
    } else {
      req.filter = std::move(*q);
    }
  }

  const json::Value* op = body.Find("operation");
  if (op == nullptr || !op->is_object() || op->members().size() != 1) {
    f.Fail("operation",
           "must be an object with exactly one of set_status, add_tags, remove_tags, assign, "
           "delete");
    return f.status();
  }
  const auto& [name, value] = op->members().front();
  const std::string field = "operation." + name;
  if (name == "set_status") {
    req.op = BulkRequest::Op::kSetStatus;
    if (!value.is_string() || !IsStatus(value.as_string())) {
      f.Fail(field, "must be a lead status");
    } else {
      req.status = value.as_string();
    }
  } else if (name == "add_tags" || name == "remove_tags") {
    req.op = name == "add_tags" ? BulkRequest::Op::kAddTags : BulkRequest::Op::kRemoveTags;
    std::vector<std::string> tags;
    bool strings = value.is_array() && !value.items().empty();
    for (const auto& item : value.items()) {
      strings = strings && item.is_string();
      if (strings) tags.push_back(item.as_string());
    }
    if (!strings) {
      f.Fail(field, "must be a non-empty array of tags");
    } else if (auto t = NormalizeTags(tags, field); !t.ok()) {
      f.Fail(field, t.status().field_errors().front().message);
    } else {
      req.tags = std::move(*t);
    }
  } else if (name == "assign") {
    req.op = BulkRequest::Op::kAssign;
    if (value.is_string() && IsUuid(value.as_string())) {
      req.assignee = CanonicalUuid(value.as_string());
    } else if (!value.is_null()) {
      f.Fail(field, "must be a user id or null");
    }
  } else if (name == "delete") {
    req.op = BulkRequest::Op::kDelete;
    if (!value.is_bool() || !value.as_bool()) f.Fail(field, "must be true");
  } else {
    f.Fail(field, "unknown operation");
  }
  if (!f.ok()) return f.status();
  return req;
}

void WriteBulkResult(json::Writer& w, const BulkResult& r) {
  w.BeginObject()
      .Key("matched")
      .Int(r.matched)
      .Key("updated")
      .Int(r.updated)
      .Key("skipped")
      .Int(r.skipped)
      .Key("not_found")
      .Int(r.not_found)
      .Key("skipped_reasons")
      .BeginObject();
  for (const auto& [reason, n] : r.skipped_reasons) w.Key(reason).Int(n);
  w.EndObject().EndObject();
}

Result<Response> HandleExport(Call& c, LeadService& leads) {
  ASSIGN_OR_RETURN(ListQuery q, ParseListQuery(c.request.query, QueryKind::kExport));
  ASSIGN_OR_RETURN(std::unique_ptr<LeadExport> exp, leads.Export(c.principal, q));
  // The body is written after this handler returns: the export (its transaction and
  // connection) lives as long as the stream does.
  std::shared_ptr<LeadExport> shared = std::move(exp);
  Response r;
  r.status = 200;
  r.content_type = "text/csv; charset=utf-8";
  r.SetHeader("Content-Disposition", "attachment; filename=\"leads.csv\"");
  r.SetHeader("Cache-Control", "no-store");
  r.stream = [shared](const std::function<bool(std::string_view)>& sink) {
    for (;;) {
      auto chunk = shared->Next();
      // Throwing is the only way a BodyWriter can fail: the server then drops the
      // connection without the final chunk, so the client sees a truncated download
      // instead of a complete-looking file.
      if (!chunk.ok()) throw std::runtime_error("lead export failed: " + chunk.status().ToString());
      if (chunk->empty() || !sink(*chunk)) return;
    }
  };
  return r;
}

}  // namespace

void RegisterLeadRoutes(http::Router& router, auth::AuthService& auth, LeadService& leads) {
  auto authed = [&auth](Role role, api::Handler fn) {
    return api::Authed(auth, role, std::move(fn));
  };

  router.Add(Method::kGet, "/api/leads",
             authed(Role::kAgent, [&leads](Call& c) -> Result<Response> {
               ASSIGN_OR_RETURN(ListQuery q, ParseListQuery(c.request.query, QueryKind::kList));
               ASSIGN_OR_RETURN(Page<Lead> page, leads.List(c.principal, q));
               return PageResponse(page, WriteLead);
             }));

  router.Add(Method::kPost, "/api/leads",
             authed(Role::kAgent, [&leads](Call& c) -> Result<Response> {
               ASSIGN_OR_RETURN(json::Value body, api::JsonObjectBody(c.request));
               FieldReader f(body);
               LeadInput in = ReadLeadInput(body, f);
               if (!f.ok()) return leads.WithValueErrors(c.principal, in, true, f.status());
               ASSIGN_OR_RETURN(Lead lead, leads.Create(c.principal, in));
               Response r = LeadResponse(201, lead);
               r.SetHeader("Location", "/api/leads/" + lead.id);
               return r;
             }));

  // Fixed paths before /api/leads/{id}: the router takes the first pattern that matches.
  router.Add(Method::kGet, "/api/leads/export.csv",
             authed(Role::kAgent, [&leads](Call& c) { return HandleExport(c, leads); }));

  router.Add(Method::kPost, "/api/leads/bulk",
             authed(Role::kAgent, [&leads](Call& c) -> Result<Response> {
               ASSIGN_OR_RETURN(json::Value body, api::JsonObjectBody(c.request));
               ASSIGN_OR_RETURN(BulkRequest req, ReadBulkRequest(body));
               ASSIGN_OR_RETURN(BulkResult result, leads.Bulk(c.principal, req));
               json::Writer w;
               WriteBulkResult(w, result);
               return JsonResponse(200, w.Take());
             }));

  router.Add(Method::kGet, "/api/leads/{id}",
             authed(Role::kAgent, [&leads](Call& c) -> Result<Response> {
               ASSIGN_OR_RETURN(Lead lead, leads.Get(c.principal, c.params.Get("id")));
               return LeadResponse(200, lead);
             }));

  router.Add(Method::kPatch, "/api/leads/{id}",
             authed(Role::kAgent, [&leads](Call& c) -> Result<Response> {
               ASSIGN_OR_RETURN(auto if_match, IfMatchOf(c.request));
               ASSIGN_OR_RETURN(json::Value body, api::JsonObjectBody(c.request));
               FieldReader f(body);
               LeadInput in = ReadLeadInput(body, f);
               if (!f.ok()) return leads.WithValueErrors(c.principal, in, false, f.status());
               ASSIGN_OR_RETURN(Lead lead,
                                leads.Update(c.principal, c.params.Get("id"), in, if_match));
               return LeadResponse(200, lead);
             }));

  router.Add(Method::kDelete, "/api/leads/{id}",
             authed(Role::kAgent, [&leads](Call& c) -> Result<Response> {
               ASSIGN_OR_RETURN(auto if_match, IfMatchOf(c.request));
               RETURN_IF_ERROR(leads.Delete(c.principal, c.params.Get("id"), if_match));
               return NoContent();
             }));

  router.Add(Method::kPost, "/api/leads/{id}/restore",
             authed(Role::kAgent, [&leads](Call& c) -> Result<Response> {
               ASSIGN_OR_RETURN(Lead lead, leads.Restore(c.principal, c.params.Get("id")));
               return LeadResponse(200, lead);
             }));

  router.Add(
      Method::kPost, "/api/leads/{id}/merge",
      authed(Role::kManager, [&leads](Call& c) -> Result<Response> {
        ASSIGN_OR_RETURN(auto if_match, IfMatchOf(c.request));
        ASSIGN_OR_RETURN(json::Value body, api::JsonObjectBody(c.request));
        FieldReader f(body);
        f.RejectUnknown({"other_id"});
        auto other = f.String("other_id", 64);
        if (!other && f.ok()) f.Fail("other_id", "is required");
        if (!f.ok()) return f.status();
        ASSIGN_OR_RETURN(MergeResult m,
                         leads.Merge(c.principal, c.params.Get("id"), *other, if_match));
        json::Writer w;
        w.BeginObject().Key("lead");
        WriteLead(w, m.lead);
        w.Field("merged_from", m.merged_from).Key("moved").BeginObject().Key("fields").BeginArray();
        for (const auto& field : m.fields) w.String(field);
        w.EndArray().Key("tags").BeginArray();
        for (const auto& tag : m.tags) w.String(tag);
        w.EndArray()
            .Key("enrollments")
            .Int(m.enrollments_moved)
            .Key("enrollments_cancelled")
            .Int(m.enrollments_cancelled)
            .EndObject()
            .EndObject();
        Response r = JsonResponse(200, w.Take());
        r.SetHeader("ETag", LeadETag(m.lead.version));
        return r;
      }));

  router.Add(Method::kPost, "/api/leads/{id}/tags",
             authed(Role::kAgent, [&leads](Call& c) -> Result<Response> {
               ASSIGN_OR_RETURN(json::Value body, api::JsonObjectBody(c.request));
               FieldReader f(body);
               f.RejectUnknown({"add", "remove"});
               auto add = f.StringArray("add", 10 * kMaxTags, kMaxTagBytes);
               auto remove = f.StringArray("remove", 10 * kMaxTags, kMaxTagBytes);
               if (f.ok() && !add && !remove) f.Fail("add", "give add, remove or both");
               if (!f.ok()) return f.status();
               ASSIGN_OR_RETURN(Lead lead,
                                leads.ChangeTags(c.principal, c.params.Get("id"),
                                                 add.value_or(std::vector<std::string>{}),
                                                 remove.value_or(std::vector<std::string>{})));
               return LeadResponse(200, lead);
             }));

  router.Add(Method::kGet, "/api/leads/{id}/history",
             authed(Role::kAgent, [&leads](Call& c) -> Result<Response> {
               ASSIGN_OR_RETURN(PageRequest page,
                                ParsePageRequest(c.request.query, HistoryList(HistoryKind::kAudit,
                                                                              c.params.Get("id"))));
               ASSIGN_OR_RETURN(auto result, leads.History(c.principal, c.params.Get("id"), page));
               return PageResponse(result, WriteAuditEntry);
             }));

  router.Add(
      Method::kGet, "/api/leads/{id}/status-history",
      authed(Role::kAgent, [&leads](Call& c) -> Result<Response> {
        ASSIGN_OR_RETURN(PageRequest page,
                         ParsePageRequest(c.request.query,
                                          HistoryList(HistoryKind::kStatus, c.params.Get("id"))));
        ASSIGN_OR_RETURN(auto result, leads.StatusHistory(c.principal, c.params.Get("id"), page));
        return PageResponse(result, WriteStatusChange);
      }));

  router.Add(Method::kGet, "/api/leads/{id}/timeline",
             authed(Role::kAgent, [&leads](Call& c) -> Result<Response> {
               ASSIGN_OR_RETURN(
                   PageRequest page,
                   ParsePageRequest(c.request.query,
                                    HistoryList(HistoryKind::kTimeline, c.params.Get("id"))));
               ASSIGN_OR_RETURN(auto result, leads.Timeline(c.principal, c.params.Get("id"), page));
               return PageResponse(result, WriteTimelineEvent);
             }));

  router.Add(Method::kGet, "/api/tags", authed(Role::kAgent, [&leads](Call& c) -> Result<Response> {
               ASSIGN_OR_RETURN(RawPage page, ParseRawPage(c.request.query));
               std::optional<std::string_view> cursor;
               if (page.cursor) cursor = *page.cursor;
               ASSIGN_OR_RETURN(auto result, leads.Tags(c.principal, page.limit, cursor));
               return PageResponse(result, [](json::Writer& w, const TagCount& t) {
                 w.BeginObject().Field("tag", t.tag).Key("count").Int(t.count).EndObject();
               });
             }));
}

}  // namespace leadline::leads
