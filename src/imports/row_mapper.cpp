#include "imports/row_mapper.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string_view>

#include "core/uuid.h"
#include "http/json.h"

namespace leadline::imports {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// "Appointment Set" and "appointment-set" name the status appointment_set.
std::string StatusCell(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == ' ' || c == '-') {
      out += '_';
    } else {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

// Integers, and spreadsheet numbers like "85.0".
std::optional<int64_t> ScoreCell(std::string_view s) {
  if (s.size() > 2 && s.substr(s.size() - 2) == ".0") s.remove_suffix(2);
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<std::string> TagsCell(std::string_view s) {
  std::vector<std::string> out;
  // A JSON array of strings, as GET /api/leads/export.csv writes tags: its items, commas and
  // semicolons inside a tag included.
  if (s.front() == '[') {
    auto parsed = json::Parse(s);
    if (parsed.ok() && parsed->is_array() &&
        std::all_of(parsed->items().begin(), parsed->items().end(),
                    [](const json::Value& v) { return v.is_string(); })) {
      for (const auto& v : parsed->items()) {
        std::string_view t = Trim(v.as_string());
        if (!t.empty()) out.emplace_back(t);
      }
      return out;
    }
  }
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find_first_of(";,", start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view t = Trim(s.substr(start, end - start));
    if (!t.empty()) out.emplace_back(t);
    start = end + 1;
  }
  return out;
}

void SetString(leads::FieldValue<std::string>& f, std::string_view v) { f.Set(std::string(v)); }

// Length of the valid UTF-8 sequence at s[i], or 0.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) return 0;
  }
  if (n == 2 && c < 0xc2) return 0;                                       // overlong
  if (n == 3 && c == 0xe0 && b(i + 1) < 0xa0) return 0;                   // overlong
  if (n == 3 && c == 0xed && b(i + 1) >= 0xa0) return 0;                  // surrogates
  if (n == 4 && c == 0xf0 && b(i + 1) < 0x90) return 0;                   // overlong
  if (n == 4 && (c > 0xf4 || (c == 0xf4 && b(i + 1) >= 0x90))) return 0;  // > U+10FFFF
  return n;
}

}  // namespace

std::string SanitizeText(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8SequenceLength(s, i);
    if (n == 0 || s[i] == '\0') {
      out += "\xEF\xBF\xBD";  // U+FFFD
      i += 1;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

namespace {}  // namespace

Result<std::vector<ColumnTarget>> ResolveMapping(const std::vector<std::string>& headers,
                                                 const ImportOptions& options) {
  std::vector<ColumnTarget> columns = ProposeMapping(headers, options.unknown_to_metadata);
  if (options.mapping_json) {
    ASSIGN_OR_RETURN(columns, ApplyExplicitMapping(std::move(columns), *options.mapping_json));
  }
  for (auto& c : columns) {
    if (c.header == kLineColumn || c.header == kErrorColumn) c.field.clear();
  }
  return columns;
}

RowMapper::RowMapper(std::vector<ColumnTarget> columns, const ImportOptions& options,
                     std::string region)
    : columns_(std::move(columns)), options_(options), region_(std::move(region)) {}

void RowMapper::Map(const Record& record, StagedRow& out) const {
  out.line = record.line;
  out.raw = record.raw;
  // The database stores text as UTF-8 without NUL; a failed row's raw text keeps every other
  // byte as it was.
  const bool clean_raw = record.raw.find('\0') == std::string::npos;
  if (!record.error.empty() || !clean_raw) out.raw = SanitizeText(record.raw);
  out.error.reset();
  out.lead = leads::LeadInput();
  out.owner_ref.reset();
  out.external_id.reset();
  if (!record.error.empty()) {
    out.error = record.error;
    return;
  }
  if (!clean_raw) {
    out.error = "the row contains a NUL character";
    return;
  }
  if (record.fields.size() > columns_.size()) {
    // Extra cells that hold something mean the row does not line up with the header.
    for (size_t i = columns_.size(); i < record.fields.size(); ++i) {
      if (!Trim(record.fields[i]).empty()) {
        out.error = "row has " + std::to_string(record.fields.size()) + " columns, the header " +
                    std::to_string(columns_.size());
        return;
      }
    }
  }

  leads::LeadInput in;
  std::vector<std::string> tags;
  json::Writer metadata;
  bool has_metadata = false;
  Status cell_errors(StatusCode::kValidationFailed, "invalid row");
  const size_t n = std::min(record.fields.size(), columns_.size());
  for (size_t i = 0; i < n; ++i) {
    const std::string& field = columns_[i].field;
    if (field.empty()) continue;
    std::string_view cell = Trim(record.fields[i]);
    if (cell.empty()) continue;
    if (field == "first_name") {
      SetString(in.first_name, cell);
    } else if (field == "last_name") {
      SetString(in.last_name, cell);
    } else if (field == "full_name") {
      // "Ada Lovelace" -> first "Ada", last "Lovelace"; one word is a first name.
      size_t space = cell.rfind(' ');
      if (space == std::string_view::npos) {
        if (!in.first_name.present) SetString(in.first_name, cell);
      } else {
        if (!in.first_name.present) SetString(in.first_name, Trim(cell.substr(0, space)));
        if (!in.last_name.present) SetString(in.last_name, Trim(cell.substr(space + 1)));
      }
    } else if (field == "email") {
      SetString(in.email, cell);
    } else if (field == "phone") {
      SetString(in.phone, cell);
    } else if (field == "company") {
      SetString(in.company, cell);
    } else if (field == "title") {
      SetString(in.title, cell);
    } else if (field == "status") {
      in.status.Set(StatusCell(cell));
    } else if (field == "source") {
      SetString(in.source, cell);
    } else if (field == "timezone") {
      SetString(in.timezone, cell);
    } else if (field == "tags") {
      for (auto& t : TagsCell(cell)) tags.push_back(std::move(t));
    } else if (field == "lead_score") {
      if (auto v = ScoreCell(cell)) {
        in.lead_score.Set(*v);
      } else {
        cell_errors.AddFieldError("lead_score", "must be an integer from 0 to 100");
      }
    } else if (field == "assigned_to") {
      if (IsUuid(cell)) {
        in.assigned_to.Set(std::string(cell));
      } else if (cell.find('@') != std::string_view::npos) {
        out.owner_ref = std::string(cell);
      } else {
        cell_errors.AddFieldError("assigned_to", "must be a user id or a user's email");
      }
    } else if (field == "external_id") {
      // Another system's record id: a key, not a text (HubSpot and Salesforce ids are ~18).
      if (Utf8Length(cell) > kMaxExternalIdChars) {
        cell_errors.AddFieldError("external_id",
                                  "at most " + std::to_string(kMaxExternalIdChars) + " characters");
      } else {
        out.external_id = std::string(cell);
      }
    } else if (field.rfind("metadata.", 0) == 0) {
      if (!has_metadata) metadata.BeginObject();
      has_metadata = true;
      metadata.Key(std::string_view(field).substr(9)).String(cell);
    }
  }
  // Defaults apply to rows that leave the field empty.
  if (!in.source.present && options_.source) {
    in.source.Set(*options_.source);
    out.default_source = true;
  }
  if (!in.assigned_to.present && !out.owner_ref && options_.owner_id) {
    out.default_owner = true;
    if (IsUuid(*options_.owner_id)) {
      in.assigned_to.Set(*options_.owner_id);
    } else {
      out.owner_ref = *options_.owner_id;
    }
  }
  for (const auto& t : options_.tags) tags.push_back(t);
  if (!tags.empty()) in.tags.Set(std::move(tags));
  if (has_metadata) {
    metadata.EndObject();
    in.metadata_json.Set(metadata.Take());
  }

  auto normalized = leads::NormalizeLeadInput(in, region_, /*creating=*/true);
  if (!normalized.ok() || !cell_errors.field_errors().empty()) {
    std::string message;
    auto append = [&](const Status& st) {
      for (const auto& fe : st.field_errors()) {
        if (!message.empty()) message += "; ";
        message += fe.field + ": " + fe.message;
      }
    };
    append(cell_errors);
    if (!normalized.ok()) {
      append(normalized.status());
      if (normalized.status().field_errors().empty()) message = normalized.status().message();
    }
    out.error = std::move(message);
    return;
  }
  out.lead = std::move(*normalized);
}

}  // namespace leadline::imports
