#include "imports/import_options.h"

#include <vector>

#include "imports/column_mapping.h"
#include "leads/lead_validation.h"

namespace leadline::imports {

const char* JobStatusName(JobStatus s) {
  switch (s) {
    case JobStatus::kQueued:
      return "queued";
    case JobStatus::kRunning:
      return "running";
    case JobStatus::kCompleted:
      return "completed";
    case JobStatus::kFailed:
      return "failed";
    case JobStatus::kCancelled:
      return "cancelled";
  }
  return "failed";
}

std::optional<JobStatus> ParseJobStatus(std::string_view s) {
  for (JobStatus st : {JobStatus::kQueued, JobStatus::kRunning, JobStatus::kCompleted,
                       JobStatus::kFailed, JobStatus::kCancelled}) {
    if (s == JobStatusName(st)) return st;
  }
  return std::nullopt;
}

const char* DedupePolicyName(DedupePolicy p) {
  switch (p) {
    case DedupePolicy::kSkip:
      return "skip";
    case DedupePolicy::kUpdate:
      return "update";
    case DedupePolicy::kCreate:
      return "create";
  }
  return "skip";
}

const char* UpdateModeName(UpdateMode m) {
  return m == UpdateMode::kOverwrite ? "overwrite" : "fill";
}

const char* DncPolicyName(DncPolicy p) { return p == DncPolicy::kSkip ? "skip" : "flag"; }

namespace {

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find_first_of(",;", start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view item = s.substr(start, end - start);
    if (!item.empty()) out.emplace_back(item);
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string TruncateUtf8(std::string s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  s.resize(end);
  return s;
}

Result<ImportOptions> ParseImportOptions(
    const std::function<std::optional<std::string>(std::string_view name)>& raw_get) {
  ImportOptions o;
  Status errors(StatusCode::kValidationFailed, "invalid import options");
  auto get = [&](std::string_view name) -> std::optional<std::string> {
    std::optional<std::string> v = raw_get(name);
    if (v && !IsText(*v)) {
      errors.AddFieldError(std::string(name), "must be UTF-8 text without NUL characters");
      return std::nullopt;
    }
    return v;
  };
  if (auto v = get("dedupe")) {
    if (*v == "skip") {
      o.dedupe = DedupePolicy::kSkip;
    } else if (*v == "update") {
      o.dedupe = DedupePolicy::kUpdate;
    } else if (*v == "create") {
      o.dedupe = DedupePolicy::kCreate;
    } else {
      errors.AddFieldError("dedupe", "must be skip, update or create");
    }
  }
  if (auto v = get("update_mode")) {
    if (*v == "fill") {
      o.update_mode = UpdateMode::kFill;
    } else if (*v == "overwrite") {
      o.update_mode = UpdateMode::kOverwrite;
    } else {
      errors.AddFieldError("update_mode", "must be fill or overwrite");
    }
  }
  if (auto v = get("dnc")) {
    if (*v == "flag") {
      o.dnc = DncPolicy::kFlag;
    } else if (*v == "skip") {
      o.dnc = DncPolicy::kSkip;
    } else {
      errors.AddFieldError("dnc", "must be flag or skip");
    }
  }
  if (auto v = get("source"); v && !v->empty()) {
    if (v->size() > leads::kMaxSourceChars) {
      errors.AddFieldError("source", "at most 100 characters");
    } else {
      o.source = *v;
    }
  }
  if (auto v = get("tags"); v && !v->empty()) {
    auto tags = leads::NormalizeTags(SplitList(*v), "tags");
    if (tags.ok()) {
      o.tags = std::move(*tags);
    } else {
      for (const auto& fe : tags.status().field_errors())
        errors.AddFieldError(fe.field, fe.message);
    }
  }
  if (auto v = get("owner_id"); v && !v->empty()) o.owner_id = *v;
  if (auto v = get("mapping"); v && !v->empty()) {
    auto parsed = json::Parse(*v);
    if (!parsed.ok() || !parsed->is_object()) {
      errors.AddFieldError("mapping", "must be a JSON object of column header -> field");
    } else {
      for (const auto& [header, field] : parsed->members()) {
        if (!field.is_null() && !(field.is_string() && (field.as_string().empty() ||
                                                        IsValidTarget(field.as_string())))) {
          errors.AddFieldError("mapping." + header, "unknown field");
        }
      }
      o.mapping_json = *v;
    }
  }
  if (auto v = get("unknown_columns")) {
    if (*v == "metadata") {
      o.unknown_to_metadata = true;
    } else if (*v == "ignore") {
      o.unknown_to_metadata = false;
    } else {
      errors.AddFieldError("unknown_columns", "must be metadata or ignore");
    }
  }
  if (auto v = get("delimiter"); v && !v->empty()) {
    if (*v == "tab" || *v == "\t") {
      o.delimiter = '\t';
    } else if (v->size() == 1 && (*v == "," || *v == ";" || *v == "|")) {
      o.delimiter = (*v)[0];
    } else {
      errors.AddFieldError("delimiter", "must be one of , ; | tab");
    }
  }
  if (auto v = get("format"); v && !v->empty()) {
    if (*v == "csv") {
      o.format = FileFormat::kCsv;
    } else if (*v == "xlsx") {
      o.format = FileFormat::kXlsx;
    } else {
      errors.AddFieldError("format", "must be csv or xlsx");
    }
  }
  if (!errors.field_errors().empty()) return errors;
  return o;
}

void WriteImportOptions(json::Writer& w, const ImportOptions& o) {
  w.BeginObject();
  w.Field("dedupe", DedupePolicyName(o.dedupe));
  w.Field("update_mode", UpdateModeName(o.update_mode));
  w.Field("dnc", DncPolicyName(o.dnc));
  w.OptionalField("source", o.source);
  w.Key("tags").BeginArray();
  for (const auto& t : o.tags) w.String(t);
  w.EndArray();
  w.OptionalField("owner_id", o.owner_id);
  w.Key("mapping");
  if (o.mapping_json) {
    w.Raw(*o.mapping_json);
  } else {
    w.Null();
  }
  w.Field("unknown_columns", o.unknown_to_metadata ? "metadata" : "ignore");
  w.Key("delimiter");
  if (o.delimiter) {
    w.String(*o.delimiter == '\t' ? std::string("tab") : std::string(1, *o.delimiter));
  } else {
    w.Null();
  }
  w.Key("format");
  if (o.format) {
    w.String(*o.format == FileFormat::kXlsx ? "xlsx" : "csv");
  } else {
    w.Null();
  }
  w.EndObject();
}

std::string ImportOptionsJson(const ImportOptions& o) {
  json::Writer w;
  WriteImportOptions(w, o);
  return w.Take();
}

Result<ImportOptions> ImportOptionsFromJson(std::string_view text) {
  ASSIGN_OR_RETURN(json::Value v, json::Parse(text));
  if (!v.is_object()) return InvalidArgument("import options are not a JSON object");
  // Tags are an array here; a tag may contain a comma (a sync's tags come as a JSON array), so
  // they are not joined into ParseImportOptions' comma-separated form.
  auto get = [&](std::string_view name) -> std::optional<std::string> {
    const json::Value* f = v.Find(name);
    if (name == "tags" || f == nullptr || f->is_null()) return std::nullopt;
    if (f->is_string()) return f->as_string();
    return json::Serialize(*f);  // mapping
  };
  ASSIGN_OR_RETURN(ImportOptions o, ParseImportOptions(get));
  if (const json::Value* tags = v.Find("tags"); tags != nullptr && tags->is_array()) {
    std::vector<std::string> list;
    for (const auto& item : tags->items()) {
      if (!item.is_string()) return InvalidArgument("import options: tags must be strings");
      list.push_back(item.as_string());
    }
    ASSIGN_OR_RETURN(o.tags, leads::NormalizeTags(list, "tags"));
  }
  return o;
}

}  // namespace leadline::imports
