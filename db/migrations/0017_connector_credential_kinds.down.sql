-- Reverts 0017_connector_credential_kinds. Connectors holding a refresh token keep it sealed,
-- but the code of 0016 and before reads only tokens: set a token on them again.
ALTER TABLE crm_connectors DROP CONSTRAINT crm_connectors_credentials_kind_present;
ALTER TABLE crm_connectors DROP COLUMN credentials_kind;
