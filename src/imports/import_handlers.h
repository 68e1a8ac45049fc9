// Imports over HTTP: uploads (spooled to disk by the server), previews, job status, cancel,
// undo and errors.csv. The rules live in ImportService.
#pragma once

#include <string_view>

#include "auth/auth_service.h"
#include "http/json.h"
#include "http/message.h"
#include "http/router.h"
#include "imports/import_service.h"

namespace leadline::imports {

void RegisterImportRoutes(http::Router& router, auth::AuthService& auth, ImportService& imports);

// True for the requests whose body the server should spool to a file (the uploads).
bool IsUploadRequest(http::Method method, std::string_view path);

// A job as JSON, for every response that returns one.
void ImportJobJson(json::Writer& w, const ImportJob& job);

}  // namespace leadline::imports
