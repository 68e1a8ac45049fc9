// The import system's SourceFetcher for connector jobs: loads the job's connector (opening
// its credentials), pulls everything or what changed since the connector's last completed
// sync, and writes the records as a CSV whose header names import targets.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "connectors/connector_service.h"
#include "connectors/crm_source.h"
#include "connectors/field_mapping.h"
#include "imports/source_fetcher.h"

namespace leadline::connectors {

struct FetcherOptions {
  RetryPolicy retry;
  // The next incremental sync starts this long before this one started: covers records
  // saved while this one ran and clock differences with the CRM. Re-fetched records are
  // harmless (the import deduplicates them).
  std::chrono::seconds overlap{300};
  int page_size = 100;
  int search_window = 10000;     // HubSpot's search result limit
  std::function<SysTime()> now;  // empty = the system clock
};

// Pulls records from the CRM and writes them to `out_csv_path` with `layout`. `progress` gets
// the number of records written after every page; false stops with kAborted ("cancelled").
// Returns the number of records written. Errors: those of FetchRecords, and kUnavailable
// when the file cannot be written.
Result<int64_t> FetchToCsv(Kind kind, const SourceQuery& query, const RetryPolicy& retry,
                           const RecordLayout& layout, const std::string& out_csv_path,
                           const std::function<bool(int64_t)>& progress);

class ConnectorFetcher : public imports::SourceFetcher {
 public:
  // `service` must outlive the fetcher.
  ConnectorFetcher(Kind kind, ConnectorService& service, FetcherOptions options = {})
      : kind_(kind), service_(service), options_(std::move(options)) {}

  // FetchResult.source_cursor = when this fetch started minus the overlap (RFC 3339 UTC).
  // Errors have messages fit for users and never contain the token.
  Result<imports::FetchResult> Fetch(const imports::FetchContext& ctx,
                                     const std::string& out_csv_path) override;

 private:
  Kind kind_;
  ConnectorService& service_;
  FetcherOptions options_;
};

}  // namespace leadline::connectors
