-- 0004_compliance: Do-Not-Call compliance. Change notifications for the in-process checker,
-- the national registry snapshot (system-wide), consent and revocation, interactions with
-- opt-out detection and its review queue, calls and the append-only compliance log.
-- Runs once, inside the migrator's transaction, as the owner role. See docs/compliance.md.

-- ---------------------------------------------------------------------------------------
-- dnc_list changes are announced on channel leadline_dnc as '<organization_id>:<phone>' so
-- that every server process can patch its in-process set. A statement touching many rows
-- announces '<organization_id>:*' instead (reload that organization): payloads are small and
-- a bulk import must not queue thousands of notifications.
-- ---------------------------------------------------------------------------------------
CREATE FUNCTION dnc_list_notify() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  v_count bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('leadline_dnc', o.organization_id::text || ':*')
    FROM (SELECT DISTINCT organization_id FROM old_rows) o;
    RETURN NULL;
  END IF;
  SELECT count(*) INTO v_count FROM new_rows;
  IF v_count > 100 THEN
    PERFORM pg_notify('leadline_dnc', o.organization_id::text || ':*')
    FROM (SELECT DISTINCT organization_id FROM new_rows) o;
  ELSE
    PERFORM pg_notify('leadline_dnc', n.organization_id::text || ':' || n.phone)
    FROM new_rows n;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER notify_insert AFTER INSERT ON dnc_list
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dnc_list_notify();
CREATE TRIGGER notify_update AFTER UPDATE ON dnc_list
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dnc_list_notify();
CREATE TRIGGER notify_delete AFTER DELETE ON dnc_list
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dnc_list_notify();

-- Listing the organization's entries including removed ones, newest first, is served by
-- dnc_list_created_idx; the live-entry load of the checker by this one.
CREATE INDEX dnc_list_live_idx ON dnc_list (organization_id, phone)
  INCLUDE (expires_at) WHERE removed_at IS NULL;

-- ---------------------------------------------------------------------------------------
-- The national Do-Not-Call registry (reference tables: system-wide, no organization_id, no
-- row-level security). One row per area code: a bitmap of its 10,000,000 seven-digit
-- numbers (bit n = byte n/8, bit n%8, as get_bit numbers them). Stored uncompressed
-- (EXTERNAL) so that reading one bit fetches one TOAST chunk, not 1.25 MB.
-- ---------------------------------------------------------------------------------------
CREATE SEQUENCE dnc_registry_version_seq;

CREATE TABLE dnc_registry_area_codes (
  area_code  smallint PRIMARY KEY CHECK (area_code BETWEEN 200 AND 999),
  bits       bytea NOT NULL CHECK (octet_length(bits) = 1250000),
  numbers    int NOT NULL CHECK (numbers BETWEEN 0 AND 10000000),
  as_of      date NOT NULL,
  version    bigint NOT NULL DEFAULT nextval('dnc_registry_version_seq'),
  updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE dnc_registry_area_codes ALTER COLUMN bits SET STORAGE EXTERNAL;

-- One row per file loaded: what, when, how much. Kept as the registry's load history.
CREATE TABLE dnc_registry_loads (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('full', 'changes')),
  as_of       date NOT NULL,
  loaded_at   timestamptz NOT NULL DEFAULT now(),
  source_name text CHECK (char_length(source_name) <= 500),
  area_codes  int NOT NULL CHECK (area_codes >= 0),
  added       bigint NOT NULL CHECK (added >= 0),
  removed     bigint NOT NULL CHECK (removed >= 0),
  total       bigint NOT NULL CHECK (total >= 0),
  loaded_by   text CHECK (char_length(loaded_by) <= 200)
);

GRANT SELECT ON dnc_registry_area_codes, dnc_registry_loads TO leadline_app;

-- Writers. The server role may not write reference tables directly; these functions validate
-- and write, and announce the new snapshot version on leadline_dnc ('national:<version>').
CREATE FUNCTION dnc_registry_put(p_area_code int, p_bits bytea, p_numbers int, p_as_of date)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
  v_version bigint := nextval('dnc_registry_version_seq');
BEGIN
  INSERT INTO dnc_registry_area_codes (area_code, bits, numbers, as_of, version, updated_at)
  VALUES (p_area_code, p_bits, p_numbers, p_as_of, v_version, now())
  ON CONFLICT (area_code) DO UPDATE
    SET bits = EXCLUDED.bits, numbers = EXCLUDED.numbers,
        as_of = greatest(dnc_registry_area_codes.as_of, EXCLUDED.as_of),
        version = EXCLUDED.version, updated_at = EXCLUDED.updated_at;
  RETURN v_version;
END
$$;

-- A changes file stamps every area code of the snapshot with its date (the registry's change
-- files cover the whole subscription, also area codes without changes).
CREATE FUNCTION dnc_registry_record_load(p_kind text, p_as_of date, p_source_name text,
                                         p_area_codes int, p_added bigint, p_removed bigint,
                                         p_loaded_by text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
  v_id    bigint;
  v_total bigint;
BEGIN
  IF p_kind = 'changes' THEN
    UPDATE dnc_registry_area_codes SET as_of = p_as_of WHERE as_of < p_as_of;
  END IF;
  SELECT coalesce(sum(numbers), 0) INTO v_total FROM dnc_registry_area_codes;
  INSERT INTO dnc_registry_loads (kind, as_of, source_name, area_codes, added, removed, total,
                                  loaded_by)
  VALUES (p_kind, p_as_of, p_source_name, p_area_codes, p_added, p_removed, v_total, p_loaded_by)
  RETURNING id INTO v_id;
  PERFORM pg_notify('leadline_dnc', 'national:' || v_id);
  RETURN v_id;
END
$$;

REVOKE EXECUTE ON FUNCTION dnc_registry_put(int, bytea, int, date) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION dnc_registry_record_load(text, date, text, int, bigint, bigint, text)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dnc_registry_put(int, bytea, int, date) TO leadline_app;
GRANT EXECUTE ON FUNCTION dnc_registry_record_load(text, date, text, int, bigint, bigint, text)
  TO leadline_app;

-- True when a NANP number (+1 NPA NXX XXXX) is on the loaded national registry.
CREATE FUNCTION dnc_on_national_registry(p_phone text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT CASE WHEN p_phone ~ '^\+1[2-9][0-9]{9}$' THEN coalesce((
    SELECT get_bit(substring(r.bits FROM (substr(p_phone, 6, 7)::int >> 3) + 1 FOR 1),
                   substr(p_phone, 6, 7)::int & 7) = 1
    FROM dnc_registry_area_codes r
    WHERE r.area_code = substr(p_phone, 3, 3)::smallint), false)
  ELSE false END
$$;

-- The download date of the registry data covering a number's area code; NULL when the
-- number is not a NANP number or its area code was never loaded.
CREATE FUNCTION dnc_national_as_of(p_phone text) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT CASE WHEN p_phone ~ '^\+1[2-9][0-9]{9}$' THEN (
    SELECT r.as_of FROM dnc_registry_area_codes r
    WHERE r.area_code = substr(p_phone, 3, 3)::smallint) END
$$;

-- The organization's list or the national registry: the same answer as the in-process
-- checker (src/dnc/checker.h). Runs as the caller, under row-level security.
CREATE OR REPLACE FUNCTION is_on_dnc_list(p_phone text, p_organization_id uuid) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT EXISTS (
    SELECT 1 FROM dnc_list d
    WHERE d.organization_id = p_organization_id
      AND d.phone = p_phone
      AND d.removed_at IS NULL
      AND (d.expires_at IS NULL OR d.expires_at > now()))
    OR dnc_on_national_registry(p_phone)
$$;

GRANT EXECUTE ON FUNCTION dnc_on_national_registry(text) TO leadline_app;
GRANT EXECUTE ON FUNCTION dnc_national_as_of(text) TO leadline_app;

-- ---------------------------------------------------------------------------------------
-- lead_consents: what a lead agreed to, per channel, with the evidence.
-- ---------------------------------------------------------------------------------------
CREATE TABLE lead_consents (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  lead_id         uuid NOT NULL,
  channel         text NOT NULL CHECK (channel IN ('call', 'sms', 'email')),
  disclosure_text text NOT NULL CHECK (char_length(disclosure_text) BETWEEN 1 AND 10000),
  method          text NOT NULL
                  CHECK (method IN ('web_form', 'recording', 'keypress', 'written', 'verbal')),
  captured_at     timestamptz NOT NULL,
  source_ip       text CHECK (char_length(source_ip) <= 100),
  evidence_url    text CHECK (char_length(evidence_url) <= 2000),
  recorded_by     uuid,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, lead_id) REFERENCES leads (organization_id, id)
    ON DELETE RESTRICT
);
CREATE INDEX lead_consents_lead_idx ON lead_consents (organization_id, lead_id, captured_at DESC);
SELECT app_setup_tenant_table('lead_consents', true);

-- lead_consent_revocations: a lead withdrew consent for one channel or for all of them.
CREATE TABLE lead_consent_revocations (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  lead_id         uuid NOT NULL,
  scope           text NOT NULL CHECK (scope IN ('call', 'sms', 'email', 'all')),
  reason          text CHECK (char_length(reason) <= 1000),
  method          text CHECK (char_length(method) <= 50),
  revoked_at      timestamptz NOT NULL,
  source_ip       text CHECK (char_length(source_ip) <= 100),
  recorded_by     uuid,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, lead_id) REFERENCES leads (organization_id, id)
    ON DELETE RESTRICT
);
CREATE INDEX lead_consent_revocations_lead_idx
  ON lead_consent_revocations (organization_id, lead_id, revoked_at DESC);
SELECT app_setup_tenant_table('lead_consent_revocations', true);

-- ---------------------------------------------------------------------------------------
-- interactions: messages, calls and notes (DESIGN.md: transcripts live here, JSONB payload,
-- full-text search). Opt-out detection writes its verdict into `optout`.
-- ---------------------------------------------------------------------------------------
CREATE TABLE interactions (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  lead_id         uuid,
  phone           text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  channel         text NOT NULL CHECK (channel IN ('sms', 'call', 'email', 'note')),
  direction       text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  body            text NOT NULL DEFAULT '' CHECK (char_length(body) <= 1000000),
  payload         jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(payload) = 'object'),
  optout          jsonb,
  occurred_at     timestamptz NOT NULL DEFAULT now(),
  created_by      uuid,
  created_at      timestamptz NOT NULL DEFAULT now(),
  search          tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED,
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, lead_id) REFERENCES leads (organization_id, id)
    ON DELETE RESTRICT
);
CREATE INDEX interactions_lead_idx ON interactions (organization_id, lead_id, occurred_at DESC)
  WHERE lead_id IS NOT NULL;
CREATE INDEX interactions_phone_idx ON interactions (organization_id, phone, occurred_at DESC)
  WHERE phone IS NOT NULL;
CREATE INDEX interactions_search_idx ON interactions USING gin (search);
SELECT app_setup_tenant_table('interactions');

-- ---------------------------------------------------------------------------------------
-- dnc_review_queue: weak opt-out signals waiting for a person to accept or dismiss.
-- ---------------------------------------------------------------------------------------
CREATE TABLE dnc_review_queue (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  phone           text NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  lead_id         uuid,
  interaction_id  uuid,
  excerpt         text NOT NULL CHECK (char_length(excerpt) <= 2000),
  matched         text NOT NULL CHECK (char_length(matched) <= 200),
  confidence      numeric(4, 3) NOT NULL CHECK (confidence BETWEEN 0 AND 1),
  status          text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'accepted', 'dismissed')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  decided_at      timestamptz,
  decided_by      uuid,
  dnc_entry_id    uuid,
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, lead_id) REFERENCES leads (organization_id, id)
    ON DELETE RESTRICT,
  FOREIGN KEY (organization_id, interaction_id) REFERENCES interactions (organization_id, id)
    ON DELETE RESTRICT
);
CREATE INDEX dnc_review_queue_status_idx
  ON dnc_review_queue (organization_id, status, created_at DESC, id DESC);
SELECT app_setup_tenant_table('dnc_review_queue');

-- ---------------------------------------------------------------------------------------
-- compliance_log (append-only): every decision of the compliance gate, allowed or not.
-- ---------------------------------------------------------------------------------------
CREATE TABLE compliance_log (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  lead_id         uuid NOT NULL,
  channel         text NOT NULL CHECK (channel IN ('call', 'sms', 'email')),
  phone           text,
  decision        text NOT NULL CHECK (decision IN ('allowed', 'blocked')),
  reasons         text[] NOT NULL DEFAULT '{}',
  details         jsonb NOT NULL CHECK (jsonb_typeof(details) = 'object'),
  actor_id        uuid,
  decided_at      timestamptz NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, lead_id) REFERENCES leads (organization_id, id)
    ON DELETE RESTRICT
);
CREATE INDEX compliance_log_lead_idx
  ON compliance_log (organization_id, lead_id, created_at DESC, id DESC);
SELECT app_setup_tenant_table('compliance_log', true);

-- calls: calls started through the gate (allowed decisions only).
CREATE TABLE calls (
  organization_id   uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
  id                uuid NOT NULL DEFAULT gen_random_uuid(),
  lead_id           uuid NOT NULL,
  phone             text NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  status            text NOT NULL DEFAULT 'initiated'
                    CHECK (status IN ('initiated', 'completed', 'failed', 'cancelled')),
  compliance_log_id uuid NOT NULL,
  started_by        uuid,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, lead_id) REFERENCES leads (organization_id, id)
    ON DELETE RESTRICT,
  FOREIGN KEY (organization_id, compliance_log_id) REFERENCES compliance_log (organization_id, id)
    ON DELETE RESTRICT
);
CREATE INDEX calls_lead_idx ON calls (organization_id, lead_id, created_at DESC);
SELECT app_setup_tenant_table('calls');
