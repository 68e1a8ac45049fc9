// Turns one data record of an import file into a staged row: cells go to lead fields by the
// column mapping, and the result is validated and normalised by leads::NormalizeLeadInput,
// the same function POST /api/leads uses. Checks that need the database (the owner exists,
// the time zone is known) happen later, set-based, in import_repository.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "imports/column_mapping.h"
#include "imports/import_job.h"
#include "imports/record_reader.h"
#include "leads/lead_validation.h"

namespace leadline::imports {

struct StagedRow {
  int64_t seq = 0;   // 1-based data row number
  int64_t line = 0;  // line in the file
  std::string raw;
  std::optional<std::string> error;        // set: the row failed; the fields below are unset
  leads::LeadInput lead;                   // normalised
  std::optional<std::string> owner_ref;    // assigned_to as written (user id or email)
  std::optional<std::string> external_id;  // the record's id in the system it came from
  // The source and owner came from the import's defaults, not from the row: an update never
  // overwrites a lead's own value with a default (defaults are for rows without one).
  bool default_source = false;
  bool default_owner = false;
};

// The longest record id of another system an import keeps (external_id).
inline constexpr size_t kMaxExternalIdChars = 255;

// Header names that errors.csv adds; a re-uploaded errors.csv ignores them.
inline constexpr std::string_view kLineColumn = "_line";
inline constexpr std::string_view kErrorColumn = "_error";

class RowMapper {
 public:
  // `columns`: one target per header column. `region`: the organization's default region for
  // national phone numbers.
  RowMapper(std::vector<ColumnTarget> columns, const ImportOptions& options, std::string region);

  // Fills `out` (seq is the caller's). Never fails as a call: a bad row gets `out.error`, a
  // message naming each bad field ("phone: ...; email: ...").
  void Map(const Record& record, StagedRow& out) const;

  const std::vector<ColumnTarget>& columns() const { return columns_; }

 private:
  std::vector<ColumnTarget> columns_;
  const ImportOptions& options_;
  std::string region_;
};

// `s` with every byte that is not part of valid UTF-8, and every NUL, replaced by U+FFFD.
std::string SanitizeText(std::string_view s);

// Header row -> column targets: the proposal for `headers`, the client's explicit mapping on
// top, and the errors.csv bookkeeping columns ignored.
Result<std::vector<ColumnTarget>> ResolveMapping(const std::vector<std::string>& headers,
                                                 const ImportOptions& options);

}  // namespace leadline::imports
