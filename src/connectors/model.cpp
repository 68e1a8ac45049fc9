#include "connectors/model.h"

#include <algorithm>
#include <cctype>

namespace leadline::connectors {

std::string_view KindName(Kind k) { return k == Kind::kHubSpot ? "hubspot" : "salesforce"; }

std::optional<Kind> ParseKind(std::string_view s) {
  if (s == "hubspot") return Kind::kHubSpot;
  if (s == "salesforce") return Kind::kSalesforce;
  return std::nullopt;
}

std::string_view ProviderName(Kind k) { return k == Kind::kHubSpot ? "HubSpot" : "Salesforce"; }

std::optional<std::string_view> DefaultBaseUrl(Kind k) {
  if (k == Kind::kHubSpot) return "https://api.hubapi.com";
  return std::nullopt;
}

const std::string* CrmRecord::Find(std::string_view property) const {
  std::string key(property);
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto it = values.find(key);
  return it == values.end() ? nullptr : &it->second;
}

}  // namespace leadline::connectors
