// The import options a connector's syncs run with: dedupe, update_mode, dnc, tags and owner_id
// of imports::ImportOptions (the other members do not apply to a fetched CRM export). A
// connector stores its own (crm_connectors.sync_options, migration 0018): its scheduled syncs
// run with them, and a sync request starts from them and overrides the members it names.
#pragma once

#include <string_view>

#include "core/status.h"
#include "http/json.h"
#include "imports/import_job.h"

namespace leadline::connectors {

// What a connector that was never given options syncs with: dedupe "update" with update_mode
// "overwrite" (the CRM is the source of truth for the records it sends), dnc "flag", no tags,
// no owner.
imports::ImportOptions DefaultSyncOptions();

// Reads the members dedupe, update_mode, dnc, tags and owner_id of `object` over `options`:
// an absent member keeps its value, "tags": null or [] clears the tags, "owner_id": null the
// owner. Other members are the caller's. kValidationFailed names each bad member as
// `field_prefix` + member ("sync_options.dedupe").
Status ReadSyncOptions(const json::Value& object, std::string_view field_prefix,
                       imports::ImportOptions& options);

// The value of a "sync_options" member (of a connector's create or PATCH body) read over
// `options`: an object as above (no other members), or null for the defaults. Field errors
// are named "sync_options.<member>".
Status ReadSyncOptionsMember(const json::Value& value, imports::ImportOptions& options);

// {"dedupe", "update_mode", "dnc", "tags", "owner_id"}: every member, owner_id null when none.
void WriteSyncOptions(json::Writer& w, const imports::ImportOptions& options);

// The stored form (WriteSyncOptions' object) and back. '{}' and anything unreadable give the
// defaults.
std::string SyncOptionsJson(const imports::ImportOptions& options);
imports::ImportOptions SyncOptionsFromJson(std::string_view stored);

}  // namespace leadline::connectors
