// JSON and CSV forms of leads and their history records.
#include "leads/lead.h"

#include "core/csv.h"

namespace leadline::leads {

bool IsStatus(std::string_view s) {
  for (auto status : kStatuses) {
    if (status == s) return true;
  }
  return false;
}

std::vector<std::string> Lead::Tags() const {
  std::vector<std::string> out;
  auto parsed = json::Parse(tags_json);
  if (!parsed.ok() || !parsed->is_array()) return out;
  for (const auto& item : parsed->items()) {
    if (item.is_string()) out.push_back(item.as_string());
  }
  return out;
}

void WriteLead(json::Writer& w, const Lead& l) {
  w.BeginObject()
      .Field("id", l.id)
      .OptionalField("first_name", l.first_name)
      .OptionalField("last_name", l.last_name)
      .OptionalField("email", l.email)
      .OptionalField("phone", l.phone)
      .Field("status", l.status)
      .OptionalField("source", l.source)
      .Key("tags")
      .Raw(l.tags_json)
      .Key("lead_score")
      .Int(l.lead_score)
      .OptionalField("assigned_to", l.assigned_to)
      .OptionalField("timezone", l.timezone)
      .OptionalField("company", l.company)
      .OptionalField("title", l.title)
      .Key("metadata")
      .Raw(l.metadata_json)
      .Field("status_changed_at", l.status_changed_at)
      .OptionalField("last_contacted_at", l.last_contacted_at)
      .Field("created_at", l.created_at)
      .Field("updated_at", l.updated_at)
      .Key("version")
      .Int(l.version);
  if (l.deleted_at) w.Field("deleted_at", *l.deleted_at);
  if (l.merged_into) w.Field("merged_into", *l.merged_into);
  w.EndObject();
}

std::string LeadJson(const Lead& lead) {
  json::Writer w;
  WriteLead(w, lead);
  return w.Take();
}

std::string LeadETag(int version) { return "\"" + std::to_string(version) + "\""; }

void WriteAuditEntry(json::Writer& w, const AuditEntry& e) {
  w.BeginObject()
      .Field("id", e.id)
      .Field("action", e.action)
      .Key("changes")
      .Raw(e.changes_json)
      .OptionalField("actor_id", e.actor_id)
      .Field("at", e.at)
      .EndObject();
}

void WriteStatusChange(json::Writer& w, const StatusChange& c) {
  w.BeginObject()
      .Field("id", c.id)
      .OptionalField("from", c.from)
      .Field("to", c.to)
      .Field("at", c.at)
      .Field("triggered_by", c.triggered_by)
      .OptionalField("changed_by", c.changed_by)
      .Key("time_in_previous_status");
  // The database renders the interval's seconds as a plain decimal, which is valid JSON.
  if (c.time_in_previous_status) {
    w.Raw(*c.time_in_previous_status);
  } else {
    w.Null();
  }
  w.EndObject();
}

void WriteTimelineEvent(json::Writer& w, const TimelineEvent& e) {
  w.BeginObject()
      .Field("id", e.id)
      .Field("type", e.type)
      .Field("at", e.at)
      .OptionalField("actor_id", e.actor_id)
      .Key("data")
      .Raw(e.data_json)
      .EndObject();
}

void AppendCsvTextField(std::string& out, std::string_view value) {
  if (value.empty()) return;
  switch (value.front()) {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r': {
      std::string guarded;
      guarded.reserve(value.size() + 1);
      guarded.push_back('\'');
      guarded.append(value);
      AppendCsvField(out, guarded);
      return;
    }
    default:
      AppendCsvField(out, value);
  }
}

void AppendCsvPhoneField(std::string& out, std::string_view e164) {
  bool is_e164 = e164.size() >= 2 && e164.front() == '+';
  for (size_t i = 1; is_e164 && i < e164.size(); ++i) {
    is_e164 = e164[i] >= '0' && e164[i] <= '9';
  }
  if (!is_e164) {
    AppendCsvTextField(out, e164);
    return;
  }
  out.append("tel:");
  out.append(e164);
}

namespace {

// Every free-text column goes through the formula rule; ids, statuses, numbers and
// timestamps are written by the server and cannot start with a formula character.
void AppendOptional(std::string& out, const std::optional<std::string>& v) {
  if (v) AppendCsvTextField(out, *v);
  out.push_back(',');
}

}  // namespace

void AppendCsvHeader(std::string& out) {
  out.append(
      "id,first_name,last_name,email,phone,status,source,tags,lead_score,assigned_to,timezone,"
      "company,title,metadata,created_at,updated_at,version\r\n");
}

void AppendCsvRow(std::string& out, const Lead& l) {
  AppendCsvField(out, l.id);
  out.push_back(',');
  AppendOptional(out, l.first_name);
  AppendOptional(out, l.last_name);
  AppendOptional(out, l.email);
  if (l.phone) AppendCsvPhoneField(out, *l.phone);
  out.push_back(',');
  AppendCsvField(out, l.status);
  out.push_back(',');
  AppendOptional(out, l.source);
  AppendCsvTextField(out, l.tags_json);
  out.push_back(',');
  out.append(std::to_string(l.lead_score));
  out.push_back(',');
  AppendOptional(out, l.assigned_to);
  AppendOptional(out, l.timezone);
  AppendOptional(out, l.company);
  AppendOptional(out, l.title);
  AppendCsvTextField(out, l.metadata_json);
  out.push_back(',');
  AppendCsvField(out, l.created_at);
  out.push_back(',');
  AppendCsvField(out, l.updated_at);
  out.push_back(',');
  out.append(std::to_string(l.version));
  out.append("\r\n");
}

}  // namespace leadline::leads
