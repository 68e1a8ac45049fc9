#include "imports/column_mapping.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include "http/json.h"

namespace leadline::imports {
namespace {

constexpr std::string_view kMetadataPrefix = "metadata.";
constexpr size_t kMaxMetadataKey = 100;

struct Alias {
  std::string_view normalised;
  std::string_view field;
};

// Header spellings seen in CRM and spreadsheet exports, normalised (see Normalise). The
// canonical names normalise to entries here too ("first_name" -> "firstname"), which is what
// lets connector files, whose headers are the canonical names, map to themselves.
constexpr Alias kAliases[] = {
    {"firstname", "first_name"},
    {"first", "first_name"},
    {"givenname", "first_name"},
    {"forename", "first_name"},
    {"fname", "first_name"},
    {"lastname", "last_name"},
    {"surname", "last_name"},
    {"familyname", "last_name"},
    {"lname", "last_name"},
    {"name", "full_name"},
    {"fullname", "full_name"},
    {"contactname", "full_name"},
    {"contact", "full_name"},
    {"email", "email"},
    {"emailaddress", "email"},
    {"mail", "email"},
    {"phone", "phone"},
    {"phonenumber", "phone"},
    {"telephone", "phone"},
    {"telephonenumber", "phone"},
    {"tel", "phone"},
    {"mobile", "phone"},
    {"mobilephone", "phone"},
    {"mobilenumber", "phone"},
    {"cell", "phone"},
    {"cellphone", "phone"},
    {"primaryphone", "phone"},
    {"workphone", "phone"},
    {"status", "status"},
    {"leadstatus", "status"},
    {"stage", "status"},
    {"source", "source"},
    {"leadsource", "source"},
    {"utmsource", "source"},
    {"channel", "source"},
    {"tags", "tags"},
    {"tag", "tags"},
    {"labels", "tags"},
    {"score", "lead_score"},
    {"leadscore", "lead_score"},
    {"rating", "lead_score"},
    {"timezone", "timezone"},
    {"tz", "timezone"},
    {"owner", "assigned_to"},
    {"assignedto", "assigned_to"},
    {"agent", "assigned_to"},
    {"owneremail", "assigned_to"},
    {"company", "company"},
    {"companyname", "company"},
    {"organization", "company"},
    {"organisation", "company"},
    {"account", "company"},
    {"accountname", "company"},
    {"title", "title"},
    {"jobtitle", "title"},
    {"position", "title"},
    {"role", "title"},
    {"id", "external_id"},
    {"externalid", "external_id"},
    {"recordid", "external_id"},
    {"hubspotid", "external_id"},
    {"salesforceid", "external_id"},
    {"contactid", "external_id"},
};

// Lowercase ASCII without spaces, '_', '-' and '.': "First Name", "first_name" and
// "FirstName" all become "firstname".
std::string Normalise(std::string_view header) {
  std::string out;
  out.reserve(header.size());
  for (char c : header) {
    if (c == ' ' || c == '_' || c == '-' || c == '.' || c == '\t') continue;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    out.push_back(c);
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

size_t CodePoints(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// The longest prefix of `s` with at most `n` code points.
std::string_view FirstCodePoints(std::string_view s, size_t n) {
  size_t seen = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && seen++ == n) return s.substr(0, i);
  }
  return s;
}

std::string_view GuessField(std::string_view header) {
  std::string key = Normalise(header);
  for (const Alias& a : kAliases) {
    if (a.normalised == key) return a.field;
  }
  return {};
}

// "metadata.<key>" for an unrecognised header, unique among `taken`; "" when the header gives
// no usable key.
std::string MetadataTarget(std::string_view header, const std::set<std::string>& taken) {
  std::string_view key = FirstCodePoints(Trim(header), kMaxMetadataKey);
  if (key.empty()) return {};
  std::string target = std::string(kMetadataPrefix) + std::string(key);
  // Two columns with one header: keep both, as "Notes" and "Notes_2".
  for (int n = 2; taken.count(target) > 0; ++n) {
    std::string suffix = "_" + std::to_string(n);
    target = std::string(kMetadataPrefix) +
             std::string(FirstCodePoints(key, kMaxMetadataKey - suffix.size())) + suffix;
  }
  return target;
}

}  // namespace

bool IsValidTarget(std::string_view field) {
  if (std::find(std::begin(kImportFields), std::end(kImportFields), field) !=
      std::end(kImportFields)) {
    return true;
  }
  if (!field.starts_with(kMetadataPrefix)) return false;
  std::string_view key = field.substr(kMetadataPrefix.size());
  return !key.empty() && CodePoints(key) <= kMaxMetadataKey;
}

std::vector<ColumnTarget> ProposeMapping(const std::vector<std::string>& headers,
                                         bool unknown_to_metadata) {
  std::vector<ColumnTarget> out;
  out.reserve(headers.size());
  std::set<std::string> taken;
  for (const std::string& header : headers) {
    ColumnTarget target{header, "", true};
    std::string_view trimmed = Trim(header);
    bool is_metadata = StartsWithIgnoreCase(trimmed, kMetadataPrefix);
    if (is_metadata) {
      // Already a target ("metadata.hubspot_id", as connectors write): keep the key as is.
      std::string field =
          std::string(kMetadataPrefix) + std::string(trimmed.substr(kMetadataPrefix.size()));
      if (IsValidTarget(field) && taken.count(field) == 0) target.field = std::move(field);
    } else if (std::string_view field = GuessField(trimmed);
               !field.empty() && taken.count(std::string(field)) == 0) {
      target.field = std::string(field);
    }
    if (target.field.empty() && unknown_to_metadata) {
      target.field =
          MetadataTarget(is_metadata ? trimmed.substr(kMetadataPrefix.size()) : trimmed, taken);
    }
    if (!target.field.empty()) taken.insert(target.field);
    out.push_back(std::move(target));
  }
  return out;
}

Result<std::vector<ColumnTarget>> ApplyExplicitMapping(std::vector<ColumnTarget> proposal,
                                                       std::string_view mapping_json) {
  ASSIGN_OR_RETURN(json::Value mapping, json::Parse(mapping_json));
  if (!mapping.is_object()) return InvalidArgument("mapping must be a JSON object");

  Status invalid = ValidationFailed("invalid column mapping");
  std::vector<bool> explicit_column(proposal.size(), false);
  for (const auto& [header, value] : mapping.members()) {
    std::string error_field = "mapping." + header;
    std::string field;
    if (value.is_string()) {
      field = value.as_string();
    } else if (!value.is_null()) {
      invalid.AddFieldError(error_field, "must be a field name, \"\" or null");
      continue;
    }
    if (!field.empty() && !IsValidTarget(field)) {
      invalid.AddFieldError(error_field, "unknown field \"" + field + "\"");
      continue;
    }
    // The header as written; failing that, ignoring case and surrounding spaces, since clients
    // often echo a header they have tidied.
    bool matched = false;
    for (size_t i = 0; i < proposal.size(); ++i) {
      if (proposal[i].header == header) {
        proposal[i].field = field;
        proposal[i].guessed = false;
        explicit_column[i] = matched = true;
      }
    }
    if (!matched) {
      for (size_t i = 0; i < proposal.size(); ++i) {
        if (!explicit_column[i] && EqualsIgnoreCase(Trim(proposal[i].header), Trim(header))) {
          proposal[i].field = field;
          proposal[i].guessed = false;
          explicit_column[i] = matched = true;
        }
      }
    }
    if (!matched) invalid.AddFieldError(error_field, "no column with this header in the file");
  }

  // An explicit choice outranks a guess: a guessed column whose field the client gave to
  // another column is ignored. Two explicit columns with one field is the client's mistake.
  for (size_t i = 0; i < proposal.size(); ++i) {
    if (!explicit_column[i] || proposal[i].field.empty()) continue;
    bool first = true;
    for (size_t j = 0; j < i; ++j)
      first = first && !(explicit_column[j] && proposal[j].field == proposal[i].field);
    if (!first) continue;
    for (size_t j = 0; j < proposal.size(); ++j) {
      if (j == i || proposal[j].field != proposal[i].field) continue;
      if (!explicit_column[j]) {
        proposal[j].field.clear();
      } else {
        invalid.AddFieldError("mapping." + proposal[j].header,
                              "\"" + proposal[j].field + "\" is also mapped from column \"" +
                                  proposal[i].header + "\"");
      }
    }
  }
  if (!invalid.field_errors().empty()) return invalid;
  return proposal;
}

}  // namespace leadline::imports
