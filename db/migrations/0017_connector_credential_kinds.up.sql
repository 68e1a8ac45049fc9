-- 0017_connector_credential_kinds: which kind of credential a connector's sealed credentials
-- are, without opening them: 'token' (a bearer token: HubSpot private app, Salesforce access
-- token) or 'refresh_token' (a Salesforce connected app's client id and secret with a refresh
-- token, exchanged for an access token at every sync). Null exactly when there are none.
ALTER TABLE crm_connectors ADD COLUMN credentials_kind text
  CHECK (credentials_kind IN ('token', 'refresh_token'));
UPDATE crm_connectors SET credentials_kind = 'token' WHERE credentials_ciphertext IS NOT NULL;
ALTER TABLE crm_connectors ADD CONSTRAINT crm_connectors_credentials_kind_present
  CHECK ((credentials_kind IS NULL) = (credentials_ciphertext IS NULL));
