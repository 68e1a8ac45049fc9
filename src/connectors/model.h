// External CRM connectors: what a connector is (as the API shows it) and what a fetched
// record looks like before it becomes a CSV row. See docs/connectors.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "imports/import_job.h"

namespace leadline::connectors {

enum class Kind { kHubSpot, kSalesforce };

// "hubspot", "salesforce": the API's and import_jobs.kind's spelling.
std::string_view KindName(Kind k);
std::optional<Kind> ParseKind(std::string_view s);
// "HubSpot", "Salesforce": for messages.
std::string_view ProviderName(Kind k);
// HubSpot's API host; Salesforce has none (each org has its own instance URL).
std::optional<std::string_view> DefaultBaseUrl(Kind k);

// Summary of a connector's most recent import job.
struct SyncSummary {
  std::string job_id;
  std::string status;  // queued, running, completed, failed, cancelled
  std::string created_at;
  std::optional<std::string> started_at;
  std::optional<std::string> finished_at;
  std::optional<std::string> error;
  std::optional<std::string> source_cursor;
  int64_t total_rows = 0;
  int64_t created = 0;
  int64_t updated = 0;
  int64_t skipped = 0;
  int64_t failed = 0;
};

// A connector as the API shows it: never any credential, only whether one is stored.
struct Connector {
  std::string id;
  Kind kind = Kind::kHubSpot;
  std::string name;
  std::string base_url;
  std::string field_mapping_json = "{}";  // the overrides of the default mapping
  bool has_credentials = false;
  // "token" or "refresh_token" (Salesforce only); nullopt without credentials.
  std::optional<std::string> credentials_kind;
  std::optional<std::string> created_by;
  std::string created_at;
  std::string updated_at;
  std::optional<SyncSummary> last_sync;
  // Scheduled syncs: every this many minutes (15 to 10080), nullopt = only when asked; and
  // when the next one is due (now when overdue), nullopt without a schedule.
  std::optional<int64_t> sync_every_minutes;
  std::optional<std::string> next_sync_at;
  // What its syncs run with unless a request says otherwise, scheduled ones always.
  imports::ImportOptions sync_options;
  int64_t created_us = 0;  // list cursor
};

// One record fetched from a CRM: its id and its properties as text (nested Salesforce
// relationship fields flattened to "Owner.Name"). Property names are lower-cased, so mappings
// match whatever case a user wrote them in.
struct CrmRecord {
  std::string id;
  std::unordered_map<std::string, std::string> values;
  // Value of a property (any case), or nullptr when absent.
  const std::string* Find(std::string_view property) const;
};

}  // namespace leadline::connectors
