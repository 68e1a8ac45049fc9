// Connectors over HTTP. Handlers only translate; the rules live in ConnectorService.
#include "connectors/connector_handlers.h"

#include "api/call.h"
#include "connectors/field_mapping.h"
#include "connectors/sync_options.h"
#include "core/uuid.h"

namespace leadline::connectors {
namespace {

using api::Call;
using api::FieldReader;
using api::JsonResponse;
using api::Limit;
using api::NoContent;
using api::QueryValue;
using auth::Role;
using http::Method;
using http::Response;

void WriteSummary(json::Writer& w, const SyncSummary& s) {
  w.BeginObject()
      .Field("job_id", s.job_id)
      .Field("status", s.status)
      .Field("created_at", s.created_at)
      .OptionalField("started_at", s.started_at)
      .OptionalField("finished_at", s.finished_at)
      .OptionalField("error", s.error)
      .OptionalField("source_cursor", s.source_cursor)
      .Key("total_rows")
      .Int(s.total_rows)
      .Key("created")
      .Int(s.created)
      .Key("updated")
      .Int(s.updated)
      .Key("skipped")
      .Int(s.skipped)
      .Key("failed")
      .Int(s.failed)
      .EndObject();
}

Response ConnectorResponse(int status, const Connector& c) {
  json::Writer w;
  WriteConnector(w, c);
  Response r = JsonResponse(status, w.Take());
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

// The errors of `f` and those of `more` (a nested reader's, already named), as one 422.
Status MergedFieldErrors(const FieldReader& f, const Status& more) {
  Status errors = f.status();
  for (const auto& fe : more.field_errors()) errors.AddFieldError(fe.field, fe.message);
  return errors;
}

// Reads a field that may be a string or null; `set` tells whether it was present.
std::optional<std::string> NullableString(FieldReader& f, std::string_view name, size_t max,
                                          bool& set) {
  set = f.Has(name);
  if (!set || f.IsNull(name)) return std::nullopt;
  return f.String(name, max);
}

// "oauth": {"client_id", "client_secret", "refresh_token"}, all strings; nullopt when absent.
std::optional<SalesforceRefreshToken> ReadOAuth(const json::Value& body, FieldReader& f) {
  const json::Value* v = body.Find("oauth");
  if (v == nullptr) return std::nullopt;
  if (!v->is_object()) {
    f.Fail("oauth", "must be an object {client_id, client_secret, refresh_token}");
    return std::nullopt;
  }
  FieldReader o(*v);
  o.RejectUnknown({"client_id", "client_secret", "refresh_token"});
  SalesforceRefreshToken grant;
  for (auto [name, out] :
       {std::pair{"client_id", &grant.client_id}, std::pair{"client_secret", &grant.client_secret},
        std::pair{"refresh_token", &grant.refresh_token}}) {
    if (auto s = o.String(name, kMaxTokenBytes * 2)) *out = std::move(*s);
  }
  if (!o.ok()) {
    const Status errors = o.status();
    for (const auto& fe : errors.field_errors()) f.Fail("oauth." + fe.field, fe.message);
    return std::nullopt;
  }
  return grant;
}

// Reads a field that may be an integer or null; `set` tells whether it was present.
std::optional<int64_t> NullableInt(FieldReader& f, std::string_view name, bool& set) {
  set = f.Has(name);
  if (!set || f.IsNull(name)) return std::nullopt;
  return f.Int(name);
}

Result<NewConnectorInput> ReadCreate(const json::Value& body) {
  FieldReader f(body);
  f.RejectUnknown({"kind", "name", "base_url", "token", "oauth", "field_mapping",
                   "sync_every_minutes", "sync_options"});
  NewConnectorInput in;
  if (auto v = f.String("kind", 50)) {
    in.kind = *v;
  } else if (!f.Has("kind")) {
    f.Fail("kind", "is required");
  }
  if (auto v = f.String("name", 4 * kMaxNameChars)) {
    in.name = *v;
  } else if (!f.Has("name")) {
    f.Fail("name", "is required");
  }
  bool set = false;
  in.base_url = NullableString(f, "base_url", kMaxBaseUrlBytes * 2, set);
  if (f.IsNull("token")) f.Fail("token", "must be a string");
  in.token = f.String("token", kMaxTokenBytes * 2);
  in.oauth = ReadOAuth(body, f);
  if (const json::Value* m = body.Find("field_mapping"); m != nullptr && !m->is_null()) {
    if (!m->is_object()) {
      f.Fail("field_mapping", "must be an object of property -> import target");
    } else {
      in.field_mapping = *m;
    }
  }
  bool schedule_set = false;
  in.sync_every_minutes = NullableInt(f, "sync_every_minutes", schedule_set);
  in.sync_options = DefaultSyncOptions();
  Status options = Status::Ok();
  if (const json::Value* v = body.Find("sync_options")) {
    options = ReadSyncOptionsMember(*v, in.sync_options);
  }
  if (!f.ok() || !options.ok()) return MergedFieldErrors(f, options);
  return in;
}

Result<ConnectorPatchInput> ReadPatch(const json::Value& body) {
  FieldReader f(body);
  f.RejectUnknown({"name", "base_url", "token", "oauth", "field_mapping", "sync_every_minutes",
                   "sync_options"});
  ConnectorPatchInput in;
  if (f.IsNull("name")) f.Fail("name", "cannot be null");
  in.name = f.String("name", 4 * kMaxNameChars);
  in.base_url = NullableString(f, "base_url", kMaxBaseUrlBytes * 2, in.base_url_set);
  if (f.IsNull("token")) f.Fail("token", "cannot be null (delete the connector instead)");
  in.token = f.String("token", kMaxTokenBytes * 2);
  in.oauth = ReadOAuth(body, f);
  if (const json::Value* m = body.Find("field_mapping")) {
    in.field_mapping_set = true;
    if (m->is_object()) {
      in.field_mapping = *m;
    } else if (!m->is_null()) {
      f.Fail("field_mapping", "must be an object of property -> import target, or null");
    }
  }
  in.sync_every_minutes = NullableInt(f, "sync_every_minutes", in.sync_every_minutes_set);
  // Read (and checked) by the service, over the stored options.
  if (const json::Value* v = body.Find("sync_options")) in.sync_options = *v;
  if (!f.ok()) return f.status();
  return in;
}

}  // namespace

Result<SyncRequest> ParseSyncRequest(const json::Value& body,
                                     const imports::ImportOptions& connector_options) {
  FieldReader f(body);
  f.RejectUnknown({"full", "dedupe", "update_mode", "dnc", "tags", "owner_id"});
  SyncRequest r;
  r.options = connector_options;
  if (auto v = f.Bool("full")) r.full = *v;
  Status options = ReadSyncOptions(body, "", r.options);
  if (!f.ok() || !options.ok()) return MergedFieldErrors(f, options);
  return r;
}

void WriteConnector(json::Writer& w, const Connector& c) {
  w.BeginObject()
      .Field("id", c.id)
      .Field("kind", KindName(c.kind))
      .Field("name", c.name)
      .Field("base_url", c.base_url)
      .Key("field_mapping")
      .Raw(c.field_mapping_json);
  w.Key("effective_field_mapping").BeginArray();
  if (auto mapping = EffectiveMapping(c.kind, c.field_mapping_json); mapping.ok()) {
    for (const MappingEntry& e : *mapping) {
      w.BeginObject().Field("property", e.property).Field("target", e.target).EndObject();
    }
  }
  w.EndArray();
  w.Key("has_credentials")
      .Bool(c.has_credentials)
      .OptionalField("credentials", c.credentials_kind)
      .OptionalField("created_by", c.created_by)
      .Field("created_at", c.created_at)
      .Field("updated_at", c.updated_at)
      .Key("sync_every_minutes");
  if (c.sync_every_minutes) {
    w.Int(*c.sync_every_minutes);
  } else {
    w.Null();
  }
  w.OptionalField("next_sync_at", c.next_sync_at).Key("sync_options");
  WriteSyncOptions(w, c.sync_options);
  w.Key("last_sync");
  if (c.last_sync) {
    WriteSummary(w, *c.last_sync);
  } else {
    w.Null();
  }
  w.EndObject();
}

void RegisterConnectorRoutes(http::Router& router, auth::AuthService& auth,
                             ConnectorService& service, StartSync start_sync) {
  auto authed = [&auth](Role role, api::Handler fn) {
    return api::Authed(auth, role, std::move(fn));
  };

  router.Add(Method::kGet, "/api/connectors",
             authed(Role::kManager, [&service](Call& c) -> Result<Response> {
               RETURN_IF_ERROR(api::CheckQueryNames(c.request, {"cursor", "limit"}));
               ASSIGN_OR_RETURN(int limit, Limit(c.request));
               ASSIGN_OR_RETURN(ConnectorPage page,
                                service.List(c.principal, QueryValue(c.request, "cursor"), limit));
               json::Writer w;
               w.BeginObject().Key("data").BeginArray();
               for (const Connector& item : page.items) WriteConnector(w, item);
               w.EndArray().OptionalField("next_cursor", page.next_cursor).EndObject();
               Response r = JsonResponse(200, w.Take());
               r.SetHeader("Cache-Control", "no-store");
               return r;
             }));

  router.Add(Method::kPost, "/api/connectors",
             authed(Role::kAdmin, [&service](Call& c) -> Result<Response> {
               ASSIGN_OR_RETURN(json::Value body, api::JsonObjectBody(c.request));
               ASSIGN_OR_RETURN(NewConnectorInput in, ReadCreate(body));
               ASSIGN_OR_RETURN(Connector conn, service.Create(c.principal, in));
               Response r = ConnectorResponse(201, conn);
               r.SetHeader("Location", "/api/connectors/" + conn.id);
               return r;
             }));

  router.Add(Method::kGet, "/api/connectors/{id}",
             authed(Role::kManager, [&service](Call& c) -> Result<Response> {
               ASSIGN_OR_RETURN(Connector conn, service.Get(c.principal, c.params.Get("id")));
               return ConnectorResponse(200, conn);
             }));

  router.Add(Method::kPatch, "/api/connectors/{id}",
             authed(Role::kAdmin, [&service](Call& c) -> Result<Response> {
               ASSIGN_OR_RETURN(json::Value body, api::JsonObjectBody(c.request));
               ASSIGN_OR_RETURN(ConnectorPatchInput in, ReadPatch(body));
               ASSIGN_OR_RETURN(Connector conn,
                                service.Update(c.principal, c.params.Get("id"), in));
               return ConnectorResponse(200, conn);
             }));

  router.Add(Method::kDelete, "/api/connectors/{id}",
             authed(Role::kAdmin, [&service](Call& c) -> Result<Response> {
               RETURN_IF_ERROR(service.Delete(c.principal, c.params.Get("id")));
               return NoContent();
             }));

  router.Add(Method::kPost, "/api/connectors/{id}/sync",
             authed(Role::kAdmin, [&service, start_sync](Call& c) -> Result<Response> {
               // An empty body means the connector's sync options.
               json::Value body = json::Value::Object({});
               if (!c.request.body.empty()) {
                 ASSIGN_OR_RETURN(body, api::JsonObjectBody(c.request));
               }
               ASSIGN_OR_RETURN(Connector conn,
                                service.CheckCanSync(c.principal, c.params.Get("id")));
               ASSIGN_OR_RETURN(SyncRequest req, ParseSyncRequest(body, conn.sync_options));
               if (!start_sync) return Unavailable("imports are not available on this server");
               ASSIGN_OR_RETURN(SyncStarted started,
                                start_sync(c.principal, conn, std::move(req.options), req.full));
               Response r = JsonResponse(202, std::move(started.job_json));
               r.SetHeader("Location", "/api/imports/" + started.job_id);
               return r;
             }));
}

}  // namespace leadline::connectors
