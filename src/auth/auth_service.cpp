#include "auth/auth_service.h"

#include <algorithm>

#include "core/crypto.h"
#include "core/utf8.h"
#include "core/uuid.h"
#include "phone/phone.h"

namespace leadline::auth {
namespace {

using db::Params;
using db::Query;
using db::Rows;

constexpr char kSessionPrefix[] = "lls_";
constexpr char kApiKeyPrefix[] = "llk_";

constexpr Query kFindUsersByEmail{"auth_find_users_by_email",
                                  "SELECT organization_id, user_id, password_hash, role, is_active "
                                  "FROM auth_find_users_by_email($1)"};
constexpr Query kFindSession{"auth_find_session",
                             "SELECT organization_id, user_id, role FROM auth_find_session($1)"};
constexpr Query kFindApiKey{"auth_find_api_key",
                            "SELECT organization_id, user_id, role, api_key_id "
                            "FROM auth_find_api_key($1)"};
constexpr Query kInsertSession{
    "auth_insert_session",
    "INSERT INTO sessions (organization_id, user_id, token_hash, expires_at, client_ip, "
    "user_agent) VALUES (app_current_org(), $1, decode($2, 'hex'), now() + make_interval(secs => "
    "$3::int), NULLIF($4, ''), NULLIF($5, '')) RETURNING app_rfc3339(expires_at)"};
constexpr Query kTouchLogin{"auth_touch_login",
                            "UPDATE users SET last_login_at = now() WHERE id = $1"};
constexpr Query kRevokeSession{
    "auth_revoke_session",
    "UPDATE sessions SET revoked_at = now() WHERE token_hash = decode($1, 'hex') "
    "AND revoked_at IS NULL"};

#define LEADLINE_USER_COLUMNS                                         \
  "id, organization_id, email, coalesce(name, ''), role, is_active, " \
  "app_rfc3339(created_at), app_rfc3339(last_login_at)"

constexpr Query kInsertUser{
    "auth_insert_user",
    "INSERT INTO users (organization_id, email, password_hash, role, name) "
    "VALUES (app_current_org(), $1, $2, $3, $4) RETURNING " LEADLINE_USER_COLUMNS};
constexpr Query kListUsers{"auth_list_users",
                           "SELECT " LEADLINE_USER_COLUMNS " FROM users ORDER BY created_at, id"};
constexpr Query kGetUser{"auth_get_user",
                         "SELECT " LEADLINE_USER_COLUMNS " FROM users WHERE id = $1"};
constexpr Query kGetOrganization{
    "auth_get_org",
    "SELECT id, name, default_region, currency, timezone, app_rfc3339(created_at) "
    "FROM organizations WHERE id = app_current_org()"};
constexpr Query kInsertApiKey{
    "auth_insert_api_key",
    "INSERT INTO api_keys (organization_id, user_id, name, key_prefix, key_hash) "
    "VALUES (app_current_org(), $1, $2, $3, decode($4, 'hex')) "
    "RETURNING id, app_rfc3339(created_at)"};
constexpr Query kNewUuid{"auth_new_uuid", "SELECT gen_random_uuid()"};
constexpr Query kInsertOrganization{"auth_insert_org",
                                    "INSERT INTO organizations (id, name) VALUES ($1, $2)"};

User UserFromRow(const Rows& r, int i) {
  User u;
  u.id = r.Get(i, 0);
  u.organization_id = r.Get(i, 1);
  u.email = r.Get(i, 2);
  u.name = r.Get(i, 3);
  u.role = r.Get(i, 4);
  u.is_active = r.GetBool(i, 5);
  u.created_at = r.Get(i, 6);
  u.last_login_at = r.GetOptional(i, 7);
  return u;
}

std::string HashHex(std::string_view token) { return crypto::Sha256Hex(token); }

// A real argon2id hash of a random password: verifying against it costs what a real check
// costs, so unknown emails take as long as wrong passwords.
const std::string& DummyHash() {
  static const std::string hash = crypto::HashPassword(crypto::RandomToken(16)).value();
  return hash;
}

}  // namespace

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kAdmin:
      return "admin";
    case Role::kManager:
      return "manager";
    case Role::kAgent:
      return "agent";
  }
  return "agent";
}

std::optional<Role> ParseRole(std::string_view s) {
  if (s == "admin") return Role::kAdmin;
  if (s == "manager") return Role::kManager;
  if (s == "agent") return Role::kAgent;
  return std::nullopt;
}

Status CheckPasswordRule(std::string_view password) {
  const size_t length = Utf8Length(password);
  if (length < 8 || length > 200) {
    return ValidationFailed("invalid password")
        .AddFieldError("password", "must be 8 to 200 characters");
  }
  return Status::Ok();
}

bool AuthService::TooManyFailures(const std::string& email) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(email);
  if (it == failures_.end()) return false;
  auto cutoff = std::chrono::steady_clock::now() - std::chrono::minutes(1);
  auto& v = it->second;
  v.erase(std::remove_if(v.begin(), v.end(), [&](auto t) { return t < cutoff; }), v.end());
  return static_cast<int>(v.size()) >= options_.max_failed_logins_per_minute;
}

void AuthService::RecordFailure(const std::string& email) {
  std::lock_guard lock(mu_);
  if (failures_.size() > 100000) failures_.clear();  // bound memory under a spray attack
  failures_[email].push_back(std::chrono::steady_clock::now());
}

Result<LoginResult> AuthService::Login(std::string_view email_in, std::string_view password,
                                       std::optional<std::string> organization_id,
                                       std::string_view client_ip, std::string_view user_agent) {
  const Status bad_credentials = Unauthenticated("wrong email or password");
  auto email = phone::NormalizeEmail(email_in);
  if (!email.ok()) {
    (void)crypto::VerifyPassword(password, DummyHash());
    return bad_credentials;
  }
  if (TooManyFailures(*email)) {
    return Status(StatusCode::kRateLimited, "too many failed logins; try again in a minute");
  }
  db::TenantContext anonymous;
  ASSIGN_OR_RETURN(auto tx, db::Transaction::Begin(pool_, anonymous));
  ASSIGN_OR_RETURN(Rows rows, tx.Exec(kFindUsersByEmail, Params().Add(*email)));
  std::optional<int> match;
  for (int i = 0; i < rows.size(); ++i) {
    if (organization_id && rows.Get(i, 0) != *organization_id) continue;
    if (!rows.GetBool(i, 4)) continue;
    if (crypto::VerifyPassword(password, rows.Get(i, 2))) {
      match = i;
      break;
    }
  }
  if (rows.empty()) (void)crypto::VerifyPassword(password, DummyHash());
  if (!match) {
    RecordFailure(*email);
    return bad_credentials;
  }
  std::string org(rows.Get(*match, 0));
  std::string user_id(rows.Get(*match, 1));
  RETURN_IF_ERROR(tx.Commit());

  db::TenantContext ctx{org, user_id, std::string(client_ip), std::string(user_agent), "api"};
  LoginResult result;
  Status st = db::RunInTransaction(pool_, ctx, [&](db::Transaction& t) -> Status {
    result.token = kSessionPrefix + crypto::RandomToken(32);
    ASSIGN_OR_RETURN(
        Rows s, t.Exec(kInsertSession, Params()
                                           .Add(user_id)
                                           .Add(HashHex(result.token))
                                           .Add(static_cast<int64_t>(options_.session_ttl.count()))
                                           .Add(client_ip)
                                           .Add(user_agent)));
    result.expires_at = s.Get(0, 0);
    RETURN_IF_ERROR(t.Exec(kTouchLogin, Params().Add(user_id)).status());
    ASSIGN_OR_RETURN(Rows u, t.Exec(kGetUser, Params().Add(user_id)));
    if (u.empty()) return Internal("user vanished during login");
    result.user = UserFromRow(u, 0);
    return Status::Ok();
  });
  RETURN_IF_ERROR(st);
  return result;
}

Status AuthService::Logout(const Principal& p, std::string_view token) {
  if (!token.starts_with(kSessionPrefix)) return Status::Ok();
  std::string hash = HashHex(token);
  {
    std::lock_guard lock(mu_);
    cache_.erase(hash);
  }
  return db::RunInTransaction(pool_, p.Tenant(), [&](db::Transaction& t) {
    return t.Exec(kRevokeSession, Params().Add(hash)).status();
  });
}

Result<Principal> AuthService::Authenticate(std::string_view token) {
  const Status invalid = Unauthenticated("invalid or expired token");
  bool is_session = token.starts_with(kSessionPrefix);
  if (!is_session && !token.starts_with(kApiKeyPrefix)) return invalid;
  std::string hash = HashHex(token);
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(hash);
    if (it != cache_.end() && it->second.until > now) return it->second.principal;
  }
  ASSIGN_OR_RETURN(auto tx, db::Transaction::Begin(pool_, db::TenantContext{}));
  ASSIGN_OR_RETURN(Rows rows,
                   tx.Exec(is_session ? kFindSession : kFindApiKey, Params().Add("\\x" + hash)));
  RETURN_IF_ERROR(tx.Commit());
  if (rows.empty()) return invalid;
  Principal p;
  p.organization_id = rows.Get(0, 0);
  p.user_id = rows.Get(0, 1);
  p.role = ParseRole(rows.Get(0, 2)).value_or(Role::kAgent);
  if (!is_session) p.api_key_id = rows.Get(0, 3);
  {
    std::lock_guard lock(mu_);
    if (cache_.size() > 100000) cache_.clear();
    cache_[hash] = {p, now + options_.cache_ttl};
  }
  return p;
}

Result<User> AuthService::InsertUser(db::Transaction& tx, std::string_view email_in,
                                     std::string_view password, std::string_view role,
                                     std::optional<std::string> name) {
  Status invalid = ValidationFailed("invalid user");
  auto email = phone::NormalizeEmail(email_in);
  if (!email.ok()) invalid.AddFieldError("email", email.status().message());
  if (Status pw = CheckPasswordRule(password); !pw.ok()) {
    invalid.AddFieldError("password", pw.field_errors().front().message);
  }
  if (!ParseRole(role)) invalid.AddFieldError("role", "must be one of admin, manager, agent");
  if (name && Utf8Length(*name) > 200) invalid.AddFieldError("name", "at most 200 characters");
  if (!invalid.field_errors().empty()) return invalid;
  ASSIGN_OR_RETURN(std::string hash, crypto::HashPassword(password));
  auto rows = tx.Exec(kInsertUser, Params().Add(*email).Add(hash).Add(role).Add(name));
  if (!rows.ok()) {
    if (rows.status().code() == StatusCode::kAlreadyExists) {
      return AlreadyExists("a user with this email already exists");
    }
    return rows.status();
  }
  return UserFromRow(*rows, 0);
}

Result<User> AuthService::CreateUser(const Principal& actor, std::string_view email,
                                     std::string_view password, std::string_view role,
                                     std::optional<std::string> name) {
  if (!actor.AtLeast(Role::kAdmin)) return PermissionDenied("only admins can create users");
  User user;
  RETURN_IF_ERROR(db::RunInTransaction(pool_, actor.Tenant(), [&](db::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(user, InsertUser(tx, email, password, role, name));
    return Status::Ok();
  }));
  return user;
}

Result<std::vector<User>> AuthService::ListUsers(const Principal& actor) {
  std::vector<User> users;
  RETURN_IF_ERROR(db::RunInTransaction(pool_, actor.Tenant(), [&](db::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(Rows rows, tx.Exec(kListUsers));
    users.clear();
    for (int i = 0; i < rows.size(); ++i) users.push_back(UserFromRow(rows, i));
    return Status::Ok();
  }));
  return users;
}

Result<User> AuthService::GetUser(const Principal& actor, std::string_view user_id) {
  if (!IsUuid(user_id)) return NotFound("user not found");
  std::optional<User> user;
  RETURN_IF_ERROR(db::RunInTransaction(pool_, actor.Tenant(), [&](db::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(Rows rows, tx.Exec(kGetUser, Params().Add(CanonicalUuid(user_id))));
    if (!rows.empty()) user = UserFromRow(rows, 0);
    return Status::Ok();
  }));
  if (!user) return NotFound("user not found");
  return *user;
}

Result<Organization> AuthService::GetOrganization(const Principal& actor) {
  std::optional<Organization> org;
  RETURN_IF_ERROR(db::RunInTransaction(pool_, actor.Tenant(), [&](db::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(Rows r, tx.Exec(kGetOrganization));
    if (!r.empty()) {
      org = Organization{std::string(r.Get(0, 0)), std::string(r.Get(0, 1)),
                         std::string(r.Get(0, 2)), std::string(r.Get(0, 3)),
                         std::string(r.Get(0, 4)), std::string(r.Get(0, 5))};
    }
    return Status::Ok();
  }));
  if (!org) return NotFound("organization not found");
  return *org;
}

Result<NewApiKey> AuthService::InsertApiKey(db::Transaction& tx, std::string_view user_id,
                                            std::string_view name) {
  NewApiKey key;
  key.api_key = kApiKeyPrefix + crypto::RandomToken(32);
  key.key_prefix = key.api_key.substr(0, 12);
  key.name = name;
  ASSIGN_OR_RETURN(
      Rows rows,
      tx.Exec(kInsertApiKey,
              Params().Add(user_id).Add(name).Add(key.key_prefix).Add(HashHex(key.api_key))));
  key.id = rows.Get(0, 0);
  key.created_at = rows.Get(0, 1);
  return key;
}

Result<NewApiKey> AuthService::CreateApiKey(const Principal& actor, std::string_view name) {
  if (Utf8Length(name) > 200) {
    return ValidationFailed("invalid API key").AddFieldError("name", "at most 200 characters");
  }
  NewApiKey key;
  RETURN_IF_ERROR(db::RunInTransaction(pool_, actor.Tenant(), [&](db::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(key, InsertApiKey(tx, actor.user_id, name.empty() ? "api key" : name));
    return Status::Ok();
  }));
  return key;
}

Result<NewOrganization> AuthService::CreateOrganization(std::string_view name,
                                                        std::string_view admin_email,
                                                        std::optional<std::string> admin_password) {
  if (name.empty() || Utf8Length(name) > 200) {
    return ValidationFailed("invalid organization").AddFieldError("name", "1 to 200 characters");
  }
  // Without a password the admin signs in with the API key until one is set.
  std::string password = admin_password.value_or(crypto::RandomToken(24));
  NewOrganization out;
  auto tx = db::Transaction::Begin(pool_, db::TenantContext{});
  if (!tx.ok()) return tx.status();
  ASSIGN_OR_RETURN(Rows id, tx->Exec(kNewUuid));
  out.organization_id = id.Get(0, 0);
  RETURN_IF_ERROR(tx->SetLocal("app.organization_id", out.organization_id));
  RETURN_IF_ERROR(
      tx->Exec(kInsertOrganization, Params().Add(out.organization_id).Add(name)).status());
  ASSIGN_OR_RETURN(User admin, InsertUser(*tx, admin_email, password, "admin", std::nullopt));
  out.user_id = admin.id;
  RETURN_IF_ERROR(tx->SetLocal("app.user_id", out.user_id));
  ASSIGN_OR_RETURN(NewApiKey key, InsertApiKey(*tx, out.user_id, "initial admin key"));
  out.api_key = key.api_key;
  RETURN_IF_ERROR(tx->Commit());
  return out;
}

}  // namespace leadline::auth
