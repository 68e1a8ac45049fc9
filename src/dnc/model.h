// Plain data of the compliance domain: Do-Not-Call entries, consent, interactions, the review
// queue and the compliance log, as the repository reads them and the handlers write them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace leadline::dnc {

// Sources an organization's entry may have (dnc_list_source_check).
inline constexpr const char* kEntrySources[] = {"manual",    "sms_stop", "ai_opt_out", "import",
                                                "complaint", "api",      "national",   "other"};

struct DncEntry {
  std::string id;
  std::string phone;
  std::optional<std::string> reason;
  std::string source;
  std::optional<std::string> added_by;
  std::string created_at;
  std::optional<std::string> expires_at;
  std::optional<std::string> removed_at;
  std::optional<std::string> removed_by;
  std::optional<std::string> removal_reason;
  bool active = false;     // not removed and not expired now
  int64_t created_us = 0;  // for the list cursor
};

struct CheckResult {
  std::string input;                 // as given
  std::optional<std::string> phone;  // E.164, absent when the input is not a valid number
  bool on_dnc = false;
  std::vector<std::string> sources;  // "organization", "national"
  std::optional<std::string> error;  // why the input was not checked
};

enum class Channel { kCall, kSms, kEmail };
const char* ChannelName(Channel c);

struct Consent {
  std::string id;
  std::string lead_id;
  std::string channel;
  std::string disclosure_text;
  std::string method;
  std::string captured_at;
  std::optional<std::string> source_ip;
  std::optional<std::string> evidence_url;
  std::optional<std::string> recorded_by;
  std::string created_at;
};

struct Revocation {
  std::string id;
  std::string lead_id;
  std::string scope;
  std::optional<std::string> reason;
  std::optional<std::string> method;
  std::string revoked_at;
  std::optional<std::string> source_ip;
  std::optional<std::string> recorded_by;
  std::string created_at;
};

struct ReviewItem {
  std::string id;
  std::string phone;
  std::optional<std::string> lead_id;
  std::optional<std::string> interaction_id;
  std::string excerpt;
  std::string matched;
  double confidence = 0;
  std::string status;
  std::string created_at;
  std::optional<std::string> decided_at;
  std::optional<std::string> decided_by;
  std::optional<std::string> dnc_entry_id;
  int64_t created_us = 0;
};

struct ComplianceLogEntry {
  std::string id;
  std::string lead_id;
  std::string channel;
  std::optional<std::string> phone;
  std::string decision;
  std::vector<std::string> reasons;  // written
  std::string reasons_json;          // read back: a JSON array of strings
  std::string details_json;          // object
  std::optional<std::string> actor_id;
  std::string decided_at;
  int64_t created_us = 0;
};

}  // namespace leadline::dnc
