// HTTP handlers of the compliance module: parse, call a service, write JSON.
#include <spdlog/spdlog.h>

#include "api/call.h"
#include "core/utf8.h"
#include "dnc/compliance.h"
#include "dnc/load_file.h"
#include "phone/phone_timezones.h"

namespace leadline::dnc {
namespace {

using api::Call;
using api::FieldReader;
using api::JsonResponse;
using api::Limit;
using api::MediaType;
using api::NoContent;
using api::QueryValue;
using auth::Role;
using http::Method;
using http::Response;

void WriteEntry(json::Writer& w, const DncEntry& e) {
  w.BeginObject()
      .Field("id", e.id)
      .Field("phone", e.phone)
      .OptionalField("reason", e.reason)
      .Field("source", e.source)
      .OptionalField("added_by", e.added_by)
      .Field("created_at", e.created_at)
      .OptionalField("expires_at", e.expires_at)
      .Key("active")
      .Bool(e.active)
      .OptionalField("removed_at", e.removed_at)
      .OptionalField("removed_by", e.removed_by)
      .OptionalField("removal_reason", e.removal_reason)
      .EndObject();
}

void WriteCheck(json::Writer& w, const CheckResult& r) {
  w.BeginObject();
  if (r.phone) {
    w.Field("phone", *r.phone);
  } else {
    w.Field("phone", r.input);
  }
  w.Key("on_dnc").Bool(r.on_dnc).Key("sources").BeginArray();
  for (const auto& s : r.sources) w.String(s);
  w.EndArray();
  if (r.error) w.Field("error", *r.error);
  w.EndObject();
}

void WriteConsent(json::Writer& w, const Consent& c) {
  w.BeginObject()
      .Field("id", c.id)
      .Field("lead_id", c.lead_id)
      .Field("channel", c.channel)
      .Field("disclosure_text", c.disclosure_text)
      .Field("method", c.method)
      .Field("captured_at", c.captured_at)
      .OptionalField("source_ip", c.source_ip)
      .OptionalField("evidence_url", c.evidence_url)
      .OptionalField("recorded_by", c.recorded_by)
      .Field("created_at", c.created_at)
      .EndObject();
}

void WriteRevocation(json::Writer& w, const Revocation& v) {
  w.BeginObject()
      .Field("id", v.id)
      .Field("lead_id", v.lead_id)
      .Field("scope", v.scope)
      .OptionalField("reason", v.reason)
      .OptionalField("method", v.method)
      .Field("revoked_at", v.revoked_at)
      .OptionalField("source_ip", v.source_ip)
      .OptionalField("recorded_by", v.recorded_by)
      .Field("created_at", v.created_at)
      .EndObject();
}

void WriteReview(json::Writer& w, const ReviewItem& v) {
  w.BeginObject()
      .Field("id", v.id)
      .Field("phone", v.phone)
      .OptionalField("lead_id", v.lead_id)
      .OptionalField("interaction_id", v.interaction_id)
      .Field("excerpt", v.excerpt)
      .Field("matched", v.matched)
      .Key("confidence")
      .Double(v.confidence)
      .Field("status", v.status)
      .Field("created_at", v.created_at)
      .OptionalField("decided_at", v.decided_at)
      .OptionalField("decided_by", v.decided_by)
      .OptionalField("dnc_entry_id", v.dnc_entry_id)
      .EndObject();
}

void WriteLog(json::Writer& w, const ComplianceLogEntry& e) {
  w.BeginObject()
      .Field("id", e.id)
      .Field("lead_id", e.lead_id)
      .Field("channel", e.channel)
      .OptionalField("phone", e.phone)
      .Field("decision", e.decision)
      .Key("reasons")
      .Raw(e.reasons_json)
      .Key("details")
      .Raw(e.details_json)
      .OptionalField("actor_id", e.actor_id)
      .Field("decided_at", e.decided_at)
      .EndObject();
}

// POST /api/dnc
Result<Response> AddEntry(Call& c, DncService& svc) {
  ASSIGN_OR_RETURN(json::Value body, api::JsonObjectBody(c.request));
  FieldReader f(body);
  f.RejectUnknown({"phone", "reason", "source", "expires_at"});
  auto phone = f.String("phone", 100);
  auto reason = f.Text("reason", 1000);
  auto source = f.String("source", 50);
  auto expires_at = f.String("expires_at", 64);
  if (!phone && !f.Has("phone")) f.Fail("phone", "is required");
  if (!f.ok()) return f.status();
  if (!phone) return ValidationFailed("invalid phone").AddFieldError("phone", "is required");
  ASSIGN_OR_RETURN(auto r, svc.Add(c.principal, {*phone, reason, source, expires_at}));
  json::Writer w;
  WriteEntry(w, r.entry);
  Response resp = JsonResponse(r.created ? 201 : 200, w.Take());
  resp.SetHeader("Location", "/api/dnc/" + r.entry.id);
  return resp;
}

Result<Response> ListEntries(Call& c, DncService& svc) {
  RETURN_IF_ERROR(api::CheckQueryNames(c.request, {"include", "phone", "cursor", "limit"}));
  ASSIGN_OR_RETURN(int limit, Limit(c.request));
  auto include = QueryValue(c.request, "include");
  if (include && *include != "all" && *include != "active") {
    return InvalidArgument("include must be all or active");
  }
  ASSIGN_OR_RETURN(
      auto page, svc.List(c.principal, include && *include == "all", QueryValue(c.request, "phone"),
                          QueryValue(c.request, "cursor"), limit));
  json::Writer w;
  w.BeginObject().Key("data").BeginArray();
  for (const auto& e : page.entries) WriteEntry(w, e);
  w.EndArray().OptionalField("next_cursor", page.next_cursor).EndObject();
  return JsonResponse(200, w.Take());
}

Result<Response> CheckOne(Call& c, DncService& svc) {
  auto phone = QueryValue(c.request, "phone");
  if (!phone || phone->empty()) {
    return ValidationFailed("phone is required").AddFieldError("phone", "is required");
  }
  ASSIGN_OR_RETURN(auto results, svc.Check(c.principal, {*phone}));
  const CheckResult& r = results.front();
  if (r.error) return ValidationFailed("invalid phone number").AddFieldError("phone", *r.error);
  json::Writer w;
  WriteCheck(w, r);
  return JsonResponse(200, w.Take());
}

Result<Response> CheckBatch(Call& c, DncService& svc) {
  ASSIGN_OR_RETURN(json::Value body, api::JsonObjectBody(c.request));
  FieldReader f(body);
  f.RejectUnknown({"phones"});
  auto phones = f.StringArray("phones", kMaxBatch, 100);
  if (!phones && f.ok()) f.Fail("phones", "is required");
  if (!f.ok()) return f.status();
  ASSIGN_OR_RETURN(auto results, svc.Check(c.principal, *phones, /*strict=*/false));
  json::Writer w;
  w.BeginObject().Key("results").BeginArray();
  for (const auto& r : results) WriteCheck(w, r);
  w.EndArray().EndObject();
  return JsonResponse(200, w.Take());
}

Result<Response> RegistryStatusResponse(DncService& svc) {
  ASSIGN_OR_RETURN(RegistryStatus s, svc.RegistryState());
  json::Writer w;
  w.BeginObject()
      .Key("loaded")
      .Bool(s.loaded)
      .OptionalField("as_of", s.as_of)
      .OptionalField("loaded_at", s.loaded_at)
      .Key("area_codes")
      .Int(s.area_codes)
      .Key("numbers")
      .Int(s.numbers)
      .Key("age_days");
  if (s.loaded) {
    w.Int(s.age_days);
  } else {
    w.Null();
  }
  w.Key("max_age_days").Int(kRegistryMaxAgeDays);
  w.Key("stale").Bool(s.loaded && s.age_days > kRegistryMaxAgeDays);
  auto stats = svc.checker().stats();
  w.Key("in_memory_numbers").Int(stats.national_numbers);
  w.EndObject();
  return JsonResponse(200, w.Take());
}

Result<Response> UploadRegistry(Call& c, DncService& svc) {
  const std::string type = MediaType(c.request);
  static const char* kTypes[] = {"text/csv",
                                 "text/plain",
                                 "application/zip",
                                 "application/gzip",
                                 "application/x-gzip",
                                 "application/x-zip-compressed",
                                 "application/octet-stream"};
  bool ok = false;
  for (const char* t : kTypes) ok = ok || type == t;
  if (!ok) {
    return Status(StatusCode::kUnsupportedMediaType,
                  "registry files are text/csv, text/plain, application/zip or application/gzip");
  }
  auto kind = QueryValue(c.request, "kind").value_or("full");
  if (kind != "full" && kind != "changes") return InvalidArgument("kind must be full or changes");
  auto as_of = QueryValue(c.request, "as_of").value_or(TodayUtc());
  auto name = QueryValue(c.request, "name").value_or("upload");
  ASSIGN_OR_RETURN(
      RegistryLoadResult r,
      svc.UploadRegistry(c.principal, c.request.body,
                         kind == "full" ? RegistryFileKind::kFull : RegistryFileKind::kChanges,
                         as_of, name));
  json::Writer w;
  w.BeginObject()
      .Key("load_id")
      .Int(r.load_id)
      .Field("kind", kind)
      .Field("as_of", as_of)
      .Key("lines")
      .Int(static_cast<int64_t>(r.lines))
      .Key("added")
      .Int(static_cast<int64_t>(r.added))
      .Key("removed")
      .Int(static_cast<int64_t>(r.removed))
      .Key("skipped")
      .Int(static_cast<int64_t>(r.skipped))
      .Key("area_codes")
      .Int(r.area_codes)
      .Key("total")
      .Int(static_cast<int64_t>(r.total))
      .EndObject();
  return JsonResponse(201, w.Take());
}

Result<Response> WriteInteraction(const DncService::InteractionResult& r,
                                  const std::string& channel, const std::string& direction) {
  json::Writer w;
  w.BeginObject()
      .Field("id", r.id)
      .OptionalField("lead_id", r.lead_id)
      .OptionalField("phone", r.phone)
      .Field("channel", channel)
      .Field("direction", direction)
      .Field("occurred_at", r.occurred_at)
      .Key("optout")
      .BeginObject()
      .Field("kind", OptOutKindName(r.optout.kind))
      .Field("matched", r.optout.matched)
      .Key("confidence")
      .Double(r.optout.confidence)
      .Field("action", r.action)
      .OptionalField("dnc_entry_id", r.dnc_entry_id)
      .OptionalField("review_id", r.review_id)
      .EndObject()
      .EndObject();
  Response resp = JsonResponse(201, w.Take());
  return resp;
}

Result<Response> PostInteraction(Call& c, DncService& svc) {
  ASSIGN_OR_RETURN(json::Value body, api::JsonObjectBody(c.request));
  FieldReader f(body);
  f.RejectUnknown(
      {"lead_id", "phone", "channel", "direction", "body", "transcript", "payload", "occurred_at"});
  DncService::InteractionRequest r;
  r.lead_id = f.String("lead_id", 36);
  r.phone = f.String("phone", 100);
  auto channel = f.String("channel", 20);
  auto direction = f.String("direction", 20);
  auto text = f.Text("body", 1000000);
  auto transcript = f.Text("transcript", 1000000);
  r.occurred_at = f.String("occurred_at", 64);
  if (!channel) f.Fail("channel", "is required");
  if (!direction) f.Fail("direction", "is required");
  if (auto payload = f.ObjectJson("payload")) r.payload_json = std::move(*payload);
  if (!f.ok()) return f.status();
  r.channel = *channel;
  r.direction = *direction;
  r.body = text ? *text : transcript.value_or("");
  ASSIGN_OR_RETURN(auto result, svc.RecordInteraction(c.principal, r));
  return WriteInteraction(result, r.channel, r.direction);
}

// Twilio-style inbound SMS webhook: form fields From, To, Body. Answers an empty TwiML
// document so the provider sends no automatic reply of ours.
Result<Response> SmsWebhook(Call& c, DncService& svc) {
  auto params = http::ParseQueryString(c.request.body);
  auto get = [&](std::string_view k) -> std::optional<std::string> {
    for (const auto& [key, value] : params) {
      if (key == k) return value;
    }
    return std::nullopt;
  };
  for (const auto& [key, value] : params) {
    if (!IsText(value)) {
      return ValidationFailed("invalid message")
          .AddFieldError(key, "must be UTF-8 text without NUL characters");
    }
  }
  auto from = get("From");
  if (!from || from->empty()) {
    return ValidationFailed("From is required").AddFieldError("From", "is required");
  }
  DncService::InteractionRequest r;
  r.phone = from;
  r.channel = "sms";
  r.direction = "inbound";
  r.body = get("Body").value_or("");
  json::Writer payload;
  payload.BeginObject().Field("provider", "webhook");
  for (const char* k : {"From", "To", "MessageSid", "AccountSid"}) {
    if (auto v = get(k)) payload.Field(k, v->substr(0, 200));
  }
  payload.EndObject();
  r.payload_json = payload.Take();
  Result<DncService::InteractionResult> result = svc.RecordInteraction(c.principal, r);
  if (!result.ok()) {
    // The form names the number From, not phone.
    Status renamed(result.status().code(), result.status().message());
    for (const auto& fe : result.status().field_errors()) {
      renamed.AddFieldError(fe.field == "phone" ? "From" : fe.field, fe.message);
    }
    return renamed;
  }
  Response resp;
  resp.status = 200;
  resp.content_type = "text/xml; charset=utf-8";
  resp.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";
  return resp;
}

Result<Response> ListReview(Call& c, DncService& svc) {
  RETURN_IF_ERROR(api::CheckQueryNames(c.request, {"status", "cursor", "limit"}));
  ASSIGN_OR_RETURN(int limit, Limit(c.request));
  ASSIGN_OR_RETURN(auto page,
                   svc.ListReview(c.principal, QueryValue(c.request, "status").value_or("pending"),
                                  QueryValue(c.request, "cursor"), limit));
  json::Writer w;
  w.BeginObject().Key("data").BeginArray();
  for (const auto& i : page.items) WriteReview(w, i);
  w.EndArray().OptionalField("next_cursor", page.next_cursor).EndObject();
  return JsonResponse(200, w.Take());
}

Result<Response> DecideReview(Call& c, DncService& svc, bool accept) {
  ASSIGN_OR_RETURN(ReviewItem item,
                   svc.DecideReview(c.principal, std::string(c.params.Get("id")), accept));
  json::Writer w;
  WriteReview(w, item);
  return JsonResponse(200, w.Take());
}

Result<Response> StartCall(Call& c, ComplianceGate& gate) {
  ASSIGN_OR_RETURN(json::Value body, api::JsonObjectBody(c.request));
  FieldReader f(body);
  f.RejectUnknown({"lead_id"});
  auto lead_id = f.String("lead_id", 100);
  if (!lead_id) f.Fail("lead_id", "is required");
  if (!f.ok()) return f.status();
  ASSIGN_OR_RETURN(Decision d, gate.StartCall(c.principal, *lead_id));
  json::Writer w;
  w.BeginObject()
      .Field("id", d.call_id.value_or(""))
      .Field("lead_id", d.lead_id)
      .Field("phone", d.phone)
      .Field("decision", "allowed")
      .Key("checked")
      .Raw(d.checked_json)
      .Key("warnings")
      .BeginArray();
  for (const auto& warning : d.warnings) w.String(warning);
  w.EndArray().Field("compliance_log_id", d.log_id).Field("decided_at", d.decided_at).EndObject();
  return JsonResponse(201, w.Take());
}

Result<Response> ComplianceLog(Call& c, ComplianceGate& gate) {
  RETURN_IF_ERROR(api::CheckQueryNames(c.request, {"cursor", "limit"}));
  ASSIGN_OR_RETURN(int limit, Limit(c.request));
  ASSIGN_OR_RETURN(auto after, DecodeCursor(QueryValue(c.request, "cursor")));
  ASSIGN_OR_RETURN(auto entries,
                   gate.Log(c.principal, std::string(c.params.Get("id")), after, limit + 1));
  std::optional<std::string> next;
  if (static_cast<int>(entries.size()) > limit) {
    entries.resize(static_cast<size_t>(limit));
    next = EncodeCursor(entries.back().created_us, entries.back().id);
  }
  json::Writer w;
  w.BeginObject().Key("data").BeginArray();
  for (const auto& e : entries) WriteLog(w, e);
  w.EndArray().OptionalField("next_cursor", next).EndObject();
  return JsonResponse(200, w.Take());
}

Result<Response> AddConsent(Call& c, ConsentService& svc) {
  ASSIGN_OR_RETURN(json::Value body, api::JsonObjectBody(c.request));
  FieldReader f(body);
  f.RejectUnknown(
      {"channel", "disclosure_text", "method", "captured_at", "source_ip", "evidence_url"});
  ConsentService::NewConsent n;
  auto channel = f.String("channel", 20);
  auto text = f.Text("disclosure_text", 10000);
  auto method = f.String("method", 20);
  n.captured_at = f.String("captured_at", 64);
  n.source_ip = f.String("source_ip", 100);
  n.evidence_url = f.String("evidence_url", 2000);
  if (!channel) f.Fail("channel", "is required");
  if (!text) f.Fail("disclosure_text", "is required");
  if (!method) f.Fail("method", "is required");
  if (!f.ok()) return f.status();
  n.channel = *channel;
  n.disclosure_text = *text;
  n.method = *method;
  ASSIGN_OR_RETURN(Consent consent, svc.Record(c.principal, std::string(c.params.Get("id")), n));
  json::Writer w;
  WriteConsent(w, consent);
  return JsonResponse(201, w.Take());
}

Result<Response> RevokeConsent(Call& c, ConsentService& svc) {
  ASSIGN_OR_RETURN(json::Value body, api::JsonObjectBody(c.request));
  FieldReader f(body);
  f.RejectUnknown({"scope", "reason", "method", "revoked_at", "source_ip"});
  ConsentService::NewRevocation n;
  auto scope = f.String("scope", 20);
  n.reason = f.Text("reason", 1000);
  n.method = f.String("method", 50);
  n.revoked_at = f.String("revoked_at", 64);
  n.source_ip = f.String("source_ip", 100);
  if (!f.ok()) return f.status();
  n.scope = scope.value_or("all");
  ASSIGN_OR_RETURN(Revocation v, svc.Revoke(c.principal, std::string(c.params.Get("id")), n));
  json::Writer w;
  WriteRevocation(w, v);
  return JsonResponse(201, w.Take());
}

Result<Response> ListConsents(Call& c, ConsentService& svc) {
  ASSIGN_OR_RETURN(auto both, svc.List(c.principal, std::string(c.params.Get("id"))));
  json::Writer w;
  w.BeginObject().Key("data").BeginArray();
  for (const auto& consent : both.first) WriteConsent(w, consent);
  w.EndArray().Key("revocations").BeginArray();
  for (const auto& v : both.second) WriteRevocation(w, v);
  w.EndArray().Key("next_cursor").Null().EndObject();
  return JsonResponse(200, w.Take());
}

Result<Response> Settings(Call& c, DncService& svc) {
  ASSIGN_OR_RETURN(bool required, svc.NationalRegistryRequired(c.principal));
  json::Writer w;
  w.BeginObject().Key("national_registry_required").Bool(required).EndObject();
  return JsonResponse(200, w.Take());
}

Result<Response> PutSettings(Call& c, DncService& svc) {
  ASSIGN_OR_RETURN(json::Value body, api::JsonObjectBody(c.request));
  FieldReader f(body);
  f.RejectUnknown({"national_registry_required"});
  auto required = f.Bool("national_registry_required");
  if (!required) f.Fail("national_registry_required", "is required");
  if (!f.ok()) return f.status();
  RETURN_IF_ERROR(svc.SetNationalRegistryRequired(c.principal, *required));
  return Settings(c, svc);
}

}  // namespace

Compliance::Compliance(db::Pool& pool, ComplianceOptions options) {
  const std::string path = options.phone_timezones_path.empty()
                               ? phone::PhoneTimezonesFileFromEnvironment()
                               : options.phone_timezones_path;
  std::shared_ptr<const phone::PhoneTimezones> zones;
  auto loaded = phone::LoadPhoneTimezones(path);
  if (loaded.ok()) {
    zones = std::make_shared<const phone::PhoneTimezones>(std::move(loaded).value());
    if (!path.empty()) {
      spdlog::info("compliance: phone time zones from {} ({} prefixes)", path, zones->size());
    }
  } else {
    spdlog::error(
        "compliance: phone time zones not loaded ({}); only leads with a time zone "
        "can be called",
        loaded.status().message());
  }
  checker_ = std::make_unique<DncChecker>(pool, options.checker);
  dnc_ = std::make_unique<DncService>(pool, *checker_);
  gate_ = std::make_unique<ComplianceGate>(pool, std::move(zones), options.clock);
  consent_ = std::make_unique<ConsentService>(pool);
}

void RegisterComplianceRoutes(http::Router& router, auth::AuthService& auth, Compliance& c) {
  DncService& dnc = c.dnc();
  ComplianceGate& gate = c.gate();
  ConsentService& consent = c.consent();
  auto authed = [&auth](Role role, auto fn) { return api::Authed(auth, role, std::move(fn)); };

  // Literal paths before /api/dnc/{id}: the router takes the first match.
  router.Add(Method::kGet, "/api/dnc/check",
             authed(Role::kAgent, [&dnc](Call& c) { return CheckOne(c, dnc); }));
  router.Add(Method::kPost, "/api/dnc/check",
             authed(Role::kAgent, [&dnc](Call& c) { return CheckBatch(c, dnc); }));
  router.Add(Method::kGet, "/api/dnc/registry",
             authed(Role::kAgent, [&dnc](Call&) { return RegistryStatusResponse(dnc); }));
  router.Add(Method::kPost, "/api/dnc/registry",
             authed(Role::kAdmin, [&dnc](Call& c) { return UploadRegistry(c, dnc); }));
  router.Add(Method::kGet, "/api/dnc/review",
             authed(Role::kManager, [&dnc](Call& c) { return ListReview(c, dnc); }));
  router.Add(Method::kPost, "/api/dnc/review/{id}/accept",
             authed(Role::kManager, [&dnc](Call& c) { return DecideReview(c, dnc, true); }));
  router.Add(Method::kPost, "/api/dnc/review/{id}/dismiss",
             authed(Role::kManager, [&dnc](Call& c) { return DecideReview(c, dnc, false); }));
  router.Add(Method::kPost, "/api/dnc",
             authed(Role::kAgent, [&dnc](Call& c) { return AddEntry(c, dnc); }));
  router.Add(Method::kGet, "/api/dnc",
             authed(Role::kAgent, [&dnc](Call& c) { return ListEntries(c, dnc); }));
  router.Add(Method::kGet, "/api/dnc/{id}",
             authed(Role::kAgent, [&dnc](Call& c) -> Result<Response> {
               ASSIGN_OR_RETURN(DncEntry e, dnc.Get(c.principal, std::string(c.params.Get("id"))));
               json::Writer w;
               WriteEntry(w, e);
               return JsonResponse(200, w.Take());
             }));
  router.Add(Method::kDelete, "/api/dnc/{id}",
             authed(Role::kAdmin, [&dnc](Call& c) -> Result<Response> {
               RETURN_IF_ERROR(dnc.Remove(c.principal, std::string(c.params.Get("id")),
                                          QueryValue(c.request, "reason")));
               return NoContent();
             }));

  router.Add(Method::kPost, "/api/calls",
             authed(Role::kAgent, [&gate](Call& c) { return StartCall(c, gate); }));
  router.Add(Method::kGet, "/api/leads/{id}/compliance-log",
             authed(Role::kAgent, [&gate](Call& c) { return ComplianceLog(c, gate); }));
  router.Add(Method::kPost, "/api/leads/{id}/consents",
             authed(Role::kAgent, [&consent](Call& c) { return AddConsent(c, consent); }));
  router.Add(Method::kGet, "/api/leads/{id}/consents",
             authed(Role::kAgent, [&consent](Call& c) { return ListConsents(c, consent); }));
  router.Add(Method::kPost, "/api/leads/{id}/consents/revoke",
             authed(Role::kAgent, [&consent](Call& c) { return RevokeConsent(c, consent); }));

  router.Add(Method::kPost, "/api/interactions",
             authed(Role::kAgent, [&dnc](Call& c) { return PostInteraction(c, dnc); }));
  router.Add(Method::kPost, "/api/webhooks/sms/inbound",
             authed(Role::kAgent, [&dnc](Call& c) { return SmsWebhook(c, dnc); }));

  router.Add(Method::kGet, "/api/compliance/settings",
             authed(Role::kAgent, [&dnc](Call& c) { return Settings(c, dnc); }));
  router.Add(Method::kPut, "/api/compliance/settings",
             authed(Role::kAdmin, [&dnc](Call& c) { return PutSettings(c, dnc); }));
}

}  // namespace leadline::dnc
