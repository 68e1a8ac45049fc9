// Identity: organizations, users, passwords (argon2id), session tokens and API keys.
// Tokens are random; only their SHA-256 is stored. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/principal.h"
#include "core/status.h"
#include "db/pool.h"

namespace leadline::auth {

struct User {
  std::string id;
  std::string organization_id;
  std::string email;
  std::string name;
  std::string role;
  bool is_active = true;
  std::string created_at;
  std::optional<std::string> last_login_at;
};

struct Organization {
  std::string id;
  std::string name;
  std::string default_region;
  std::string currency;
  std::string timezone;
  std::string created_at;
};

struct LoginResult {
  std::string token;
  std::string expires_at;
  User user;
};

struct NewOrganization {
  std::string organization_id;
  std::string user_id;
  std::string api_key;
};

struct NewApiKey {
  std::string id;
  std::string api_key;
  std::string key_prefix;
  std::string name;
  std::string created_at;
};

struct AuthOptions {
  std::chrono::seconds session_ttl{12 * 3600};
  // Authenticated tokens are remembered this long to save a query per request. A revoked
  // session or key may therefore keep working for up to this long.
  std::chrono::seconds cache_ttl{10};
  int max_failed_logins_per_minute = 10;  // per email; then 429
};

class AuthService {
 public:
  AuthService(db::Pool& pool, AuthOptions options = {}) : pool_(pool), options_(options) {}

  // Email + password -> a new session token. Wrong email or password -> kUnauthenticated
  // (same message for both); too many failures -> kRateLimited.
  Result<LoginResult> Login(std::string_view email, std::string_view password,
                            std::optional<std::string> organization_id, std::string_view client_ip,
                            std::string_view user_agent);
  // Revokes the session behind `token` (no-op for API keys).
  Status Logout(const Principal& p, std::string_view token);
  // Bearer token (session or API key) -> principal; kUnauthenticated when unknown, expired
  // or revoked.
  Result<Principal> Authenticate(std::string_view token);

  Result<User> CreateUser(const Principal& actor, std::string_view email, std::string_view password,
                          std::string_view role, std::optional<std::string> name);
  Result<std::vector<User>> ListUsers(const Principal& actor);
  Result<User> GetUser(const Principal& actor, std::string_view user_id);
  Result<Organization> GetOrganization(const Principal& actor);
  Result<NewApiKey> CreateApiKey(const Principal& actor, std::string_view name);

  // Creates an organization with its first admin and an API key for that admin. Used by
  // `leadline org create` and the demo seeder; runs on whatever pool it is given.
  Result<NewOrganization> CreateOrganization(std::string_view name, std::string_view admin_email,
                                             std::optional<std::string> admin_password);

 private:
  Result<User> InsertUser(db::Transaction& tx, std::string_view email, std::string_view password,
                          std::string_view role, std::optional<std::string> name);
  Result<NewApiKey> InsertApiKey(db::Transaction& tx, std::string_view user_id,
                                 std::string_view name);
  bool TooManyFailures(const std::string& email);
  void RecordFailure(const std::string& email);

  db::Pool& pool_;
  AuthOptions options_;

  struct CachedPrincipal {
    Principal principal;
    std::chrono::steady_clock::time_point until;
  };
  std::mutex mu_;
  std::unordered_map<std::string, CachedPrincipal> cache_;  // GUARDED_BY(mu_), key: token hash
  std::unordered_map<std::string, std::vector<std::chrono::steady_clock::time_point>>
      failures_;  // GUARDED_BY(mu_), key: email
};

// Validates a password's strength rule (8..200 characters); kValidationFailed otherwise.
Status CheckPasswordRule(std::string_view password);

}  // namespace leadline::auth
