// Pure validation and normalisation of lead input, list parameters, cursors and If-Match
// headers. No database, no HTTP: every function here is deterministic and thread-safe.
// Failures are Status values carrying one field error per offending field or parameter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/rfc3339.h"
#include "core/status.h"
#include "core/utf8.h"

namespace leadline::leads {

// Limits shared by validation, the service and the documentation.
inline constexpr size_t kMaxNameChars = 200;  // first_name, last_name, company, title
inline constexpr size_t kMaxSourceChars = 100;
inline constexpr size_t kMaxTagChars = 50;
inline constexpr size_t kMaxTags = 100;
inline constexpr size_t kMaxMetadataBytes = 32 * 1024;
inline constexpr size_t kMaxQueryChars = 200;
inline constexpr int kDefaultLimit = 50;
inline constexpr int kMaxLimit = 500;
inline constexpr size_t kMaxBulkIds = 10000;

// A field of a JSON body: absent, null (clears it) or a value.
template <typename T>
struct FieldValue {
  bool present = false;
  std::optional<T> value;

  bool is_null() const { return present && !value.has_value(); }
  void Set(T v) {
    present = true;
    value = std::move(v);
  }
  void SetNull() {
    present = true;
    value.reset();
  }
};

// The writable fields of a lead, as typed by the client (create and PATCH bodies).
struct LeadInput {
  FieldValue<std::string> first_name;
  FieldValue<std::string> last_name;
  FieldValue<std::string> email;
  FieldValue<std::string> phone;
  FieldValue<std::string> status;
  FieldValue<std::string> source;
  FieldValue<std::vector<std::string>> tags;
  FieldValue<int64_t> lead_score;
  FieldValue<std::string> assigned_to;
  FieldValue<std::string> timezone;
  FieldValue<std::string> company;
  FieldValue<std::string> title;
  FieldValue<std::string> metadata_json;  // a JSON object, serialized
};

// Normalises `in` into the stored forms: names trimmed (blank -> null), phone to E.164 read
// in `default_region`, email lower-cased, tags trimmed and de-duplicated, assigned_to as a
// canonical UUID. `creating` requires a phone or an email. kValidationFailed lists every bad
// field. The time zone's existence is checked by the database (see docs/leads.md).
Result<LeadInput> NormalizeLeadInput(const LeadInput& in, std::string_view default_region,
                                     bool creating);

// Trims, de-duplicates (first occurrence wins) and checks tags: each 1..50 characters with
// no control characters, at most `max_items`. Errors name `field`.
Result<std::vector<std::string>> NormalizeTags(const std::vector<std::string>& tags,
                                               std::string_view field, size_t max_items = kMaxTags);

// If-Match: absent -> nullopt; "*" matches any version; otherwise a comma-separated list of
// versions, each bare (3), quoted ("3") or weak (W/"3"). Malformed -> kInvalidArgument.
struct IfMatch {
  bool any = false;
  std::vector<int64_t> versions;
  bool Matches(int64_t version) const;
};
Result<std::optional<IfMatch>> ParseIfMatch(std::optional<std::string_view> header);

enum class SortKey { kCreatedAt, kUpdatedAt, kLeadScore };
struct Sort {
  SortKey key = SortKey::kCreatedAt;
  bool descending = true;
  std::string Name() const;  // "-created_at", "lead_score", ...
};

// Filters of GET /api/leads, the export and bulk "filter" (API.md).
struct ListFilter {
  enum class Assigned { kAny, kMe, kNone, kUser };
  std::vector<std::string> statuses;  // any of
  std::vector<std::string> tags;      // all of
  std::optional<std::string> q;
  Assigned assigned = Assigned::kAny;
  std::string assigned_user;  // for kUser
  std::optional<std::string> source;
  std::optional<int> score_min;
  std::optional<int> score_max;
  std::optional<std::string> created_from;  // RFC 3339, inclusive
  std::optional<std::string> created_to;    // RFC 3339, exclusive
};

// The position after the last row of a page: its sort key and id.
struct Cursor {
  std::string key;  // microsecond RFC 3339 timestamp, or a score
  std::string id;
};

struct ListQuery {
  ListFilter filter;
  Sort sort;
  int limit = kDefaultLimit;
  std::optional<Cursor> after;
};

// Which parameters a caller accepts besides the filters.
enum class QueryKind {
  kList,    // filters, sort, limit, cursor
  kExport,  // filters, sort
  kFilter,  // filters only (bulk)
};

// Parses query parameters (decoded, in order; status and tag may repeat). Unknown, repeated
// or malformed parameters fail with `code` (kInvalidArgument for query strings) and one
// field error per parameter, named `field_prefix` + name.
Result<ListQuery> ParseListQuery(const std::vector<std::pair<std::string, std::string>>& params,
                                 QueryKind kind, StatusCode code = StatusCode::kInvalidArgument,
                                 std::string_view field_prefix = "");

// Opaque cursors: base64url of the sort, the sort key and the id.
std::string EncodeCursor(const Sort& sort, std::string_view key, std::string_view id);
// kInvalidArgument (field "cursor") when malformed or made for another sort.
Result<Cursor> DecodeCursor(std::string_view cursor, const Sort& sort);

// History pages (audit, status history, timeline) are newest first; their cursors carry a
// microsecond timestamp and an id, and the list they page (HistoryList: which history of which
// lead), so that a cursor of another list is refused rather than read as a position in this one.
enum class HistoryKind { kAudit, kStatus, kTimeline };
std::string HistoryList(HistoryKind kind, std::string_view lead_id);
std::string EncodeHistoryCursor(std::string_view list, std::string_view at_micro,
                                std::string_view id);
Result<Cursor> DecodeHistoryCursor(std::string_view cursor, std::string_view list);
// limit (1..500, default 50) and the raw cursor of a page; other parameters -> 400.
struct RawPage {
  int limit = kDefaultLimit;
  std::optional<std::string> cursor;
};
Result<RawPage> ParseRawPage(const std::vector<std::pair<std::string, std::string>>& params);
// The same, with the cursor decoded as a history cursor.
struct PageRequest {
  int limit = kDefaultLimit;
  std::optional<Cursor> after;
};
Result<PageRequest> ParsePageRequest(const std::vector<std::pair<std::string, std::string>>& params,
                                     std::string_view list);

// How `q` is searched: a lower-case-insensitive LIKE pattern over name, email and phone.
// A phone-like q ("(206) 555-0100") is reduced to its digits, which match the stored E.164.
struct SearchPattern {
  std::string like;        // "%term%" with \, % and _ escaped
  bool trigram_indexable;  // has a run of >= 3 word characters (pg_trgm can use the index)
};
SearchPattern MakeSearchPattern(std::string_view q);

std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace leadline::leads
