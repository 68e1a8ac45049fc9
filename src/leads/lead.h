// The lead model as the leads API sees it, the records of its histories, and their JSON
// and CSV forms. Plain data: no database or HTTP types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/json.h"

namespace leadline::leads {

// The statuses of API.md, in funnel order. "converted" is terminal.
inline constexpr std::string_view kStatuses[] = {
    "new", "contacted", "qualified", "nurturing", "appointment_set", "converted", "lost"};
inline constexpr std::string_view kTerminalStatus = "converted";
bool IsStatus(std::string_view s);

struct Lead {
  std::string id;
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  std::optional<std::string> email;
  std::optional<std::string> phone;  // E.164
  std::string status;
  std::optional<std::string> source;
  std::string tags_json = "[]";  // JSON array of strings, as the database rendered it
  int lead_score = 0;
  std::optional<std::string> assigned_to;
  std::optional<std::string> timezone;
  std::optional<std::string> company;
  std::optional<std::string> title;
  std::string metadata_json = "{}";  // JSON object
  std::string created_at;            // RFC 3339 UTC, whole seconds
  std::string updated_at;
  std::optional<std::string> deleted_at;  // set only for soft-deleted leads
  int version = 1;
  std::string status_changed_at;
  std::optional<std::string> last_contacted_at;
  std::optional<std::string> merged_into;  // set when a merge absorbed this lead

  // The tags decoded from tags_json (empty when it is somehow not an array of strings).
  std::vector<std::string> Tags() const;
};

// The lead's JSON object (API.md "Lead object"); deleted_at and merged_into appear only
// when set.
void WriteLead(json::Writer& w, const Lead& lead);
std::string LeadJson(const Lead& lead);

// The strong ETag of a lead version: "\"<version>\"".
std::string LeadETag(int version);

// One entry of GET /api/leads/{id}/history.
struct AuditEntry {
  std::string id;
  std::string action;
  std::string changes_json;  // {"field": {"old": ..., "new": ...}}
  std::optional<std::string> actor_id;
  std::string at;
};
void WriteAuditEntry(json::Writer& w, const AuditEntry& e);

// One entry of GET /api/leads/{id}/status-history.
struct StatusChange {
  std::string id;
  std::optional<std::string> from;
  std::string to;
  std::string at;
  std::string triggered_by;
  std::optional<std::string> changed_by;
  std::optional<std::string> time_in_previous_status;  // seconds, decimal text
};
void WriteStatusChange(json::Writer& w, const StatusChange& c);

// One entry of GET /api/leads/{id}/timeline.
struct TimelineEvent {
  std::string id;
  std::string type;  // status_change, assignment, score_change, sequence_enrollment, create, ...
  std::string at;
  std::optional<std::string> actor_id;
  std::string data_json;  // type-specific object
};
void WriteTimelineEvent(json::Writer& w, const TimelineEvent& e);

struct TagCount {
  std::string tag;
  int64_t count = 0;
};

// AppendCsvField (core/csv.h) for a cell a spreadsheet will show: a value starting with '=', '+',
// '-', '@', tab or CR (what spreadsheets read as a formula) gets a leading apostrophe, which makes
// it text (OWASP "CSV injection").
void AppendCsvTextField(std::string& out, std::string_view value);
// The phone column's own rule: the stored E.164 number (always '+' and digits) as an RFC 3966
// URI, "tel:+12065550100". Exact (drop the "tel:" to get E.164; phone::NormalizeToE164 and
// libphonenumber read it as is) and never a formula, where an apostrophe would change the
// number and a bare "+1..." is evaluated as one. Anything else (not E.164) gets the text rule.
void AppendCsvPhoneField(std::string& out, std::string_view e164);
// The export's header line and one lead's line, each ending in CRLF.
void AppendCsvHeader(std::string& out);
void AppendCsvRow(std::string& out, const Lead& lead);

}  // namespace leadline::leads
