// The one SQLSTATE -> Status mapping.
#pragma once

#include <string_view>

#include "core/status.h"

namespace leadline::db {

// 23505 -> kAlreadyExists; 23503, 23502, 23514, 22xxx -> kValidationFailed;
// 40001/40P01 -> kAborted; 08xxx / 57P0x -> kUnavailable; 42501 -> kPermissionDenied;
// P0001 (RAISE in our triggers) -> kConflict; anything else -> kInternal.
StatusCode CodeForSqlState(std::string_view sqlstate);

}  // namespace leadline::db
