// Shared by the HubSpot and Salesforce clients: requests with retries, and turning a
// provider's error answer into a message fit for users. Internal to src/connectors.
#pragma once

#include <string>
#include <string_view>

#include "connectors/crm_source.h"
#include "connectors/outbound_http.h"
#include "core/status.h"

namespace leadline::connectors::internal {

// Sends `request`, retrying rate limits, 5xx answers and transport failures per `retry`.
// Returns the first answer that is not retried (2xx, or a 4xx other than 429); errors when
// the attempts run out. `provider` names the CRM in messages.
Result<HttpResponse> SendWithRetry(const HttpRequest& request, const RetryPolicy& retry,
                                   std::string_view provider, std::string_view token);

// The error for a non-2xx answer: 401/403 -> kPermissionDenied "credentials rejected by
// <provider> (<status>)" plus the provider's own message for 403; others -> kInvalidArgument
// "<provider> answered <status>: <message>". `provider_message` is what the provider's body
// said (may be empty); any occurrence of the token is removed.
Status ErrorFor(int status, std::string_view provider, std::string provider_message,
                std::string_view token);

// Removes `secret` from `text` and shortens it to at most 300 characters.
std::string Scrub(std::string text, std::string_view secret);

}  // namespace leadline::connectors::internal
