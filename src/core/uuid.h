// UUID text handling. IDs travel as canonical lower-case text; a malformed id in a URL is
// answered like a missing resource, so services validate before querying.
#pragma once

#include <string>
#include <string_view>

namespace leadline {

// True for the canonical 8-4-4-4-12 hex form (either case).
bool IsUuid(std::string_view s);
// Lower-cases a valid UUID (callers check IsUuid first).
std::string CanonicalUuid(std::string_view s);
// A random (version 4) UUID, for ids a client must know before the row exists.
std::string NewUuid();

}  // namespace leadline
