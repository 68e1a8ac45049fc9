#include "connectors/sync_options.h"

#include <map>
#include <string>

#include "api/call.h"
#include "core/uuid.h"
#include "imports/import_options.h"
#include "leads/lead_validation.h"

namespace leadline::connectors {
namespace {

// A sync can add at most this many tags to every lead it imports.
constexpr size_t kMaxSyncTags = 50;

}  // namespace

imports::ImportOptions DefaultSyncOptions() {
  imports::ImportOptions options;
  options.dedupe = imports::DedupePolicy::kUpdate;
  options.update_mode = imports::UpdateMode::kOverwrite;
  options.dnc = imports::DncPolicy::kFlag;
  return options;
}

Status ReadSyncOptions(const json::Value& object, std::string_view field_prefix,
                       imports::ImportOptions& options) {
  api::FieldReader f(object);
  // The policy words are those of file imports, so their parser reads them.
  std::map<std::string, std::string, std::less<>> words;
  for (std::string_view name : {"dedupe", "update_mode", "dnc"}) {
    if (f.IsNull(name)) {
      f.Fail(name, "must be a string");
    } else if (auto v = f.String(name, 20)) {
      words.emplace(name, *v);
    }
  }
  auto parsed = imports::ParseImportOptions([&](std::string_view name) {
    auto it = words.find(name);
    return it == words.end() ? std::nullopt : std::optional<std::string>(it->second);
  });
  if (!parsed.ok()) {
    for (const auto& fe : parsed.status().field_errors()) f.Fail(fe.field, fe.message);
  } else {
    if (words.contains("dedupe")) options.dedupe = parsed->dedupe;
    if (words.contains("update_mode")) options.update_mode = parsed->update_mode;
    if (words.contains("dnc")) options.dnc = parsed->dnc;
  }
  if (f.IsNull("tags")) {
    options.tags.clear();
  } else if (auto v = f.StringArray("tags", kMaxSyncTags, 100)) {
    auto tags = leads::NormalizeTags(*v, "tags", kMaxSyncTags);
    if (tags.ok()) {
      options.tags = std::move(*tags);
    } else {
      for (const auto& fe : tags.status().field_errors()) f.Fail(fe.field, fe.message);
    }
  }
  if (f.IsNull("owner_id")) {
    options.owner_id.reset();
  } else if (auto v = f.String("owner_id", 64)) {
    if (IsUuid(*v)) {
      options.owner_id = CanonicalUuid(*v);
    } else {
      f.Fail("owner_id", "must be a user id");
    }
  }
  if (f.ok()) return Status::Ok();
  Status errors = ValidationFailed("validation failed");
  const Status read = f.status();  // field_errors() refers into it
  for (const auto& fe : read.field_errors()) {
    errors.AddFieldError(std::string(field_prefix) + fe.field, fe.message);
  }
  return errors;
}

Status ReadSyncOptionsMember(const json::Value& value, imports::ImportOptions& options) {
  if (value.is_null()) {
    options = DefaultSyncOptions();
    return Status::Ok();
  }
  if (!value.is_object()) {
    return ValidationFailed("validation failed")
        .AddFieldError("sync_options",
                       "must be an object {dedupe, update_mode, dnc, tags, owner_id}, or null");
  }
  api::FieldReader members(value);
  members.RejectUnknown({"dedupe", "update_mode", "dnc", "tags", "owner_id"});
  Status errors = ReadSyncOptions(value, "sync_options.", options);
  if (members.ok()) return errors;
  if (errors.ok()) errors = ValidationFailed("validation failed");
  const Status unknown = members.status();
  for (const auto& fe : unknown.field_errors()) {
    errors.AddFieldError("sync_options." + fe.field, fe.message);
  }
  return errors;
}

void WriteSyncOptions(json::Writer& w, const imports::ImportOptions& o) {
  w.BeginObject()
      .Field("dedupe", imports::DedupePolicyName(o.dedupe))
      .Field("update_mode", imports::UpdateModeName(o.update_mode))
      .Field("dnc", imports::DncPolicyName(o.dnc))
      .Key("tags")
      .BeginArray();
  for (const auto& t : o.tags) w.String(t);
  w.EndArray().Key("owner_id");
  if (o.owner_id) {
    w.String(*o.owner_id);
  } else {
    w.Null();
  }
  w.EndObject();
}

std::string SyncOptionsJson(const imports::ImportOptions& options) {
  json::Writer w;
  WriteSyncOptions(w, options);
  return w.Take();
}

imports::ImportOptions SyncOptionsFromJson(std::string_view stored) {
  imports::ImportOptions options = DefaultSyncOptions();
  auto v = json::Parse(stored);
  if (!v.ok() || !v->is_object() || !ReadSyncOptions(*v, "", options).ok()) {
    return DefaultSyncOptions();
  }
  return options;
}

}  // namespace leadline::connectors
