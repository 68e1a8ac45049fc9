// The compliance gate: the one policy check every sender (calls now; SMS and email next)
// passes before contacting a lead. It checks the organization's Do-Not-Call list, the
// national registry (and its freshness), consent revocations and calling hours in the lead's
// time zone(s), and writes every decision to the append-only compliance_log.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/principal.h"
#include "core/status.h"
#include "db/pool.h"
#include "dnc/model.h"
#include "phone/phone_timezones.h"

namespace leadline::dnc {

using Clock = std::function<std::chrono::system_clock::time_point()>;

// Local calling window, [start, end) in minutes after midnight: 08:00-21:00 (TCPA).
inline constexpr int kWindowStartMinute = 8 * 60;
inline constexpr int kWindowEndMinute = 21 * 60;

struct Decision {
  bool allowed = false;
  std::string lead_id;
  std::string phone;
  std::string channel;
  // Failed rules in priority order: "dnc", "consent-revoked", "registry-stale",
  // "calling-hours". The first is the problem type of a refusal.
  std::vector<std::string> reasons;
  std::string detail;        // human-readable reason of the first failure
  std::string checked_json;  // JSON array: every rule consulted and its outcome
  std::vector<std::string> warnings;
  std::string log_id;                  // the compliance_log row
  std::string decided_at;              // RFC 3339
  std::optional<std::string> call_id;  // set by StartCall
};

class ComplianceGate {
 public:
  // `zones` maps phone prefixes to time zones (may be null: then only leads with a time zone
  // can be called). `clock` defaults to the system clock; tests inject one.
  ComplianceGate(db::Pool& pool, std::shared_ptr<const phone::PhoneTimezones> zones,
                 Clock clock = nullptr);

  // Decides whether `principal` may contact lead `lead_id` over `channel` at `now`, and
  // records the decision (allowed or not) in the compliance log in the same transaction.
  // Errors: kNotFound for a missing, deleted or other organization's lead; kValidationFailed
  // when the lead has no phone (call, sms) or email (email). A refusal is not an error: it is
  // a Decision with allowed == false.
  Result<Decision> Check(const auth::Principal& principal, const std::string& lead_id,
                         Channel channel, std::chrono::system_clock::time_point now);
  Result<Decision> Check(const auth::Principal& principal, const std::string& lead_id,
                         Channel channel) {
    return Check(principal, lead_id, channel, clock_());
  }

  // POST /api/calls: Check for kCall, and when allowed records the call. A refusal becomes
  // kConflict with the problem type of its first reason (dnc, calling-hours, consent-revoked,
  // registry-stale) and the log id attached.
  Result<Decision> StartCall(const auth::Principal& principal, const std::string& lead_id);

  // The lead's compliance log, newest first (404 for an unknown lead).
  Result<std::vector<ComplianceLogEntry>> Log(const auth::Principal& principal,
                                              const std::string& lead_id,
                                              std::optional<std::pair<int64_t, std::string>> after,
                                              int limit);

  // Whether each calling window check passes: exposed for tests of the edges.
  struct ZoneCheck {
    std::string zone;
    std::string local_time;  // YYYY-MM-DDTHH:MM:SS in that zone
    bool inside = false;
    bool known = true;  // false when the zone could not be loaded
  };
  static std::vector<ZoneCheck> CheckCallingHours(const std::vector<std::string>& zones,
                                                  std::chrono::system_clock::time_point now);

  std::chrono::system_clock::time_point Now() const { return clock_(); }

 private:
  Result<Decision> Decide(const auth::Principal& principal, const std::string& lead_id,
                          Channel channel, std::chrono::system_clock::time_point now,
                          bool record_call);

  db::Pool& pool_;
  std::shared_ptr<const phone::PhoneTimezones> zones_;
  Clock clock_;
};

// Consent records and revocations per lead and channel. Thread-safe.
class ConsentService {
 public:
  explicit ConsentService(db::Pool& pool) : pool_(pool) {}

  struct NewConsent {
    std::string channel;                     // call, sms, email
    std::string disclosure_text;             // what the lead agreed to, verbatim
    std::string method;                      // web_form, recording, keypress, written, verbal
    std::optional<std::string> captured_at;  // RFC 3339; default now
    std::optional<std::string> source_ip;
    std::optional<std::string> evidence_url;
  };
  struct NewRevocation {
    std::string scope;  // call, sms, email, all
    std::optional<std::string> reason;
    std::optional<std::string> method;
    std::optional<std::string> revoked_at;
    std::optional<std::string> source_ip;
  };
  // Errors: kNotFound for an unknown lead; kValidationFailed naming the field.
  Result<Consent> Record(const auth::Principal& p, const std::string& lead_id, NewConsent c);
  Result<Revocation> Revoke(const auth::Principal& p, const std::string& lead_id, NewRevocation r);
  Result<std::pair<std::vector<Consent>, std::vector<Revocation>>> List(const auth::Principal& p,
                                                                        const std::string& lead_id);

 private:
  db::Pool& pool_;
};

}  // namespace leadline::dnc
