// Timestamps as the CRMs and our API write them. HubSpot and our API use RFC 3339
// ("2024-05-01T12:00:00.123Z"); Salesforce writes "+0000" offsets without a colon.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace leadline::connectors {

using SysTime = std::chrono::system_clock::time_point;

// Parses "YYYY-MM-DDTHH:MM:SS[.fff...](Z|+HH:MM|+HHMM|-HH:MM|-HHMM)" (also ' ' or 't' for
// 'T', lower-case 'z'). nullopt when malformed.
std::optional<SysTime> ParseTimestamp(std::string_view s);
// "2024-05-01T12:00:00Z" (UTC, whole seconds: the API's format).
std::string FormatRfc3339(SysTime t);
// "2024-05-01T12:00:00.123Z" (UTC, milliseconds).
std::string FormatRfc3339Millis(SysTime t);
int64_t ToUnixMillis(SysTime t);
SysTime FromUnixMillis(int64_t ms);

}  // namespace leadline::connectors
