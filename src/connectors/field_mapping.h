// Which import target each CRM property feeds, and the CSV rows built from fetched records.
// Every connector starts from its kind's default mapping; its `field_mapping` overrides it
// per property ({"hs_lead_status": "status", "mobilephone": null}).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "connectors/model.h"
#include "core/status.h"
#include "http/json.h"

namespace leadline::connectors {

struct MappingEntry {
  std::string property;  // the provider's property / field name
  std::string target;    // an import target (imports/column_mapping.h)
};

// Defaults, in priority order: when several properties feed one target, the first non-empty
// value wins (HubSpot "phone" before "mobilephone").
const std::vector<MappingEntry>& DefaultMapping(Kind kind);

// At most this many overrides per connector.
inline constexpr size_t kMaxMappingOverrides = 100;

// Checks an override object: property names valid for the provider (HubSpot: letters,
// digits, '_'; Salesforce: field API names, dotted relationship paths allowed), targets valid
// import targets or null/"" (drop the property), and neither "external_id" nor the provider
// id column, which the connector fills itself. kValidationFailed with one error per bad entry
// ("field_mapping.<property>").
Status ValidateOverrides(Kind kind, const json::Value& overrides);

// The defaults with `overrides_json` (a stored, validated object) applied: an override of a
// default property replaces its target in place; new properties are appended in order.
Result<std::vector<MappingEntry>> EffectiveMapping(Kind kind, std::string_view overrides_json);

// Turns records into CSV rows for the import job. Columns: every mapped target in order of
// first appearance, then "source" (when not mapped), "external_id" and
// "metadata.<kind>_id" (the provider's record id).
class RecordLayout {
 public:
  RecordLayout(Kind kind, std::vector<MappingEntry> mapping);
  const std::vector<std::string>& header() const { return header_; }
  // The provider properties to request (mapped ones, without duplicates).
  std::vector<std::string> Properties() const;
  // One CSV row; `source` defaults to the provider's kind name when the record has none.
  std::vector<std::string> Row(const CrmRecord& record) const;

 private:
  Kind kind_;
  std::vector<MappingEntry> mapping_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> sources_;  // per column: properties, by priority
  int source_column_ = -1;
  int external_id_column_ = -1;
  int provider_id_column_ = -1;
};

}  // namespace leadline::connectors
