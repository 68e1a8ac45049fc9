// RFC 3339 timestamps as the API accepts them, checked before they reach PostgreSQL (which
// would answer a malformed one with its own error text).
#pragma once

#include <string_view>

namespace leadline {

// A date-time with a zone (Z or +hh:mm, at most ±15:59, which is what PostgreSQL accepts),
// an optional fraction of up to 9 digits; calendar-checked (no February 30th, no hour 24).
bool IsRfc3339(std::string_view s);

}  // namespace leadline
