-- 0006_connectors: external CRM connectors (HubSpot, Salesforce) whose syncs run as import
-- jobs (import_jobs.kind = the connector's kind, import_jobs.connector_id = its id).
-- Credentials are encrypted by the server (XChaCha20-Poly1305 with a key that never enters
-- the database); these columns only ever hold ciphertext. See docs/connectors.md.

CREATE TABLE crm_connectors (
  organization_id        uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
  id                     uuid NOT NULL DEFAULT gen_random_uuid(),
  kind                   text NOT NULL CHECK (kind IN ('hubspot', 'salesforce')),
  name                   text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  base_url               text NOT NULL
                         CHECK (base_url ~ '^https?://[^/?#]+' AND char_length(base_url) <= 2000),
  -- The sealed JSON object {"token": ...} and its nonce; the associated data binds it to
  -- this organization and connector, so a row copied elsewhere does not decrypt.
  credentials_ciphertext bytea,
  credentials_nonce      bytea,
  -- Which server key sealed the credentials (a fingerprint, not the key).
  key_id                 text CHECK (char_length(key_id) <= 64),
  -- Provider property -> import target overrides of the default mapping (null drops one).
  field_mapping          jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(field_mapping) = 'object'),
  -- Set by a sync request with "full": true; the next sync fetches everything until a job
  -- created after this time completes.
  full_sync_requested_at timestamptz,
  created_by             uuid,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  -- Deleted through the API: kept for the history of its import jobs, credentials wiped.
  disabled_at            timestamptz,
  PRIMARY KEY (organization_id, id),
  CHECK ((credentials_ciphertext IS NULL) = (credentials_nonce IS NULL)
         AND (credentials_ciphertext IS NULL) = (key_id IS NULL)),
  FOREIGN KEY (organization_id, created_by) REFERENCES users (organization_id, id)
    ON DELETE RESTRICT
);

-- One live connector per name (case-insensitive) in an organization.
CREATE UNIQUE INDEX crm_connectors_name_key ON crm_connectors (organization_id, lower(name))
  WHERE disabled_at IS NULL;
-- The list, oldest first, live connectors only.
CREATE INDEX crm_connectors_list_idx ON crm_connectors (organization_id, created_at, id)
  WHERE disabled_at IS NULL;

CREATE TRIGGER touch_updated_at BEFORE UPDATE ON crm_connectors
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION app_touch_updated_at();
SELECT app_setup_tenant_table('crm_connectors');
