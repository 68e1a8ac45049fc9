#include "connectors/connector_service.h"

#include <spdlog/spdlog.h>

#include <cctype>

#include "connectors/connector_repository.h"
#include "connectors/outbound_http.h"
#include "connectors/sync_options.h"
#include "core/crypto.h"
#include "core/uuid.h"
#include "db/transaction.h"
#include "leads/lead_repository.h"

namespace leadline::connectors {
namespace {

using auth::Role;

Status RequireRole(const auth::Principal& p, Role role) {
  if (p.AtLeast(role)) return Status::Ok();
  return PermissionDenied(role == Role::kAdmin ? "only admins manage connectors"
                                               : "managers and admins may read connectors");
}

size_t Utf8Chars(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

void CheckName(const std::string& name, Status& errors) {
  if (name.empty()) {
    errors.AddFieldError("name", "is required");
  } else if (Utf8Chars(name) > kMaxNameChars) {
    errors.AddFieldError("name", "at most 200 characters");
  } else {
    for (unsigned char c : name) {
      if (c < 0x20 || c == 0x7f) {
        errors.AddFieldError("name", "must not contain control characters");
        break;
      }
    }
  }
}

// A schedule is a whole number of minutes: at least a quarter of an hour (CRMs limit API
// calls per day), at most a week; nullopt is no schedule.
void CheckSchedule(const std::optional<int64_t>& minutes, Status& errors) {
  if (minutes && (*minutes < kMinSyncEveryMinutes || *minutes > kMaxSyncEveryMinutes)) {
    errors.AddFieldError("sync_every_minutes",
                         "must be between 15 and 10080 minutes (a week), or null");
  }
}

// Tokens travel in an HTTP header: printable ASCII only, so nothing can be smuggled into the
// request (a CR or LF would start a new header).
void CheckSecret(const std::string& field, const std::string& value, Status& errors) {
  if (value.empty()) {
    errors.AddFieldError(field, "is required");
  } else if (value.size() > kMaxTokenBytes) {
    errors.AddFieldError(field, "at most 8192 characters");
  } else {
    for (unsigned char c : value) {
      if (c <= 0x20 || c >= 0x7f) {
        errors.AddFieldError(field, "must be printable ASCII without spaces");
        break;
      }
    }
  }
}

// Sealed credentials in clear: the JSON object and which kind it is.
struct PlainCredentials {
  std::string json;
  std::string kind;  // "token" or "refresh_token"
  ~PlainCredentials() { crypto::Wipe(json); }
};

// Checks the credentials given (a token, or for Salesforce a refresh token with its connected
// app) and returns them as the JSON to seal; nullopt when none were given (an error when
// `required`). Field errors name token, oauth or oauth.<member>.
std::optional<PlainCredentials> CheckCredentials(std::optional<Kind> kind,
                                                 const std::optional<std::string>& token,
                                                 const std::optional<SalesforceRefreshToken>& oauth,
                                                 bool required, Status& errors) {
  if (token && oauth) {
    errors.AddFieldError("oauth", "give either token or oauth, not both");
    return std::nullopt;
  }
  if (oauth && kind && *kind != Kind::kSalesforce) {
    errors.AddFieldError("oauth", "only Salesforce connectors take a refresh token");
    return std::nullopt;
  }
  json::Writer w;
  PlainCredentials out;
  if (token) {
    CheckSecret("token", *token, errors);
    w.BeginObject().Field("token", *token).EndObject();
    out.kind = "token";
  } else if (oauth) {
    CheckSecret("oauth.client_id", oauth->client_id, errors);
    CheckSecret("oauth.client_secret", oauth->client_secret, errors);
    CheckSecret("oauth.refresh_token", oauth->refresh_token, errors);
    w.BeginObject()
        .Key("refresh")
        .BeginObject()
        .Field("client_id", oauth->client_id)
        .Field("client_secret", oauth->client_secret)
        .Field("refresh_token", oauth->refresh_token)
        .EndObject()
        .EndObject();
    out.kind = "refresh_token";
  } else {
    if (required) errors.AddFieldError("token", "is required");
    return std::nullopt;
  }
  out.json = w.Take();
  return out;
}

// A sync's owner is assigned to the leads it imports: it must be an active user of the
// organization. `field` names it in the error.
Status CheckOwner(db::Transaction& tx, const std::optional<std::string>& owner_id,
                  std::string field) {
  if (!owner_id) return Status::Ok();
  ASSIGN_OR_RETURN(bool active, leads::repo::IsActiveUser(tx, *owner_id));
  if (active) return Status::Ok();
  return ValidationFailed("validation failed")
      .AddFieldError(std::move(field), "must be an active user of the organization");
}

Status NameTaken(Status st) {
  if (st.code() == StatusCode::kAlreadyExists && st.constraint() == "crm_connectors_name_key") {
    return Status(StatusCode::kAlreadyExists, "a connector with this name already exists")
        .AddFieldError("name", "already used by another connector");
  }
  return st;
}

std::string EncodeCursor(const Connector& c) { return std::to_string(c.created_us) + "_" + c.id; }

std::optional<std::pair<int64_t, std::string>> DecodeCursor(std::string_view s) {
  size_t sep = s.find('_');
  if (sep == std::string_view::npos || sep == 0 || sep > 19) return std::nullopt;
  int64_t us = 0;
  for (char c : s.substr(0, sep)) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    us = us * 10 + (c - '0');
  }
  std::string_view id = s.substr(sep + 1);
  if (!IsUuid(id)) return std::nullopt;
  return std::make_pair(us, CanonicalUuid(id));
}

}  // namespace

SyncSource::~SyncSource() {
  crypto::Wipe(token);
  if (refresh) {
    crypto::Wipe(refresh->client_secret);
    crypto::Wipe(refresh->refresh_token);
  }
}

std::string ConnectorService::AssociatedData(std::string_view organization_id,
                                             std::string_view connector_id) {
  return "leadline:crm_connectors:v1:" + std::string(organization_id) + ":" +
         std::string(connector_id);
}

std::string ConnectorService::ValidateBaseUrl(Kind kind, const std::optional<std::string>& in,
                                              Status& errors) {
  if (!in) {
    if (auto d = DefaultBaseUrl(kind)) return std::string(*d);
    errors.AddFieldError("base_url", "is required for Salesforce (the org's instance URL)");
    return std::string();
  }
  std::string url = Trim(*in);
  while (!url.empty() && url.back() == '/') url.pop_back();
  bool ok = url.size() <= kMaxBaseUrlBytes && UrlOrigin(url).has_value() &&
            url.find_first_of("?#") == std::string::npos;
  for (unsigned char c : url) ok = ok && c > 0x20 && c < 0x7f;
  if (!ok) errors.AddFieldError("base_url", "must be an http:// or https:// URL without query");
  return url;
}

Result<Connector> ConnectorService::Create(const auth::Principal& p, const NewConnectorInput& in) {
  RETURN_IF_ERROR(RequireRole(p, Role::kAdmin));
  Status errors(StatusCode::kValidationFailed, "validation failed");
  auto kind = ParseKind(in.kind);
  if (!kind) errors.AddFieldError("kind", "must be hubspot or salesforce");
  std::string name = Trim(in.name);
  CheckName(name, errors);
  std::string base_url;
  if (kind) base_url = ValidateBaseUrl(*kind, in.base_url, errors);
  std::optional<PlainCredentials> creds =
      CheckCredentials(kind, in.token, in.oauth, /*required=*/true, errors);
  std::string mapping = "{}";
  if (in.field_mapping && kind) {
    Status st = ValidateOverrides(*kind, *in.field_mapping);
    for (const auto& fe : st.field_errors()) errors.AddFieldError(fe.field, fe.message);
    mapping = json::Serialize(*in.field_mapping);
  }
  CheckSchedule(in.sync_every_minutes, errors);
  if (!errors.field_errors().empty()) return errors;

  auto key = keys_.Get();
  if (!key.ok()) {
    return Internal("connector credentials cannot be sealed: " + key.status().message());
  }
  repo::NewConnector row;
  row.id = NewUuid();
  row.kind = *kind;
  row.name = std::move(name);
  row.base_url = std::move(base_url);
  row.field_mapping_json = std::move(mapping);
  auto sealed =
      crypto::SealSecret(key->bytes, creds->json, AssociatedData(p.organization_id, row.id));
  if (!sealed.ok()) return Internal(sealed.status().message());
  row.credentials_kind = creds->kind;
  row.ciphertext = std::move(sealed->ciphertext);
  row.nonce = std::move(sealed->nonce);
  row.key_id = key->id;
  row.sync_every_minutes = in.sync_every_minutes;
  row.sync_options_json = SyncOptionsJson(in.sync_options);

  std::optional<Connector> out;
  Status st = db::RunInTransaction(pool_, p.Tenant(), [&](db::Transaction& tx) -> Status {
    RETURN_IF_ERROR(CheckOwner(tx, in.sync_options.owner_id, "sync_options.owner_id"));
    ASSIGN_OR_RETURN(Connector c, repo::Insert(tx, row));
    out = std::move(c);
    return Status::Ok();
  });
  if (!st.ok()) return NameTaken(std::move(st));
  return std::move(*out);
}

Result<ConnectorPage> ConnectorService::List(const auth::Principal& p,
                                             const std::optional<std::string>& cursor, int limit) {
  RETURN_IF_ERROR(RequireRole(p, Role::kManager));
  std::optional<std::pair<int64_t, std::string>> after;
  if (cursor) {
    after = DecodeCursor(*cursor);
    if (!after) return InvalidArgument("malformed cursor");
  }
  ASSIGN_OR_RETURN(std::vector<Connector> rows, repo::List(pool_, p.Tenant(), after, limit + 1));
  ConnectorPage page;
  if (static_cast<int>(rows.size()) > limit) {
    rows.resize(limit);
    page.next_cursor = EncodeCursor(rows.back());
  }
  page.items = std::move(rows);
  return page;
}

Result<Connector> ConnectorService::Get(const auth::Principal& p, std::string_view id) {
  RETURN_IF_ERROR(RequireRole(p, Role::kManager));
  if (!IsUuid(id)) return NotFound("no such connector");
  ASSIGN_OR_RETURN(auto c, repo::Get(pool_, p.Tenant(), CanonicalUuid(id)));
  if (!c) return NotFound("no such connector");
  return std::move(*c);
}

Result<Connector> ConnectorService::Update(const auth::Principal& p, std::string_view raw_id,
                                           const ConnectorPatchInput& in) {
  RETURN_IF_ERROR(RequireRole(p, Role::kAdmin));
  if (!IsUuid(raw_id)) return NotFound("no such connector");
  const std::string id = CanonicalUuid(raw_id);
  ASSIGN_OR_RETURN(Connector current, Get(p, id));
  Status errors(StatusCode::kValidationFailed, "validation failed");
  repo::Patch patch;
  if (in.name) {
    patch.name = Trim(*in.name);
    CheckName(*patch.name, errors);
  }
  if (in.base_url_set) {
    patch.base_url = ValidateBaseUrl(current.kind, in.base_url, errors);
  }
  if (in.field_mapping_set) {
    if (!in.field_mapping) {
      patch.field_mapping_json = "{}";
    } else {
      Status st = ValidateOverrides(current.kind, *in.field_mapping);
      for (const auto& fe : st.field_errors()) errors.AddFieldError(fe.field, fe.message);
      patch.field_mapping_json = json::Serialize(*in.field_mapping);
    }
  }
  std::optional<PlainCredentials> creds =
      CheckCredentials(current.kind, in.token, in.oauth, /*required=*/false, errors);
  if (in.sync_every_minutes_set) {
    CheckSchedule(in.sync_every_minutes, errors);
    patch.sync_every_minutes = in.sync_every_minutes;
  }
  // Over the stored options: the members not given stay as they are.
  std::optional<std::string> new_owner;
  if (in.sync_options) {
    imports::ImportOptions options = current.sync_options;
    Status st = ReadSyncOptionsMember(*in.sync_options, options);
    for (const auto& fe : st.field_errors()) errors.AddFieldError(fe.field, fe.message);
    if (options.owner_id != current.sync_options.owner_id) new_owner = options.owner_id;
    patch.sync_options_json = SyncOptionsJson(options);
  }
  if (!errors.field_errors().empty()) return errors;
  if (creds) {
    auto key = keys_.Get();
    if (!key.ok()) {
      return Internal("connector credentials cannot be sealed: " + key.status().message());
    }
    auto sealed =
        crypto::SealSecret(key->bytes, creds->json, AssociatedData(p.organization_id, id));
    if (!sealed.ok()) return Internal(sealed.status().message());
    patch.credentials = repo::Patch::Sealed{std::move(sealed->ciphertext), std::move(sealed->nonce),
                                            key->id, creds->kind};
  }
  std::optional<Connector> out;
  Status st = db::RunInTransaction(pool_, p.Tenant(), [&](db::Transaction& tx) -> Status {
    RETURN_IF_ERROR(CheckOwner(tx, new_owner, "sync_options.owner_id"));
    ASSIGN_OR_RETURN(out, repo::Update(tx, id, patch));
    if (!out) return NotFound("no such connector");
    return Status::Ok();
  });
  if (!st.ok()) return NameTaken(std::move(st));
  return std::move(*out);
}

Status ConnectorService::Delete(const auth::Principal& p, std::string_view raw_id) {
  RETURN_IF_ERROR(RequireRole(p, Role::kAdmin));
  if (!IsUuid(raw_id)) return NotFound("no such connector");
  const std::string id = CanonicalUuid(raw_id);
  return db::RunInTransaction(pool_, p.Tenant(), [&](db::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(bool found, repo::Disable(tx, id));
    if (!found) return NotFound("no such connector");
    return Status::Ok();
  });
}

Result<Connector> ConnectorService::CheckCanSync(const auth::Principal& p,
                                                 std::string_view raw_id) {
  RETURN_IF_ERROR(RequireRole(p, Role::kAdmin));
  ASSIGN_OR_RETURN(Connector c, Get(p, raw_id));
  if (!c.has_credentials) {
    return Conflict("the connector has no credentials; set its token first");
  }
  return c;
}

Status ConnectorService::ReserveSync(db::Transaction& tx, const std::string& id, bool full,
                                     const std::optional<std::string>& owner_id) {
  ASSIGN_OR_RETURN(bool live, repo::LockForSync(tx, id));
  if (!live) return NotFound("no such connector");
  RETURN_IF_ERROR(CheckOwner(tx, owner_id, "owner_id"));
  ASSIGN_OR_RETURN(auto active, repo::ActiveJob(tx, id));
  if (active) {
    return Conflict("a sync of this connector is already queued or running")
        .WithExtraString("existing_job_id", *active);
  }
  if (full) RETURN_IF_ERROR(repo::RequestFullSync(tx, id));
  return Status::Ok();
}

Status ConnectorService::ReserveScheduledSync(db::Transaction& tx, const std::string& id) {
  ASSIGN_OR_RETURN(bool due, repo::LockIfScheduledSyncDue(tx, id));
  if (!due) return Conflict("the connector's scheduled sync is not due");
  return Status::Ok();
}

Result<SyncSource> ConnectorService::LoadSyncSource(db::Pool& pool, const db::TenantContext& ctx,
                                                    const std::string& connector_id,
                                                    const std::string& job_id) {
  if (!IsUuid(connector_id)) return NotFound("the connector no longer exists");
  ASSIGN_OR_RETURN(auto row, repo::LoadSyncRow(pool, ctx, CanonicalUuid(connector_id), job_id));
  if (!row) return NotFound("the connector no longer exists");
  if (row->disabled) return NotFound("the connector was deleted");
  if (!row->ciphertext || !row->nonce || !row->key_id) {
    return Conflict("the connector has no credentials; set its token first");
  }
  auto key = keys_.Get();
  if (!key.ok()) {
    spdlog::error("connectors: secret key unavailable: {}", key.status().message());
    return Unavailable("the server's secret key is not available (see the server log)");
  }
  const std::string reseal =
      "the connector's token was sealed with a different server secret "
      "key; set the token again";
  if (*row->key_id != key->id) return Conflict(reseal);
  auto plain = crypto::OpenSecret(key->bytes, *row->nonce, *row->ciphertext,
                                  AssociatedData(ctx.organization_id, CanonicalUuid(connector_id)));
  if (!plain.ok()) return Conflict(reseal);
  auto creds = json::Parse(*plain);
  crypto::Wipe(*plain);
  SyncSource out;
  out.kind = row->kind;
  out.base_url = row->base_url;
  const json::Value* token = creds.ok() ? creds->Find("token") : nullptr;
  const json::Value* refresh = creds.ok() ? creds->Find("refresh") : nullptr;
  auto member = [](const json::Value* object, std::string_view name) -> const std::string* {
    const json::Value* v = object != nullptr ? object->Find(name) : nullptr;
    return v != nullptr && v->is_string() ? &v->as_string() : nullptr;
  };
  if (token != nullptr && token->is_string()) {
    out.token = token->as_string();
  } else if (refresh != nullptr && member(refresh, "client_id") &&
             member(refresh, "client_secret") && member(refresh, "refresh_token")) {
    out.refresh =
        SalesforceRefreshToken{*member(refresh, "client_id"), *member(refresh, "client_secret"),
                               *member(refresh, "refresh_token")};
  } else {
    return Conflict(reseal);
  }
  ASSIGN_OR_RETURN(out.mapping, EffectiveMapping(row->kind, row->field_mapping_json));
  if (row->since_cursor) {
    out.since = ParseTimestamp(*row->since_cursor);
    if (!out.since) {
      spdlog::warn("connectors: ignoring malformed source_cursor of connector {}", connector_id);
    }
  }
  return out;
}

}  // namespace leadline::connectors
