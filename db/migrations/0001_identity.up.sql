-- 0001_identity: the server role, tenant-scoping helpers, reference tables, and the
-- identity tables (organizations, users, api_keys, sessions).
-- Runs once, inside the migrator's transaction, as the owner role. See docs/schema.md.

-- ---------------------------------------------------------------------------------------
-- The server role. Roles are cluster-wide and shared by every database of the cluster, so
-- creation tolerates an existing role (also one created concurrently by another database's
-- migration). The owner becomes a member so that its connections can SET ROLE leadline_app.
-- ---------------------------------------------------------------------------------------
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'leadline_app') THEN
    BEGIN
      CREATE ROLE leadline_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;  -- another migration created it meanwhile
    END;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles
             WHERE rolname = 'leadline_app' AND (rolsuper OR rolbypassrls)) THEN
    RAISE EXCEPTION 'role leadline_app must not be SUPERUSER or BYPASSRLS: tenant isolation '
                    'depends on row-level security applying to it';
  END IF;
  IF NOT pg_has_role(current_user, 'leadline_app', 'MEMBER') THEN
    EXECUTE format('GRANT leadline_app TO %I', current_user);
  END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO leadline_app;

-- ---------------------------------------------------------------------------------------
-- Per-transaction context, set by the server with set_config(..., true). After a SET LOCAL
-- ends, current_setting() returns '' rather than NULL, hence NULLIF. Plain SQL and STABLE so
-- the planner inlines them and can use them as index keys in policies and queries.
-- ---------------------------------------------------------------------------------------
CREATE FUNCTION app_current_org() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT NULLIF(current_setting('app.organization_id', true), '')::uuid $$;

CREATE FUNCTION app_current_user() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT NULLIF(current_setting('app.user_id', true), '')::uuid $$;

-- RFC 3339 in UTC with whole seconds, the API's timestamp format.
CREATE FUNCTION app_rfc3339(ts timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

-- ---------------------------------------------------------------------------------------
-- Shared trigger functions.
-- ---------------------------------------------------------------------------------------

-- BEFORE UPDATE: stamps updated_at. With the trigger argument 'version' it also bumps the
-- row's version. Attach it with WHEN (OLD.* IS DISTINCT FROM NEW.*) so no-op updates leave
-- both alone.
CREATE FUNCTION app_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  NEW.updated_at := now();
  IF TG_NARGS > 0 AND TG_ARGV[0] = 'version' THEN
    NEW.version := OLD.version + 1;
  END IF;
  RETURN NEW;
END
$$;

-- Append-only tables: rejects UPDATE, DELETE (row level) and TRUNCATE (statement level).
CREATE FUNCTION app_reject_modification() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege',
          TABLE = TG_TABLE_NAME,
          SCHEMA = TG_TABLE_SCHEMA,
          HINT = 'record a correcting entry instead of changing or removing one';
END
$$;

-- ---------------------------------------------------------------------------------------
-- Reference tables (system-wide: no organization_id, no row-level security).
-- ---------------------------------------------------------------------------------------
CREATE TABLE currencies (
  code        char(3) PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'),
  name        text NOT NULL,
  minor_units int NOT NULL CHECK (minor_units BETWEEN 0 AND 4)
);

INSERT INTO currencies (code, name, minor_units) VALUES
  ('AED', 'UAE Dirham', 2),
  ('ARS', 'Argentine Peso', 2),
  ('AUD', 'Australian Dollar', 2),
  ('BDT', 'Bangladeshi Taka', 2),
  ('BGN', 'Bulgarian Lev', 2),
  ('BHD', 'Bahraini Dinar', 3),
  ('BRL', 'Brazilian Real', 2),
  ('CAD', 'Canadian Dollar', 2),
  ('CHF', 'Swiss Franc', 2),
  ('CLP', 'Chilean Peso', 0),
  ('CNY', 'Yuan Renminbi', 2),
  ('COP', 'Colombian Peso', 2),
  ('CZK', 'Czech Koruna', 2),
  ('DKK', 'Danish Krone', 2),
  ('EGP', 'Egyptian Pound', 2),
  ('EUR', 'Euro', 2),
  ('GBP', 'Pound Sterling', 2),
  ('HKD', 'Hong Kong Dollar', 2),
  ('HUF', 'Forint', 2),
  ('IDR', 'Rupiah', 2),
  ('ILS', 'New Israeli Sheqel', 2),
  ('INR', 'Indian Rupee', 2),
  ('ISK', 'Iceland Krona', 0),
  ('JOD', 'Jordanian Dinar', 3),
  ('JPY', 'Yen', 0),
  ('KES', 'Kenyan Shilling', 2),
  ('KRW', 'Won', 0),
  ('KWD', 'Kuwaiti Dinar', 3),
  ('MAD', 'Moroccan Dirham', 2),
  ('MXN', 'Mexican Peso', 2),
  ('MYR', 'Malaysian Ringgit', 2),
  ('NGN', 'Naira', 2),
  ('NOK', 'Norwegian Krone', 2),
  ('NZD', 'New Zealand Dollar', 2),
  ('OMR', 'Rial Omani', 3),
  ('PEN', 'Sol', 2),
  ('PHP', 'Philippine Peso', 2),
  ('PKR', 'Pakistan Rupee', 2),
  ('PLN', 'Zloty', 2),
  ('QAR', 'Qatari Rial', 2),
  ('RON', 'Romanian Leu', 2),
  ('SAR', 'Saudi Riyal', 2),
  ('SEK', 'Swedish Krona', 2),
  ('SGD', 'Singapore Dollar', 2),
  ('THB', 'Baht', 2),
  ('TRY', 'Turkish Lira', 2),
  ('TWD', 'New Taiwan Dollar', 2),
  ('UAH', 'Hryvnia', 2),
  ('USD', 'US Dollar', 2),
  ('VND', 'Dong', 0),
  ('ZAR', 'Rand', 2);

-- Zone names this server knows, captured when the migration runs. The posix/ copies and the
-- non-zone entries are left out.
CREATE TABLE iana_time_zones (
  name text PRIMARY KEY
);

INSERT INTO iana_time_zones (name)
SELECT DISTINCT name FROM pg_timezone_names
WHERE name NOT LIKE 'posix/%' AND name NOT LIKE 'right/%'
  AND name NOT IN ('localtime', 'posixrules', 'Factory');

GRANT SELECT ON currencies, iana_time_zones TO leadline_app;

-- BEFORE INSERT OR UPDATE OF timezone: NEW.timezone must be a known zone (NULL passes).
-- Every time zone column in the schema is named "timezone". SQLSTATE 23514 so the server
-- answers 422 naming the field.
CREATE FUNCTION app_check_timezone() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF NEW.timezone IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM iana_time_zones WHERE name = NEW.timezone) THEN
    RAISE EXCEPTION 'invalid timezone "%": not an IANA time zone name', NEW.timezone
      USING ERRCODE = 'check_violation',
            COLUMN = 'timezone',
            TABLE = TG_TABLE_NAME,
            SCHEMA = TG_TABLE_SCHEMA,
            CONSTRAINT = TG_TABLE_NAME || '_timezone_check',
            HINT = 'use a name such as America/New_York';
  END IF;
  RETURN NEW;
END
$$;

-- ---------------------------------------------------------------------------------------
-- Tenant table setup: row-level security (enabled and forced), the two policies, the
-- grants to leadline_app and, for append-only tables, the rejecting triggers.
--   tenant_isolation  every role: rows of app_current_org() only
--   owner_access      the migration role only: all rows, so a non-superuser owner can
--                     maintain data and SECURITY DEFINER functions can look across tenants
-- ---------------------------------------------------------------------------------------
CREATE FUNCTION app_setup_tenant_table(tbl regclass, append_only boolean DEFAULT false,
                                       tenant_column name DEFAULT 'organization_id')
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
  EXECUTE format('CREATE POLICY tenant_isolation ON %s FOR ALL '
                 'USING (%I = app_current_org()) WITH CHECK (%I = app_current_org())',
                 tbl, tenant_column, tenant_column);
  EXECUTE format('CREATE POLICY owner_access ON %s FOR ALL TO %I USING (true) WITH CHECK (true)',
                 tbl, current_user);
  IF append_only THEN
    EXECUTE format('GRANT SELECT, INSERT ON %s TO leadline_app', tbl);
    EXECUTE format('CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON %s '
                   'FOR EACH ROW EXECUTE FUNCTION app_reject_modification()', tbl);
    EXECUTE format('CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION app_reject_modification()', tbl);
  ELSE
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO leadline_app', tbl);
  END IF;
END
$$;

REVOKE EXECUTE ON FUNCTION app_setup_tenant_table(regclass, boolean, name) FROM PUBLIC;

-- ---------------------------------------------------------------------------------------
-- organizations: the tenants. Its tenant column is its own id.
-- ---------------------------------------------------------------------------------------
CREATE TABLE organizations (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name           text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  default_region text NOT NULL DEFAULT 'US' CHECK (default_region ~ '^[A-Z]{2}$'),
  currency       char(3) NOT NULL DEFAULT 'USD'
                 CHECK (currency ~ '^[A-Z]{3}$') REFERENCES currencies (code),
  timezone       text NOT NULL DEFAULT 'America/New_York',
  settings       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object'),
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER check_timezone BEFORE INSERT OR UPDATE OF timezone ON organizations
  FOR EACH ROW EXECUTE FUNCTION app_check_timezone();
CREATE TRIGGER touch_updated_at BEFORE UPDATE ON organizations
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION app_touch_updated_at();
SELECT app_setup_tenant_table('organizations', false, 'id');

-- ---------------------------------------------------------------------------------------
-- users: people who sign in. An email is unique within an organization; the same person
-- may belong to several organizations.
-- ---------------------------------------------------------------------------------------
CREATE TABLE users (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  email           text NOT NULL
                  CHECK (email = lower(email) AND email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'
                         AND char_length(email) <= 320),
  password_hash   text NOT NULL,
  role            text NOT NULL CHECK (role IN ('admin', 'manager', 'agent')),
  name            text CHECK (char_length(name) <= 200),
  is_active       boolean NOT NULL DEFAULT true,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  last_login_at   timestamptz,
  PRIMARY KEY (organization_id, id),
  CONSTRAINT users_organization_email_key UNIQUE (organization_id, email)
);

-- Sign-in looks a user up by email before the organization is known.
CREATE INDEX users_email_idx ON users (email);

CREATE TRIGGER touch_updated_at BEFORE UPDATE ON users
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION app_touch_updated_at();
SELECT app_setup_tenant_table('users');

-- ---------------------------------------------------------------------------------------
-- api_keys: long-lived bearer tokens. Only the SHA-256 of a key is stored.
-- ---------------------------------------------------------------------------------------
CREATE TABLE api_keys (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  user_id         uuid NOT NULL,
  name            text CHECK (char_length(name) <= 200),
  key_prefix      text NOT NULL CHECK (char_length(key_prefix) BETWEEN 1 AND 32),
  key_hash        bytea NOT NULL CHECK (octet_length(key_hash) = 32),
  created_at      timestamptz NOT NULL DEFAULT now(),
  last_used_at    timestamptz,
  revoked_at      timestamptz,
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id)
    ON DELETE RESTRICT
);

CREATE INDEX api_keys_key_hash_idx ON api_keys (key_hash);
CREATE INDEX api_keys_user_idx ON api_keys (organization_id, user_id);
SELECT app_setup_tenant_table('api_keys');

-- ---------------------------------------------------------------------------------------
-- sessions: sign-in sessions. Only the SHA-256 of the session token is stored.
-- ---------------------------------------------------------------------------------------
CREATE TABLE sessions (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  user_id         uuid NOT NULL,
  token_hash      bytea NOT NULL CHECK (octet_length(token_hash) = 32),
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  revoked_at      timestamptz,
  client_ip       text,
  user_agent      text,
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id)
    ON DELETE RESTRICT
);

CREATE INDEX sessions_token_hash_idx ON sessions (token_hash);
CREATE INDEX sessions_user_idx ON sessions (organization_id, user_id);
SELECT app_setup_tenant_table('sessions');

-- ---------------------------------------------------------------------------------------
-- Authentication before the tenant is known. SECURITY DEFINER: they run as the owner (whose
-- owner_access policy sees every organization) and return only what sign-in needs.
-- ---------------------------------------------------------------------------------------
CREATE FUNCTION auth_find_users_by_email(p_email text)
RETURNS TABLE (organization_id uuid, user_id uuid, password_hash text, role text,
               is_active boolean)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
  SELECT u.organization_id, u.id, u.password_hash, u.role, u.is_active
  FROM users u
  WHERE u.email = lower(p_email)
  ORDER BY u.created_at, u.id
$$;

CREATE FUNCTION auth_find_session(p_token_hash bytea)
RETURNS TABLE (organization_id uuid, user_id uuid, role text, expires_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
  SELECT s.organization_id, s.user_id, u.role, s.expires_at
  FROM sessions s
  JOIN users u ON u.organization_id = s.organization_id AND u.id = s.user_id
  WHERE s.token_hash = p_token_hash
    AND s.revoked_at IS NULL
    AND s.expires_at > now()
    AND u.is_active
$$;

CREATE FUNCTION auth_find_api_key(p_key_hash bytea)
RETURNS TABLE (organization_id uuid, user_id uuid, role text, api_key_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
  SELECT k.organization_id, k.user_id, u.role, k.id
  FROM api_keys k
  JOIN users u ON u.organization_id = k.organization_id AND u.id = k.user_id
  WHERE k.key_hash = p_key_hash
    AND k.revoked_at IS NULL
    AND u.is_active
$$;

REVOKE EXECUTE ON FUNCTION auth_find_users_by_email(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION auth_find_session(bytea) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION auth_find_api_key(bytea) FROM PUBLIC;

GRANT EXECUTE ON FUNCTION
  app_current_org(),
  app_current_user(),
  app_rfc3339(timestamptz),
  auth_find_users_by_email(text),
  auth_find_session(bytea),
  auth_find_api_key(bytea)
TO leadline_app;
