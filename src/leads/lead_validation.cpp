// Validation and normalisation of everything a client sends to the leads API.
#include "leads/lead_validation.h"

#include <algorithm>
#include <charconv>
#include <unordered_set>

#include "core/uuid.h"
#include "leads/lead.h"
#include "phone/phone.h"

namespace leadline::leads {
namespace {

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool HasControl(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return true;
  }
  return false;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Strict non-negative decimal integer (no sign, no spaces), at most 9 digits.
std::optional<int64_t> ParseInt(std::string_view s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  for (char c : s) {
    if (!IsDigit(c)) return std::nullopt;
  }
  return v;
}

// A free-text field: trimmed, blank -> null, at most `max_chars` code points, no NUL.
void NormalizeText(const FieldValue<std::string>& in, FieldValue<std::string>& out,
                   std::string_view field, size_t max_chars, Status& errors) {
  out.present = in.present;
  if (!in.value) return;
  std::string_view v = Trim(*in.value);
  if (v.find('\0') != std::string_view::npos) {
    errors.AddFieldError(std::string(field), "must not contain NUL characters");
    return;
  }
  if (Utf8Length(v) > max_chars) {
    errors.AddFieldError(std::string(field),
                         "must be at most " + std::to_string(max_chars) + " characters");
    return;
  }
  if (v.empty()) {
    out.value.reset();
  } else {
    out.value = std::string(v);
  }
}

void RequireNotNull(const FieldValue<std::string>& f, std::string_view field, Status& errors) {
  if (f.is_null()) errors.AddFieldError(std::string(field), "cannot be null");
}

bool IsTimeZoneChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '/' || c == '_' ||
         c == '-' || c == '+';
}

Status ParamError(StatusCode code, std::string field, std::string message) {
  Status st(code,
            code == StatusCode::kInvalidArgument ? "invalid query parameter" : "invalid filter");
  st.AddFieldError(std::move(field), std::move(message));
  return st;
}

constexpr std::string_view kCursorVersion = "l1";
constexpr std::string_view kHistoryCursorVersion = "h2";

// Cursor payload fields are separated by '\n', which none of them can contain.
std::vector<std::string_view> SplitLines(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t nl = s.find('\n', start);
    if (nl == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
}

// "2026-01-02T03:04:05.123456Z": exactly what app_rfc3339_micro produces.
bool IsMicroTimestamp(std::string_view s) {
  return s.size() == 27 && s[19] == '.' && s[26] == 'Z' && IsRfc3339(s);
}

}  // namespace

Result<std::vector<std::string>> NormalizeTags(const std::vector<std::string>& tags,
                                               std::string_view field, size_t max_items) {
  Status errors = ValidationFailed("invalid tags");
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  for (const auto& raw : tags) {
    std::string_view t = Trim(raw);
    if (t.empty() || Utf8Length(t) > kMaxTagChars) {
      errors.AddFieldError(std::string(field),
                           "each tag must be 1 to " + std::to_string(kMaxTagChars) + " characters");
      return errors;
    }
    if (HasControl(t) || !IsValidUtf8(t)) {
      errors.AddFieldError(std::string(field), "tags must not contain control characters");
      return errors;
    }
    if (seen.insert(std::string(t)).second) out.emplace_back(t);
  }
  if (out.size() > max_items) {
    errors.AddFieldError(std::string(field),
                         "at most " + std::to_string(max_items) + " distinct tags");
    return errors;
  }
  return out;
}

Result<LeadInput> NormalizeLeadInput(const LeadInput& in, std::string_view default_region,
                                     bool creating) {
  Status errors = ValidationFailed("invalid lead");
  LeadInput out;
  NormalizeText(in.first_name, out.first_name, "first_name", kMaxNameChars, errors);
  NormalizeText(in.last_name, out.last_name, "last_name", kMaxNameChars, errors);
  NormalizeText(in.company, out.company, "company", kMaxNameChars, errors);
  NormalizeText(in.title, out.title, "title", kMaxNameChars, errors);
  NormalizeText(in.source, out.source, "source", kMaxSourceChars, errors);
  if (out.source.value && HasControl(*out.source.value)) {
    errors.AddFieldError("source", "must not contain control characters");
  }

  out.email.present = in.email.present;
  if (in.email.value && !Trim(*in.email.value).empty()) {
    auto email = phone::NormalizeEmail(*in.email.value);
    if (email.ok()) {
      out.email.value = *email;
    } else {
      errors.AddFieldError("email", email.status().message());
    }
  }

  out.phone.present = in.phone.present;
  if (in.phone.value && !Trim(*in.phone.value).empty()) {
    auto e164 = phone::NormalizeToE164(*in.phone.value, default_region);
    if (e164.ok()) {
      out.phone.value = *e164;
    } else {
      errors.AddFieldError("phone", e164.status().message());
    }
  }

  out.status = in.status;
  RequireNotNull(in.status, "status", errors);
  if (in.status.value && !IsStatus(*in.status.value)) {
    errors.AddFieldError("status",
                         "must be one of new, contacted, qualified, nurturing, appointment_set, "
                         "converted, lost");
  }

  out.lead_score = in.lead_score;
  if (in.lead_score.is_null()) errors.AddFieldError("lead_score", "cannot be null");
  if (in.lead_score.value && (*in.lead_score.value < 0 || *in.lead_score.value > 100)) {
    errors.AddFieldError("lead_score", "must be an integer from 0 to 100");
  }

  out.tags.present = in.tags.present;
  if (in.tags.is_null()) errors.AddFieldError("tags", "cannot be null");
  if (in.tags.value) {
    auto tags = NormalizeTags(*in.tags.value, "tags");
    if (tags.ok()) {
      out.tags.value = std::move(*tags);
    } else {
      for (const auto& fe : tags.status().field_errors())
        errors.AddFieldError(fe.field, fe.message);
    }
  }

  out.assigned_to.present = in.assigned_to.present;
  if (in.assigned_to.value) {
    if (IsUuid(*in.assigned_to.value)) {
      out.assigned_to.value = CanonicalUuid(*in.assigned_to.value);
    } else {
      errors.AddFieldError("assigned_to", "must be a user id");
    }
  }

  out.timezone.present = in.timezone.present;
  if (in.timezone.value) {
    std::string_view tz = Trim(*in.timezone.value);
    bool plausible =
        !tz.empty() && tz.size() <= 64 && std::all_of(tz.begin(), tz.end(), IsTimeZoneChar);
    if (!plausible) {
      errors.AddFieldError("timezone", "must be an IANA time zone name such as America/New_York");
    } else {
      out.timezone.value = std::string(tz);
    }
  }

  out.metadata_json = in.metadata_json;
  if (in.metadata_json.is_null()) errors.AddFieldError("metadata", "cannot be null");
  if (in.metadata_json.value && in.metadata_json.value->size() > kMaxMetadataBytes) {
    errors.AddFieldError("metadata",
                         "must be at most " + std::to_string(kMaxMetadataBytes) + " bytes");
  }

  if (creating && !out.phone.value && !out.email.value &&
      std::none_of(
          errors.field_errors().begin(), errors.field_errors().end(),
          [](const FieldError& fe) { return fe.field == "phone" || fe.field == "email"; })) {
    errors.AddFieldError("phone", "a lead needs a phone or an email");
    errors.AddFieldError("email", "a lead needs a phone or an email");
  }
  if (!errors.field_errors().empty()) return errors;
  return out;
}

bool IfMatch::Matches(int64_t version) const {
  return any || std::find(versions.begin(), versions.end(), version) != versions.end();
}

Result<std::optional<IfMatch>> ParseIfMatch(std::optional<std::string_view> header) {
  if (!header) return std::optional<IfMatch>();
  Status bad = InvalidArgument("malformed If-Match header: expected a lead version such as \"3\"");
  bad.AddFieldError("If-Match", "must be *, or versions such as \"3\"");
  IfMatch m;
  std::string_view rest = *header;
  if (Trim(rest) == "*") {
    m.any = true;
    return std::optional<IfMatch>(m);
  }
  size_t start = 0;
  for (;;) {
    size_t comma = rest.find(',', start);
    std::string_view item = Trim(rest.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    // An entity tag is quoted ("3", weak W/"3"); a bare version (3) is accepted as a
    // convenience, but a weak prefix on a bare version is neither form.
    const bool weak = item.starts_with("W/");
    if (weak) item.remove_prefix(2);
    const bool quoted = item.size() >= 2 && item.front() == '"' && item.back() == '"';
    if (quoted) item = item.substr(1, item.size() - 2);
    if (weak && !quoted) return bad;
    auto v = ParseInt(item);
    if (!v || *v < 1) return bad;
    m.versions.push_back(*v);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return std::optional<IfMatch>(m);
}

std::string Sort::Name() const {
  std::string name = descending ? "-" : "";
  switch (key) {
    case SortKey::kCreatedAt:
      return name + "created_at";
    case SortKey::kUpdatedAt:
      return name + "updated_at";
    case SortKey::kLeadScore:
      return name + "lead_score";
  }
  return name + "created_at";
}

Result<ListQuery> ParseListQuery(const std::vector<std::pair<std::string, std::string>>& params,
                                 QueryKind kind, StatusCode code, std::string_view field_prefix) {
  ListQuery q;
  Status errors(
      code, code == StatusCode::kInvalidArgument ? "invalid query parameters" : "invalid filter");
  auto fail = [&](std::string_view name, std::string message) {
    errors.AddFieldError(std::string(field_prefix) + std::string(name), std::move(message));
  };
  std::unordered_set<std::string> seen;
  std::optional<std::string> cursor_text;
  for (const auto& [name, raw] : params) {
    bool repeatable = name == "status" || name == "tag";
    if (!repeatable && !seen.insert(name).second) {
      fail(name, "must be given at most once");
      continue;
    }
    if (!IsValidUtf8(raw) || raw.find('\0') != std::string::npos) {
      fail(name, "must be valid UTF-8 text");
      continue;
    }
    std::string_view value = raw;
    if (name == "status") {
      size_t start = 0;
      for (;;) {
        size_t comma = value.find(',', start);
        std::string_view s = Trim(value.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
        if (!IsStatus(s)) {
          fail(name,
               "must be a comma-separated list of new, contacted, qualified, nurturing, "
               "appointment_set, converted, lost");
          break;
        }
        if (std::find(q.filter.statuses.begin(), q.filter.statuses.end(), s) ==
            q.filter.statuses.end()) {
          q.filter.statuses.emplace_back(s);
        }
        if (comma == std::string_view::npos) break;
        start = comma + 1;
      }
    } else if (name == "tag") {
      auto tags = NormalizeTags({raw}, name);
      if (!tags.ok()) {
        fail(name, tags.status().field_errors().front().message);
      } else if (std::find(q.filter.tags.begin(), q.filter.tags.end(), tags->front()) ==
                 q.filter.tags.end()) {
        q.filter.tags.push_back(tags->front());
        if (q.filter.tags.size() > 20) fail(name, "at most 20 tags");
      }
    } else if (name == "q") {
      std::string_view t = Trim(value);
      if (Utf8Length(t) > kMaxQueryChars) {
        fail(name, "must be at most " + std::to_string(kMaxQueryChars) + " characters");
      } else if (!t.empty()) {
        q.filter.q = std::string(t);
      }
    } else if (name == "assigned_to") {
      if (value == "me") {
        q.filter.assigned = ListFilter::Assigned::kMe;
      } else if (value == "none") {
        q.filter.assigned = ListFilter::Assigned::kNone;
      } else if (IsUuid(value)) {
        q.filter.assigned = ListFilter::Assigned::kUser;
        q.filter.assigned_user = CanonicalUuid(value);
      } else {
        fail(name, "must be a user id, me or none");
      }
    } else if (name == "source") {
      if (value.empty() || Utf8Length(value) > kMaxSourceChars) {
        fail(name, "must be 1 to " + std::to_string(kMaxSourceChars) + " characters");
      } else {
        q.filter.source = std::string(value);
      }
    } else if (name == "score_min" || name == "score_max") {
      auto v = ParseInt(value);
      if (!v || *v > 100) {
        fail(name, "must be an integer from 0 to 100");
      } else {
        (name == "score_min" ? q.filter.score_min : q.filter.score_max) = static_cast<int>(*v);
      }
    } else if (name == "created_from" || name == "created_to") {
      if (!IsRfc3339(value)) {
        fail(name, "must be an RFC 3339 timestamp such as 2026-01-31T00:00:00Z");
      } else {
        (name == "created_from" ? q.filter.created_from : q.filter.created_to) = raw;
      }
    } else if (name == "sort" && kind != QueryKind::kFilter) {
      std::string_view s = value;
      q.sort.descending = s.starts_with('-');
      if (q.sort.descending) s.remove_prefix(1);
      if (s == "created_at") {
        q.sort.key = SortKey::kCreatedAt;
      } else if (s == "updated_at") {
        q.sort.key = SortKey::kUpdatedAt;
      } else if (s == "lead_score") {
        q.sort.key = SortKey::kLeadScore;
      } else {
        fail(name,
             "must be one of created_at, -created_at, updated_at, -updated_at, lead_score, "
             "-lead_score");
      }
    } else if (name == "limit" && kind == QueryKind::kList) {
      auto v = ParseInt(value);
      if (!v || *v < 1 || *v > kMaxLimit) {
        fail(name, "must be an integer from 1 to " + std::to_string(kMaxLimit));
      } else {
        q.limit = static_cast<int>(*v);
      }
    } else if (name == "cursor" && kind == QueryKind::kList) {
      cursor_text = raw;
    } else {
      fail(name, "unknown parameter");
    }
  }
  if (q.filter.score_min && q.filter.score_max && *q.filter.score_min > *q.filter.score_max) {
    fail("score_min", "must not exceed score_max");
  }
  // Decoded last: a cursor belongs to the sort, wherever the sort parameter appears.
  if (cursor_text && errors.field_errors().empty()) {
    auto c = DecodeCursor(*cursor_text, q.sort);
    if (!c.ok()) {
      fail("cursor", c.status().field_errors().front().message);
    } else {
      q.after = std::move(*c);
    }
  }
  if (!errors.field_errors().empty()) return errors;
  return q;
}

std::string EncodeCursor(const Sort& sort, std::string_view key, std::string_view id) {
  std::string payload(kCursorVersion);
  payload.append("\n").append(sort.Name()).append("\n").append(key).append("\n").append(id);
  return Base64UrlEncode(payload);
}

Result<Cursor> DecodeCursor(std::string_view cursor, const Sort& sort) {
  auto bad = [](std::string message) {
    return ParamError(StatusCode::kInvalidArgument, "cursor", std::move(message));
  };
  auto payload = Base64UrlDecode(cursor);
  if (!payload) return bad("is not a cursor of this list");
  auto parts = SplitLines(*payload);
  if (parts.size() != 4 || parts[0] != kCursorVersion) return bad("is not a cursor of this list");
  if (parts[1] != sort.Name()) return bad("was made for sort=" + std::string(parts[1]));
  bool key_ok = sort.key == SortKey::kLeadScore
                    ? ParseInt(parts[2]).has_value() && *ParseInt(parts[2]) <= 100
                    : IsMicroTimestamp(parts[2]);
  if (!key_ok || !IsUuid(parts[3])) return bad("is not a cursor of this list");
  return Cursor{std::string(parts[2]), CanonicalUuid(parts[3])};
}

std::string HistoryList(HistoryKind kind, std::string_view lead_id) {
  std::string list = kind == HistoryKind::kAudit    ? "history:"
                     : kind == HistoryKind::kStatus ? "status-history:"
                                                    : "timeline:";
  // An id that is no UUID names no lead: its list pages nothing (the route answers 404).
  return list + (IsUuid(lead_id) ? CanonicalUuid(lead_id) : std::string(lead_id));
}

std::string EncodeHistoryCursor(std::string_view list, std::string_view at_micro,
                                std::string_view id) {
  std::string payload(kHistoryCursorVersion);
  payload.append("\n").append(list).append("\n").append(at_micro).append("\n").append(id);
  return Base64UrlEncode(payload);
}

Result<Cursor> DecodeHistoryCursor(std::string_view cursor, std::string_view list) {
  auto payload = Base64UrlDecode(cursor);
  if (payload) {
    auto parts = SplitLines(*payload);
    if (parts.size() == 4 && parts[0] == kHistoryCursorVersion && parts[1] == list &&
        IsMicroTimestamp(parts[2]) && IsUuid(parts[3])) {
      return Cursor{std::string(parts[2]), CanonicalUuid(parts[3])};
    }
  }
  return ParamError(StatusCode::kInvalidArgument, "cursor", "is not a cursor of this list");
}

Result<RawPage> ParseRawPage(const std::vector<std::pair<std::string, std::string>>& params) {
  RawPage page;
  Status errors = InvalidArgument("invalid query parameters");
  std::unordered_set<std::string> seen;
  for (const auto& [name, value] : params) {
    if (!seen.insert(name).second) {
      errors.AddFieldError(name, "must be given at most once");
    } else if (name == "limit") {
      auto v = ParseInt(value);
      if (!v || *v < 1 || *v > kMaxLimit) {
        errors.AddFieldError(name, "must be an integer from 1 to " + std::to_string(kMaxLimit));
      } else {
        page.limit = static_cast<int>(*v);
      }
    } else if (name == "cursor") {
      page.cursor = value;
    } else {
      errors.AddFieldError(name, "unknown parameter");
    }
  }
  if (!errors.field_errors().empty()) return errors;
  return page;
}

Result<PageRequest> ParsePageRequest(const std::vector<std::pair<std::string, std::string>>& params,
                                     std::string_view list) {
  ASSIGN_OR_RETURN(RawPage raw, ParseRawPage(params));
  PageRequest page;
  page.limit = raw.limit;
  if (raw.cursor) {
    ASSIGN_OR_RETURN(Cursor c, DecodeHistoryCursor(*raw.cursor, list));
    page.after = std::move(c);
  }
  return page;
}

SearchPattern MakeSearchPattern(std::string_view q) {
  // Phone-like input: digits with phone punctuation. The stored form is E.164, so only the
  // digits can match ("(206) 555-0100" -> "2065550100" is inside "+12065550100").
  bool phone_like = !q.empty();
  int digits = 0;
  for (char c : q) {
    if (IsDigit(c)) {
      ++digits;
    } else if (c != '+' && c != '(' && c != ')' && c != '-' && c != '.' && c != ' ') {
      phone_like = false;
    }
  }
  std::string term;
  if (phone_like && digits >= 3) {
    for (char c : q) {
      if (IsDigit(c)) term.push_back(c);
    }
  } else {
    term = std::string(q);
  }
  SearchPattern p;
  p.like = "%";
  int run = 0;
  p.trigram_indexable = false;
  for (char c : term) {
    if (c == '\\' || c == '%' || c == '_') p.like.push_back('\\');
    p.like.push_back(c);
    // pg_trgm extracts trigrams from runs of word characters: ASCII letters and digits, and
    // (in a UTF-8 database) the bytes of non-ASCII letters.
    auto u = static_cast<unsigned char>(c);
    bool word = IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || u >= 0x80;
    if (word && (u & 0xC0) != 0x80) ++run;
    if (!word) run = 0;
    if (run >= 3) p.trigram_indexable = true;
  }
  p.like.push_back('%');
  return p;
}

std::string Base64UrlEncode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  while (i + 3 <= bytes.size()) {
    uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) |
                 (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
    i += 3;
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    if (rest == 2) out.push_back(kAlphabet[(v >> 6) & 63]);
  }
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
  };
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1 || text.size() > 1024) return std::nullopt;
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

}  // namespace leadline::leads
