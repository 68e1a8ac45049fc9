// Who is calling: the authenticated user, their organization and role.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "db/transaction.h"

namespace leadline::auth {

enum class Role { kAgent = 0, kManager = 1, kAdmin = 2 };  // ordered by privilege

std::string_view RoleName(Role r);
std::optional<Role> ParseRole(std::string_view s);

struct Principal {
  std::string organization_id;
  std::string user_id;
  Role role = Role::kAgent;
  std::string api_key_id{};  // set when authenticated by API key
  std::string client_ip{};
  std::string user_agent{};

  bool AtLeast(Role r) const { return static_cast<int>(role) >= static_cast<int>(r); }
  // Agents see and act on the leads assigned to them and the unassigned ones; managers and
  // admins on all of the organization's. The agent's id when that limit applies.
  std::optional<std::string> LeadsAgent() const {
    if (role == Role::kAgent) return user_id;
    return std::nullopt;
  }
  // The tenant settings for a transaction acting as this principal.
  db::TenantContext Tenant(std::string change_source = "api") const {
    return {organization_id, user_id, client_ip, user_agent, std::move(change_source)};
  }
};

}  // namespace leadline::auth
