// Import options as text: the query parameters of POST /api/imports, the CLI's flags and the
// JSON stored with a job all go through these functions, so the three agree.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/json.h"
#include "imports/import_job.h"

namespace leadline::imports {

const char* DedupePolicyName(DedupePolicy p);
const char* UpdateModeName(UpdateMode m);
const char* DncPolicyName(DncPolicy p);
std::optional<JobStatus> ParseJobStatus(std::string_view s);

// Reads options from named text values (query parameters or CLI flags): dedupe, update_mode,
// dnc, source, tags (comma-separated), owner_id, mapping (JSON object), unknown_columns
// (metadata|ignore), delimiter (one character or "tab"), format (csv|xlsx). `get` returns
// the value of a name or nullopt. Bad values -> kValidationFailed naming each parameter; a
// value that is not UTF-8 text (or holds a NUL) is one of them, whatever the parameter.
// `s` cut to at most `max_bytes` without splitting a UTF-8 character.
std::string TruncateUtf8(std::string s, size_t max_bytes);

Result<ImportOptions> ParseImportOptions(
    const std::function<std::optional<std::string>(std::string_view name)>& get);

// The stored form (import_jobs.options) and back.
std::string ImportOptionsJson(const ImportOptions& o);
void WriteImportOptions(json::Writer& w, const ImportOptions& o);
Result<ImportOptions> ImportOptionsFromJson(std::string_view text);

}  // namespace leadline::imports
