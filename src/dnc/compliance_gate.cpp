#include "dnc/compliance_gate.h"

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>

#include <arpa/inet.h>

#include <algorithm>

#include "core/rfc3339.h"
#include "core/uuid.h"
#include "db/transaction.h"
#include "dnc/checker.h"
#include "dnc/registry.h"
#include "dnc/repository.h"
#include "http/json.h"

namespace leadline::dnc {
namespace {

// Priority of refusal reasons: the first one names the problem type.
constexpr const char* kReasonOrder[] = {"dnc", "consent-revoked", "registry-stale",
                                        "calling-hours"};

int ReasonRank(const std::string& r) {
  for (int i = 0; i < 4; ++i) {
    if (r == kReasonOrder[i]) return i;
  }
  return 4;
}

void AddReason(std::vector<std::pair<std::string, std::string>>& reasons, std::string reason,
               std::string detail) {
  for (const auto& r : reasons) {
    if (r.first == reason) return;
  }
  reasons.emplace_back(std::move(reason), std::move(detail));
}

std::string Rfc3339(std::chrono::system_clock::time_point t) {
  return cctz::format("%Y-%m-%dT%H:%M:%SZ", t, cctz::utc_time_zone());
}

bool IsNanp(const std::string& phone) {
  return phone.size() == 12 && phone.starts_with("+1") && phone[2] >= '2';
}

// Evidence fields are kept for a regulator or a court: an address that is an IP address, a
// link a browser opens as a page (not a script).
bool IsIpAddress(const std::string& s) {
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool IsWebLink(std::string_view s) {
  std::string_view rest = s;
  if (!rest.starts_with("https://") && !rest.starts_with("http://")) return false;
  rest.remove_prefix(rest.find("//") + 2);
  return !rest.empty() && s.find_first_of(" \t\r\n<>\"") == std::string_view::npos;
}

// A consent or revocation records what happened: one dated in the future would decide calls
// before it happened (a consent "captured" next year outranks every revocation until then).
// A few minutes of clock difference with the client are allowed.
Status RefuseFutureTime(db::Transaction& tx, const std::optional<std::string>& at,
                        const std::string& field) {
  if (!at) return Status::Ok();
  ASSIGN_OR_RETURN(bool future, repo::IsAfterNow(tx, *at, /*leeway_seconds=*/300));
  if (!future) return Status::Ok();
  return ValidationFailed("invalid time").AddFieldError(field, "cannot be in the future");
}

}  // namespace

ComplianceGate::ComplianceGate(db::Pool& pool, std::shared_ptr<const phone::PhoneTimezones> zones,
                               Clock clock)
    : pool_(pool), zones_(std::move(zones)), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::system_clock::now(); };
}

std::vector<ComplianceGate::ZoneCheck> ComplianceGate::CheckCallingHours(
    const std::vector<std::string>& zones, std::chrono::system_clock::time_point now) {
  std::vector<ZoneCheck> out;
  for (const auto& name : zones) {
    ZoneCheck z;
    z.zone = name;
    cctz::time_zone tz;
    if (!cctz::load_time_zone(name, &tz)) {
      z.known = false;
      out.push_back(std::move(z));
      continue;
    }
    cctz::civil_second local = cctz::convert(now, tz);
    int minute = local.hour() * 60 + local.minute();
    z.inside = minute >= kWindowStartMinute && minute < kWindowEndMinute;
    z.local_time = cctz::format("%Y-%m-%dT%H:%M:%S", now, tz);
    out.push_back(std::move(z));
  }
  return out;
}

Result<Decision> ComplianceGate::Decide(const auth::Principal& principal,
                                        const std::string& lead_id, Channel channel,
                                        std::chrono::system_clock::time_point now,
                                        bool record_call) {
  if (!IsUuid(lead_id)) return NotFound("no such lead");
  const int64_t now_us = ToUnixMicros(now);
  Decision d;
  d.lead_id = lead_id;
  d.channel = ChannelName(channel);
  d.decided_at = Rfc3339(now);

  ASSIGN_OR_RETURN(auto tx, db::Transaction::Begin(pool_, principal.Tenant()));
  ASSIGN_OR_RETURN(auto lead, repo::GetLead(tx, lead_id, principal.LeadsAgent()));
  if (!lead) return NotFound("no such lead");
  bool by_phone = channel != Channel::kEmail;
  if (by_phone && !lead->phone) {
    return ValidationFailed("the lead has no phone number").AddFieldError("phone", "is missing");
  }
  if (!by_phone && !lead->email) {
    return ValidationFailed("the lead has no email address").AddFieldError("email", "is missing");
  }
  if (by_phone) d.phone = *lead->phone;

  std::vector<std::pair<std::string, std::string>> reasons;  // (reason, detail)
  json::Writer checked;
  checked.BeginArray();

  if (by_phone) {
    // 1. The organization's list, at `now`.
    ASSIGN_OR_RETURN(auto listing, repo::OrgListingAt(tx, d.phone, now_us));
    checked.BeginObject().Field("rule", "organization_dnc").Key("passed").Bool(!listing);
    if (listing) {
      checked.Field("entry_id", listing->entry_id).Field("source", listing->source);
      checked.OptionalField("expires_at", listing->expires_at);
      AddReason(reasons, "dnc", "the number is on the organization's Do-Not-Call list");
    }
    checked.EndObject();

    // 2. The national registry and its freshness (NANP numbers only).
    checked.BeginObject().Field("rule", "national_registry");
    if (IsNanp(d.phone)) {
      ASSIGN_OR_RETURN(repo::NationalState ns, repo::NationalAt(tx, d.phone, now_us));
      ASSIGN_OR_RETURN(bool required, repo::NationalRegistryRequired(tx));
      std::string npa = d.phone.substr(2, 3);
      bool stale = ns.as_of && ns.age_days > kRegistryMaxAgeDays;
      checked.Key("applies").Bool(true).Field("area_code", npa).Key("listed").Bool(ns.listed);
      checked.OptionalField("as_of", ns.as_of);
      if (ns.as_of) checked.Key("age_days").Int(ns.age_days);
      checked.Key("required").Bool(required);
      if (ns.listed) {
        AddReason(reasons, "dnc", "the number is on the national Do-Not-Call registry");
      }
      if (stale) {
        AddReason(reasons, "registry-stale",
                  "the national registry data for area code " + npa + " is " +
                      std::to_string(ns.age_days) + " days old (more than " +
                      std::to_string(kRegistryMaxAgeDays) + "); load a newer download");
      } else if (!ns.as_of && required) {
        AddReason(reasons, "registry-stale",
                  "no national registry data is loaded for area code " + npa);
      } else if (!ns.as_of) {
        d.warnings.push_back("no national registry data for area code " + npa +
                             "; checked the organization's list only");
      }
      checked.Key("passed").Bool(!ns.listed && !stale && (ns.as_of || !required));
    } else {
      checked.Key("applies").Bool(false).Key("passed").Bool(true);
    }
    checked.EndObject();
  }

  // 3. Consent revocation for this channel (or all channels).
  ASSIGN_OR_RETURN(repo::ConsentState cs, repo::ConsentFor(tx, lead_id, d.channel));
  checked.BeginObject().Field("rule", "consent").Field("channel", d.channel);
  checked.OptionalField("consent_at", cs.consent_at).OptionalField("revoked_at", cs.revoked_at);
  checked.Key("passed").Bool(!cs.revoked).EndObject();
  if (cs.revoked) {
    AddReason(reasons, "consent-revoked",
              "the lead revoked consent to be contacted by " + d.channel);
  }

  // 4. Calling hours, in every zone the lead may be in.
  if (by_phone) {
    std::vector<std::string> zones;
    std::string zone_source;
    if (lead->timezone && !lead->timezone->empty()) {
      zones.push_back(*lead->timezone);
      zone_source = "lead";
    } else if (zones_) {
      zones = zones_->ZonesFor(d.phone);
      zone_source = "phone_prefix";
    }
    auto results = CheckCallingHours(zones, now);
    bool ok = !results.empty();
    checked.BeginObject().Field("rule", "calling_hours").Field("window", "08:00-21:00");
    checked.Field("zone_source", zone_source.empty() ? "none" : zone_source);
    checked.Key("zones").BeginArray();
    for (const auto& z : results) {
      ok = ok && z.known && z.inside;
      checked.BeginObject().Field("zone", z.zone);
      if (z.known) {
        checked.Field("local_time", z.local_time).Key("inside").Bool(z.inside);
      } else {
        checked.Key("known").Bool(false);
      }
      checked.EndObject();
    }
    checked.EndArray().Key("passed").Bool(ok).EndObject();
    if (!ok) {
      AddReason(reasons, "calling-hours",
                results.empty()
                    ? "the lead's time zone is unknown, so calling hours cannot be checked"
                    : "outside calling hours (08:00-21:00) in the lead's time zone" +
                          std::string(results.size() > 1 ? "s" : ""));
    }
  }
  checked.EndArray();

  std::stable_sort(reasons.begin(), reasons.end(), [](const auto& a, const auto& b) {
    return ReasonRank(a.first) < ReasonRank(b.first);
  });
  d.allowed = reasons.empty();
  for (const auto& r : reasons) d.reasons.push_back(r.first);
  if (!reasons.empty()) d.detail = reasons.front().second;
  d.checked_json = checked.Take();

  json::Writer details;
  details.BeginObject().Key("checked").Raw(d.checked_json).Key("warnings").BeginArray();
  for (const auto& w : d.warnings) details.String(w);
  details.EndArray();
  if (!d.allowed) details.Field("detail", d.detail);
  details.EndObject();

  ComplianceLogEntry log;
  log.lead_id = lead_id;
  log.channel = d.channel;
  if (by_phone) log.phone = d.phone;
  log.decision = d.allowed ? "allowed" : "blocked";
  log.reasons = d.reasons;
  log.details_json = details.Take();
  ASSIGN_OR_RETURN(ComplianceLogEntry written, repo::InsertLog(tx, log, now_us));
  d.log_id = written.id;
  if (d.allowed && record_call) {
    ASSIGN_OR_RETURN(std::string call_id, repo::InsertCall(tx, lead_id, d.phone, d.log_id));
    d.call_id = call_id;
  }
  RETURN_IF_ERROR(tx.Commit());
  return d;
}

Result<Decision> ComplianceGate::Check(const auth::Principal& principal, const std::string& lead_id,
                                       Channel channel, std::chrono::system_clock::time_point now) {
  return Decide(principal, lead_id, channel, now, false);
}

Result<Decision> ComplianceGate::StartCall(const auth::Principal& principal,
                                           const std::string& lead_id) {
  ASSIGN_OR_RETURN(Decision d, Decide(principal, lead_id, Channel::kCall, clock_(), true));
  if (d.allowed) return d;
  std::string joined;
  for (const auto& r : d.reasons) joined += (joined.empty() ? "" : ",") + r;
  return Conflict(d.detail)
      .WithType(d.reasons.front())
      .WithExtraString("lead_id", d.lead_id)
      .WithExtraString("compliance_log_id", d.log_id)
      .WithExtraString("reasons", joined);
}

Result<std::vector<ComplianceLogEntry>> ComplianceGate::Log(
    const auth::Principal& principal, const std::string& lead_id,
    std::optional<std::pair<int64_t, std::string>> after, int limit) {
  if (!IsUuid(lead_id)) return NotFound("no such lead");
  ASSIGN_OR_RETURN(auto tx, db::Transaction::Begin(pool_, principal.Tenant()));
  ASSIGN_OR_RETURN(auto lead, repo::GetLead(tx, lead_id, principal.LeadsAgent()));
  if (!lead) return NotFound("no such lead");
  ASSIGN_OR_RETURN(auto entries, repo::ListLog(tx, lead_id, after, limit));
  RETURN_IF_ERROR(tx.Commit());
  return entries;
}

const char* ChannelName(Channel c) {
  switch (c) {
    case Channel::kCall:
      return "call";
    case Channel::kSms:
      return "sms";
    case Channel::kEmail:
      return "email";
  }
  return "call";
}

// --- consent ---------------------------------------------------------------------------

namespace {

bool OneOf(const std::string& v, std::initializer_list<const char*> options) {
  for (const char* o : options) {
    if (v == o) return true;
  }
  return false;
}

}  // namespace

Result<Consent> ConsentService::Record(const auth::Principal& p, const std::string& lead_id,
                                       NewConsent c) {
  if (!IsUuid(lead_id)) return NotFound("no such lead");
  Status invalid = ValidationFailed("invalid consent");
  if (!OneOf(c.channel, {"call", "sms", "email"})) {
    invalid.AddFieldError("channel", "must be one of call, sms, email");
  }
  if (c.disclosure_text.empty()) invalid.AddFieldError("disclosure_text", "is required");
  if (!OneOf(c.method, {"web_form", "recording", "keypress", "written", "verbal"})) {
    invalid.AddFieldError("method",
                          "must be one of web_form, recording, keypress, written, verbal");
  }
  if (c.captured_at && !IsRfc3339(*c.captured_at)) {
    invalid.AddFieldError("captured_at", "must be an RFC 3339 timestamp");
  }
  if (c.source_ip && !IsIpAddress(*c.source_ip)) {
    invalid.AddFieldError("source_ip", "must be an IPv4 or IPv6 address");
  }
  if (c.evidence_url && !IsWebLink(*c.evidence_url)) {
    invalid.AddFieldError("evidence_url", "must be an http or https link");
  }
  if (!invalid.field_errors().empty()) return invalid;
  Consent row;
  row.lead_id = lead_id;
  row.channel = c.channel;
  row.disclosure_text = c.disclosure_text;
  row.method = c.method;
  row.captured_at = c.captured_at.value_or("");
  row.source_ip = c.source_ip ? c.source_ip : std::optional<std::string>(p.client_ip);
  row.evidence_url = c.evidence_url;
  Consent out;
  RETURN_IF_ERROR(db::RunInTransaction(pool_, p.Tenant(), [&](db::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(auto lead, repo::GetLead(tx, lead_id, p.LeadsAgent()));
    if (!lead) return NotFound("no such lead");
    RETURN_IF_ERROR(RefuseFutureTime(tx, c.captured_at, "captured_at"));
    ASSIGN_OR_RETURN(out, repo::InsertConsent(tx, row));
    return Status::Ok();
  }));
  return out;
}

Result<Revocation> ConsentService::Revoke(const auth::Principal& p, const std::string& lead_id,
                                          NewRevocation r) {
  if (!IsUuid(lead_id)) return NotFound("no such lead");
  Status invalid = ValidationFailed("invalid revocation");
  if (!OneOf(r.scope, {"call", "sms", "email", "all"})) {
    invalid.AddFieldError("scope", "must be one of call, sms, email, all");
  }
  if (r.revoked_at && !IsRfc3339(*r.revoked_at)) {
    invalid.AddFieldError("revoked_at", "must be an RFC 3339 timestamp");
  }
  if (r.source_ip && !IsIpAddress(*r.source_ip)) {
    invalid.AddFieldError("source_ip", "must be an IPv4 or IPv6 address");
  }
  if (!invalid.field_errors().empty()) return invalid;
  Revocation row;
  row.lead_id = lead_id;
  row.scope = r.scope;
  row.reason = r.reason;
  row.method = r.method;
  row.revoked_at = r.revoked_at.value_or("");
  row.source_ip = r.source_ip ? r.source_ip : std::optional<std::string>(p.client_ip);
  Revocation out;
  RETURN_IF_ERROR(db::RunInTransaction(pool_, p.Tenant(), [&](db::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(auto lead, repo::GetLead(tx, lead_id, p.LeadsAgent()));
    if (!lead) return NotFound("no such lead");
    RETURN_IF_ERROR(RefuseFutureTime(tx, r.revoked_at, "revoked_at"));
    ASSIGN_OR_RETURN(out, repo::InsertRevocation(tx, row));
    return Status::Ok();
  }));
  return out;
}

Result<std::pair<std::vector<Consent>, std::vector<Revocation>>> ConsentService::List(
    const auth::Principal& p, const std::string& lead_id) {
  if (!IsUuid(lead_id)) return NotFound("no such lead");
  ASSIGN_OR_RETURN(auto tx, db::Transaction::Begin(pool_, p.Tenant()));
  ASSIGN_OR_RETURN(auto lead, repo::GetLead(tx, lead_id, p.LeadsAgent()));
  if (!lead) return NotFound("no such lead");
  ASSIGN_OR_RETURN(auto consents, repo::ListConsents(tx, lead_id));
  ASSIGN_OR_RETURN(auto revocations, repo::ListRevocations(tx, lead_id));
  RETURN_IF_ERROR(tx.Commit());
  return std::make_pair(std::move(consents), std::move(revocations));
}

}  // namespace leadline::dnc
