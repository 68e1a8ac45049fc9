#include "connectors/field_mapping.h"

#include <algorithm>
#include <cctype>

#include "imports/column_mapping.h"

namespace leadline::connectors {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string ProviderIdColumn(Kind kind) {
  return "metadata." + std::string(KindName(kind)) + "_id";
}

bool IsIdentChar(char c, bool first) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         (!first && std::isdigit(static_cast<unsigned char>(c)));
}

bool IsPropertyName(Kind kind, std::string_view p) {
  if (p.empty() || p.size() > 200) return false;
  if (kind == Kind::kHubSpot) {
    return std::all_of(p.begin(), p.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
  }
  // Salesforce: Field, Custom__c, Owner.Name (at most 5 relationship hops, as SOQL allows).
  int dots = 0;
  bool start = true;
  for (char c : p) {
    if (c == '.') {
      if (start) return false;
      ++dots;
      start = true;
      continue;
    }
    if (!IsIdentChar(c, start)) return false;
    start = false;
  }
  return !start && dots <= 5;
}

}  // namespace

const std::vector<MappingEntry>& DefaultMapping(Kind kind) {
  static const std::vector<MappingEntry> kHubSpot = {
      {"firstname", "first_name"},
      {"lastname", "last_name"},
      {"email", "email"},
      {"phone", "phone"},
      {"mobilephone", "phone"},
      {"company", "company"},
      {"jobtitle", "title"},
      {"hs_lead_status", "metadata.hubspot_lead_status"},
      {"lifecyclestage", "metadata.hubspot_lifecycle_stage"},
      {"lastmodifieddate", "metadata.hubspot_updated_at"},
  };
  static const std::vector<MappingEntry> kSalesforce = {
      {"FirstName", "first_name"}, {"LastName", "last_name"},
      {"Email", "email"},          {"Phone", "phone"},
      {"MobilePhone", "phone"},    {"Company", "company"},
      {"Title", "title"},          {"Status", "metadata.salesforce_status"},
      {"LeadSource", "source"},    {"LastModifiedDate", "metadata.salesforce_updated_at"},
  };
  return kind == Kind::kHubSpot ? kHubSpot : kSalesforce;
}

Status ValidateOverrides(Kind kind, const json::Value& overrides) {
  Status errors(StatusCode::kValidationFailed, "invalid field mapping");
  if (!overrides.is_object()) {
    errors.AddFieldError("field_mapping", "must be an object of property -> import target");
    return errors;
  }
  if (overrides.members().size() > kMaxMappingOverrides) {
    errors.AddFieldError("field_mapping", "at most 100 entries");
    return errors;
  }
  const std::string provider_id = ProviderIdColumn(kind);
  std::vector<std::string> seen;
  for (const auto& [property, target] : overrides.members()) {
    std::string field = "field_mapping." + property;
    if (!IsPropertyName(kind, property)) {
      errors.AddFieldError(field, kind == Kind::kHubSpot ? "not a HubSpot property name"
                                                         : "not a Salesforce field name");
      continue;
    }
    std::string key = Lower(property);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      errors.AddFieldError(field, "given twice");
      continue;
    }
    seen.push_back(key);
    if (target.is_null() || (target.is_string() && target.as_string().empty())) continue;
    if (!target.is_string() || !imports::IsValidTarget(target.as_string())) {
      errors.AddFieldError(field,
                           "must be an import target (first_name, email, phone, ..., "
                           "metadata.<key>) or null");
    } else if (target.as_string() == "external_id" || target.as_string() == provider_id) {
      errors.AddFieldError(field, "is filled with the record's id by the connector");
    }
  }
  if (!errors.field_errors().empty()) return errors;
  return Status::Ok();
}

Result<std::vector<MappingEntry>> EffectiveMapping(Kind kind, std::string_view overrides_json) {
  std::vector<MappingEntry> out = DefaultMapping(kind);
  if (overrides_json.empty()) return out;
  ASSIGN_OR_RETURN(json::Value overrides, json::Parse(overrides_json));
  RETURN_IF_ERROR(ValidateOverrides(kind, overrides));
  for (const auto& [property, target] : overrides.members()) {
    std::string t = target.is_string() ? target.as_string() : "";
    auto it = std::find_if(out.begin(), out.end(), [&](const MappingEntry& e) {
      return Lower(e.property) == Lower(property);
    });
    if (it != out.end()) {
      if (t.empty()) {
        out.erase(it);
      } else {
        it->target = t;
      }
    } else if (!t.empty()) {
      out.push_back({property, t});
    }
  }
  return out;
}

RecordLayout::RecordLayout(Kind kind, std::vector<MappingEntry> mapping)
    : kind_(kind), mapping_(std::move(mapping)) {
  for (const MappingEntry& e : mapping_) {
    auto it = std::find(header_.begin(), header_.end(), e.target);
    if (it == header_.end()) {
      header_.push_back(e.target);
      sources_.push_back({e.property});
    } else {
      sources_[it - header_.begin()].push_back(e.property);
    }
  }
  auto column = [this](const std::string& name) {
    auto it = std::find(header_.begin(), header_.end(), name);
    if (it != header_.end()) return static_cast<int>(it - header_.begin());
    header_.push_back(name);
    sources_.emplace_back();
    return static_cast<int>(header_.size() - 1);
  };
  source_column_ = column("source");
  external_id_column_ = column("external_id");
  provider_id_column_ = column(ProviderIdColumn(kind_));
}

std::vector<std::string> RecordLayout::Properties() const {
  std::vector<std::string> out;
  std::vector<std::string> lowered;
  for (const MappingEntry& e : mapping_) {
    std::string key = Lower(e.property);
    if (std::find(lowered.begin(), lowered.end(), key) != lowered.end()) continue;
    lowered.push_back(key);
    out.push_back(e.property);
  }
  return out;
}

std::vector<std::string> RecordLayout::Row(const CrmRecord& record) const {
  std::vector<std::string> row(header_.size());
  for (size_t i = 0; i < header_.size(); ++i) {
    for (const std::string& property : sources_[i]) {
      const std::string* v = record.Find(property);
      if (v != nullptr && !v->empty()) {
        row[i] = *v;
        break;
      }
    }
  }
  if (row[source_column_].empty()) row[source_column_] = std::string(KindName(kind_));
  row[external_id_column_] = record.id;
  row[provider_id_column_] = record.id;
  return row;
}

}  // namespace leadline::connectors
