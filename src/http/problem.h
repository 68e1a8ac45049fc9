// The one mapping from Status to HTTP: status codes and RFC 9457 problem+json bodies.
// Every error response of the server goes through ProblemResponse.
#pragma once

#include "core/status.h"
#include "http/message.h"

namespace leadline::http {

// HTTP status for a Status code (kOk -> 200).
int HttpStatusFor(StatusCode code);

// Standard reason phrase for an HTTP status ("Not Found"); "Unknown" for codes we never send.
const char* ReasonPhrase(int http_status);

// Builds an application/problem+json response:
//   {"type": ".../problems/<suffix>", "title", "status", "detail", "errors"?: [...], extras...}
// kInternal (and a misused OK status) never shows its message: the detail is "internal error"
// and the real message is logged. kUnauthenticated adds "WWW-Authenticate: Bearer".
Response ProblemResponse(const Status& status);

}  // namespace leadline::http
