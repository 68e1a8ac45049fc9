-- Reverts 0001_identity. The role leadline_app is cluster-wide and other databases may use
-- it, so it is kept (with its membership); only this database's objects and grants go.
-- Policies, triggers and table grants go with their tables.

DROP FUNCTION auth_find_api_key(bytea);
DROP FUNCTION auth_find_session(bytea);
DROP FUNCTION auth_find_users_by_email(text);

DROP TABLE sessions;
DROP TABLE api_keys;
DROP TABLE users;
DROP TABLE organizations;

DROP FUNCTION app_setup_tenant_table(regclass, boolean, name);
DROP FUNCTION app_check_timezone();

DROP TABLE iana_time_zones;
DROP TABLE currencies;

DROP FUNCTION app_reject_modification();
DROP FUNCTION app_touch_updated_at();
DROP FUNCTION app_rfc3339(timestamptz);
DROP FUNCTION app_current_user();
DROP FUNCTION app_current_org();

REVOKE USAGE ON SCHEMA public FROM leadline_app;
