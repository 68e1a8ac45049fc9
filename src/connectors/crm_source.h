// Pulling records out of the CRMs: HubSpot contacts (CRM v3 objects and search APIs) and
// Salesforce leads (REST query API, SOQL). Both page through everything, or through what
// changed since a point in time, and hand each page to a sink. Rate limits (429 with
// Retry-After) and server errors are retried; see RetryPolicy.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "connectors/model.h"
#include "connectors/timestamps.h"
#include "core/status.h"

namespace leadline::connectors {

// How a request is retried. 429 and 503 wait the server's Retry-After (seconds, capped at
// max_retry_after) or, without one, the backoff; other 5xx answers and transport failures
// back off exponentially (initial, doubled per attempt, capped at backoff_max).
struct RetryPolicy {
  int max_attempts = 8;  // per request, the first included
  std::chrono::seconds max_retry_after{60};
  std::chrono::milliseconds backoff_initial{1000};
  std::chrono::milliseconds backoff_max{30000};
  // How to wait; empty = std::this_thread::sleep_for. Tests inject a recorder.
  std::function<void(std::chrono::milliseconds)> sleep;
  std::chrono::milliseconds request_timeout{60000};
};

struct SourceQuery {
  std::string base_url;  // e.g. https://api.hubapi.com, https://acme.my.salesforce.com
  std::string token;     // bearer token; never appears in any message
  std::vector<std::string> properties;
  // Only records modified at or after this time (HubSpot search, Salesforce WHERE); nullopt
  // = everything.
  std::optional<SysTime> since;
  int page_size = 100;  // HubSpot's maximum for both APIs
  // HubSpot's search API returns at most this many results per query; past it the search
  // restarts from the last lastmodifieddate seen (see docs/connectors.md).
  int search_window = 10000;
};

// Receives one page of records. An error stops the fetch and is returned as is (the fetcher
// uses that to stop when the job is cancelled).
using PageSink = std::function<Status(std::vector<CrmRecord>& page)>;

// The error messages are fit for users: "credentials rejected by HubSpot (401)", "HubSpot
// kept answering 429 (rate limited) after 8 attempts", "HubSpot sent malformed JSON (...)".
// Codes: kPermissionDenied (credentials rejected), kUnavailable (unreachable, rate limited or
// failing after the retries), kInvalidArgument (the provider rejected the request, e.g. an
// unknown field in the mapping, or answered something unreadable).
Status FetchHubSpotContacts(const SourceQuery& q, const RetryPolicy& retry, const PageSink& sink);
Status FetchSalesforceLeads(const SourceQuery& q, const RetryPolicy& retry, const PageSink& sink);
Status FetchRecords(Kind kind, const SourceQuery& q, const RetryPolicy& retry,
                    const PageSink& sink);

// A Salesforce connected app's refresh token: exchanged for an access token at the start of
// every sync (OAuth 2.0 refresh_token grant), so syncs go on after access tokens expire.
struct SalesforceRefreshToken {
  std::string client_id;
  std::string client_secret;
  std::string refresh_token;
};
// POST <instance_url>/services/oauth2/token (form-encoded grant_type=refresh_token,
// client_id, client_secret, refresh_token); returns the access token. Errors: kPermissionDenied
// "Salesforce refused the refresh token (invalid_grant: expired access/refresh token)" when
// the grant is rejected; kUnavailable when unreachable or failing after the retries;
// kInvalidArgument for an unreadable answer. No message contains any of the secrets.
Result<std::string> SalesforceAccessToken(const std::string& instance_url,
                                          const SalesforceRefreshToken& grant,
                                          const RetryPolicy& retry);

// The Salesforce API version the connector speaks.
inline constexpr char kSalesforceApiVersion[] = "v59.0";
// The SOQL of a Salesforce sync: Id and `fields` (validated API names) from Lead, with
// "WHERE LastModifiedDate > <since>" when incremental.
std::string SalesforceSoql(const std::vector<std::string>& fields, std::optional<SysTime> since);

}  // namespace leadline::connectors
