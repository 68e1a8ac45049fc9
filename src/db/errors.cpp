#include "db/errors.h"

namespace leadline::db {

StatusCode CodeForSqlState(std::string_view s) {
  if (s.size() != 5) return StatusCode::kInternal;
  if (s == "23505") return StatusCode::kAlreadyExists;
  if (s == "23503" || s == "23502" || s == "23514" || s == "23P01") {
    return StatusCode::kValidationFailed;
  }
  if (s.substr(0, 2) == "22") return StatusCode::kValidationFailed;  // data exceptions
  if (s == "40001" || s == "40P01") return StatusCode::kAborted;
  if (s.substr(0, 2) == "08" || s == "57P01" || s == "57P02" || s == "57P03") {
    return StatusCode::kUnavailable;
  }
  if (s == "42501") return StatusCode::kPermissionDenied;
  if (s == "P0001") return StatusCode::kConflict;
  return StatusCode::kInternal;
}

}  // namespace leadline::db
