// Which lead field each column of an import file feeds: guessed from the header, or given
// explicitly by the client as a JSON object {"Header": "field"}.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace leadline::imports {

// Targets a column can have. "full_name" is split into first and last name; "tags" cells are
// lists separated by ';' or ','; "metadata.<key>" stores the cell under <key> in the lead's
// metadata; "" ignores the column.
inline constexpr std::string_view kImportFields[] = {
    "first_name", "last_name",  "full_name", "email",       "phone",   "status", "source",
    "tags",       "lead_score", "timezone",  "assigned_to", "company", "title",  "external_id"};

struct ColumnTarget {
  std::string header;   // as written in the file
  std::string field;    // one of kImportFields, "metadata.<key>", or "" (ignored)
  bool guessed = true;  // false when the client's mapping named it
};

// One target per header, in column order. Recognises the usual spellings, case, spaces,
// '_', '-' and '.' aside ("First Name", "first_name", "FirstName", "Phone Number", "Mobile",
// "E-mail", "Tags", "Lead Score", ...), and the targets themselves ("email",
// "metadata.hubspot_id": connector files map to themselves, metadata keys kept as written).
// Unrecognised headers map to "metadata.<header>" (trimmed, at most 100 characters) when
// `unknown_to_metadata`, otherwise to "". A field is guessed for the first column only; a
// later column with the same spelling is treated as unrecognised, and a repeated metadata key
// gets a suffix ("metadata.Notes", "metadata.Notes_2") so no column overwrites another.
std::vector<ColumnTarget> ProposeMapping(const std::vector<std::string>& headers,
                                         bool unknown_to_metadata);

// Applies an explicit mapping (a JSON object of header -> field, null or "" to ignore) on top
// of the proposal. A header matches as written, else ignoring ASCII case and surrounding
// spaces; a header the file repeats is mapped for every column that has it. A field given
// explicitly is taken from any column that only had it by guess (that column is then
// ignored). Unknown headers in the mapping, unknown fields, values that are not strings or
// null, and a field mapped explicitly from two columns are kValidationFailed with a field
// error per entry ("mapping.<header>"). JSON that does not parse, or is not an object, is
// kInvalidArgument.
Result<std::vector<ColumnTarget>> ApplyExplicitMapping(std::vector<ColumnTarget> proposal,
                                                       std::string_view mapping_json);

// True when `field` is a valid target (one of kImportFields or "metadata.<key>" with a
// non-empty key of at most 100 characters).
bool IsValidTarget(std::string_view field);

}  // namespace leadline::imports
