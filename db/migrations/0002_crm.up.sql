-- 0002_crm: the twelve CRM tables of the requirements (leads and their history, Do-Not-Call,
-- source costs, nurture sequences, segments, the budget ledger, assignments, scores and
-- per-organization settings), with their validation, history triggers and tenant policies.
-- Runs once, inside the migrator's transaction, as the owner role. See docs/schema.md.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- BEFORE INSERT WHEN (NEW.currency IS NULL): the organization's currency.
CREATE FUNCTION app_default_currency() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  SELECT o.currency INTO NEW.currency FROM organizations o WHERE o.id = NEW.organization_id;
  RETURN NEW;
END
$$;

-- ---------------------------------------------------------------------------------------
-- leads
-- ---------------------------------------------------------------------------------------
CREATE TABLE leads (
  organization_id    uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
  id                 uuid NOT NULL DEFAULT gen_random_uuid(),
  first_name         text CHECK (char_length(first_name) <= 200),
  last_name          text CHECK (char_length(last_name) <= 200),
  email              text CHECK (email = lower(email) AND email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'
                                 AND char_length(email) <= 320),
  phone              text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  company            text CHECK (char_length(company) <= 200),
  title              text CHECK (char_length(title) <= 200),
  status             text NOT NULL DEFAULT 'new'
                     CHECK (status IN ('new', 'contacted', 'qualified', 'nurturing',
                                       'appointment_set', 'converted', 'lost')),
  source             text CHECK (char_length(source) BETWEEN 1 AND 100),
  source_metadata    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(source_metadata) = 'object'),
  tags               text[] NOT NULL DEFAULT '{}' CHECK (array_position(tags, NULL) IS NULL),
  lead_score         int NOT NULL DEFAULT 0 CHECK (lead_score BETWEEN 0 AND 100),
  lead_score_factors jsonb,
  assigned_to        uuid,
  timezone           text,
  metadata           jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  import_id          uuid,
  status_changed_at  timestamptz NOT NULL DEFAULT now(),
  last_contacted_at  timestamptz,
  created_by         uuid,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  deleted_at         timestamptz,
  version            int NOT NULL DEFAULT 1 CHECK (version >= 1),
  search_text        text GENERATED ALWAYS AS (
                       lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' ||
                             coalesce(email, '') || ' ' || coalesce(phone, ''))) STORED,
  PRIMARY KEY (organization_id, id),
  CONSTRAINT leads_contact_check CHECK (phone IS NOT NULL OR email IS NOT NULL),
  CONSTRAINT leads_assigned_to_fkey FOREIGN KEY (organization_id, assigned_to)
    REFERENCES users (organization_id, id) ON DELETE RESTRICT
);

-- One live lead per phone number in an organization (soft-deleted leads free the number).
CREATE UNIQUE INDEX leads_phone_key ON leads (organization_id, phone)
  WHERE deleted_at IS NULL AND phone IS NOT NULL;
-- One index per sort the API offers, newest/highest first, id as the cursor tie-breaker.
CREATE INDEX leads_created_idx ON leads (organization_id, created_at DESC, id DESC)
  WHERE deleted_at IS NULL;
CREATE INDEX leads_updated_idx ON leads (organization_id, updated_at DESC, id DESC)
  WHERE deleted_at IS NULL;
CREATE INDEX leads_score_idx ON leads (organization_id, lead_score DESC, id DESC)
  WHERE deleted_at IS NULL;
CREATE INDEX leads_status_idx ON leads (organization_id, status, created_at DESC)
  WHERE deleted_at IS NULL;
CREATE INDEX leads_assigned_idx ON leads (organization_id, assigned_to) WHERE deleted_at IS NULL;
CREATE INDEX leads_source_idx ON leads (organization_id, source) WHERE deleted_at IS NULL;
-- Emails are stored lower-cased (CHECK above), so equality on the column is case-insensitive
-- and, unlike lower(email), usable through row-level security (see docs/schema.md).
CREATE INDEX leads_email_idx ON leads (organization_id, email)
  WHERE deleted_at IS NULL AND email IS NOT NULL;
CREATE INDEX leads_import_idx ON leads (organization_id, import_id) WHERE import_id IS NOT NULL;
CREATE INDEX leads_tags_idx ON leads USING gin (tags) WHERE deleted_at IS NULL;
CREATE INDEX leads_search_idx ON leads USING gin (search_text gin_trgm_ops)
  WHERE deleted_at IS NULL;

-- BEFORE UPDATE: id and organization are fixed; "converted" is terminal; status_changed_at
-- follows status; updated_at and version move only when something besides them changed.
CREATE FUNCTION leads_before_update() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  probe leads;
BEGIN
  IF NEW.id <> OLD.id OR NEW.organization_id <> OLD.organization_id THEN
    RAISE EXCEPTION 'a lead''s id and organization_id cannot change'
      USING ERRCODE = 'check_violation', TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA,
            CONSTRAINT = 'leads_identity_fixed';
  END IF;
  IF OLD.status = 'converted' AND NEW.status <> 'converted' THEN
    RAISE EXCEPTION 'status "converted" is terminal: a converted lead cannot become "%"',
                    NEW.status
      USING ERRCODE = 'check_violation', COLUMN = 'status', TABLE = TG_TABLE_NAME,
            SCHEMA = TG_TABLE_SCHEMA, CONSTRAINT = 'leads_status_terminal';
  END IF;

  -- Compare with the bookkeeping columns (and the generated column, NULL here) neutralised.
  probe := NEW;
  probe.updated_at := OLD.updated_at;
  probe.version := OLD.version;
  probe.status_changed_at := OLD.status_changed_at;
  probe.search_text := OLD.search_text;
  IF probe IS NOT DISTINCT FROM OLD THEN
    RETURN probe;  -- a no-op update leaves the row exactly as it was
  END IF;

  NEW.updated_at := now();
  NEW.version := OLD.version + 1;
  IF NEW.status <> OLD.status THEN
    NEW.status_changed_at := clock_timestamp();
  END IF;
  RETURN NEW;
END
$$;

-- The history triggers run once per statement over its transition tables, so a bulk import
-- or bulk update writes its history rows with one INSERT each instead of one per row.
-- Audit "changes" is {"column": {"old": ..., "new": ...}} for every changed column except
-- the bookkeeping ones below; an update that changed none of the others writes nothing.

-- AFTER INSERT: status history (from NULL) and a 'create' audit entry per new lead, whose
-- changes list the columns that were set (NULL and empty {} / [] values left out).
CREATE FUNCTION leads_after_insert() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  v_source text := coalesce(nullif(current_setting('app.change_source', true), ''), 'api');
  v_action text := coalesce(nullif(current_setting('app.audit_action', true), ''), 'create');
  v_actor  uuid := app_current_user();
  v_ip     text := nullif(current_setting('app.client_ip', true), '');
  v_agent  text := nullif(current_setting('app.user_agent', true), '');
  v_skip   text[] := ARRAY['organization_id', 'id', 'created_at', 'updated_at', 'version',
                           'search_text', 'status_changed_at'];
BEGIN
  INSERT INTO lead_status_history
    (organization_id, lead_id, from_status, to_status, changed_at, triggered_by, changed_by)
  SELECT n.organization_id, n.id, NULL, n.status, n.status_changed_at, v_source, v_actor
  FROM new_rows n;

  INSERT INTO lead_audit_log
    (organization_id, lead_id, action, changes, actor_id, client_ip, user_agent, occurred_at)
  SELECT n.organization_id, n.id, v_action,
         coalesce((SELECT jsonb_object_agg(f.key, jsonb_build_object('old', NULL, 'new', f.value))
                   FROM jsonb_each(to_jsonb(n) - v_skip) f
                   WHERE f.value NOT IN ('null', '{}', '[]')), '{}'),
         v_actor, v_ip, v_agent, clock_timestamp()
  FROM new_rows n;
  RETURN NULL;
END
$$;

-- AFTER UPDATE: status history for status changes, score history for score changes, and an
-- audit entry ('delete' / 'restore' when deleted_at is set / cleared, else 'update', unless
-- app.audit_action names the action) for every row with an audited change.
CREATE FUNCTION leads_after_update() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  v_source text := coalesce(nullif(current_setting('app.change_source', true), ''), 'api');
  v_action text := nullif(current_setting('app.audit_action', true), '');
  v_actor  uuid := app_current_user();
  v_ip     text := nullif(current_setting('app.client_ip', true), '');
  v_agent  text := nullif(current_setting('app.user_agent', true), '');
  v_skip   text[] := ARRAY['updated_at', 'version', 'search_text', 'status_changed_at'];
BEGIN
  INSERT INTO lead_status_history
    (organization_id, lead_id, from_status, to_status, changed_at, triggered_by, changed_by,
     time_in_previous_status)
  SELECT n.organization_id, n.id, o.status, n.status, n.status_changed_at, v_source, v_actor,
         n.status_changed_at - o.status_changed_at
  FROM old_rows o
  JOIN new_rows n ON n.organization_id = o.organization_id AND n.id = o.id
  WHERE n.status <> o.status;

  INSERT INTO lead_score_history
    (organization_id, lead_id, old_score, new_score, factors, reason, changed_by, created_at)
  SELECT n.organization_id, n.id, o.lead_score, n.lead_score, n.lead_score_factors, v_source,
         v_actor, clock_timestamp()
  FROM old_rows o
  JOIN new_rows n ON n.organization_id = o.organization_id AND n.id = o.id
  WHERE n.lead_score <> o.lead_score;

  INSERT INTO lead_audit_log
    (organization_id, lead_id, action, changes, actor_id, client_ip, user_agent, occurred_at)
  SELECT d.organization_id, d.id,
         coalesce(v_action,
                  CASE WHEN d.old_deleted IS NULL AND d.new_deleted IS NOT NULL THEN 'delete'
                       WHEN d.old_deleted IS NOT NULL AND d.new_deleted IS NULL THEN 'restore'
                       ELSE 'update' END),
         d.changes, v_actor, v_ip, v_agent, clock_timestamp()
  FROM (SELECT n.organization_id, n.id, o.deleted_at AS old_deleted, n.deleted_at AS new_deleted,
               (SELECT jsonb_object_agg(nv.key, jsonb_build_object('old', ov.value,
                                                                   'new', nv.value))
                FROM jsonb_each(to_jsonb(n) - v_skip) nv
                JOIN jsonb_each(to_jsonb(o) - v_skip) ov ON ov.key = nv.key
                WHERE nv.value <> ov.value) AS changes
        FROM old_rows o
        JOIN new_rows n ON n.organization_id = o.organization_id AND n.id = o.id) d
  WHERE d.changes IS NOT NULL;
  RETURN NULL;
END
$$;

CREATE TRIGGER before_update BEFORE UPDATE ON leads
  FOR EACH ROW EXECUTE FUNCTION leads_before_update();
CREATE TRIGGER check_timezone BEFORE INSERT OR UPDATE OF timezone ON leads
  FOR EACH ROW WHEN (NEW.timezone IS NOT NULL) EXECUTE FUNCTION app_check_timezone();
CREATE TRIGGER after_insert AFTER INSERT ON leads
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION leads_after_insert();
CREATE TRIGGER after_update AFTER UPDATE ON leads
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION leads_after_update();
SELECT app_setup_tenant_table('leads');

-- ---------------------------------------------------------------------------------------
-- lead_audit_log: field-level change history of leads (written by the leads triggers).
-- ---------------------------------------------------------------------------------------
CREATE TABLE lead_audit_log (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  lead_id         uuid NOT NULL,
  action          text NOT NULL CHECK (char_length(action) BETWEEN 1 AND 50),
  changes         jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(changes) = 'object'),
  actor_id        uuid,
  client_ip       text,
  user_agent      text,
  occurred_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, lead_id) REFERENCES leads (organization_id, id)
    ON DELETE RESTRICT
);

CREATE INDEX lead_audit_log_lead_idx ON lead_audit_log (organization_id, lead_id, occurred_at DESC);
SELECT app_setup_tenant_table('lead_audit_log', true);

-- ---------------------------------------------------------------------------------------
-- lead_status_history: one row per status a lead entered (funnel and time-in-stage).
-- ---------------------------------------------------------------------------------------
CREATE TABLE lead_status_history (
  organization_id         uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
  id                      uuid NOT NULL DEFAULT gen_random_uuid(),
  lead_id                 uuid NOT NULL,
  from_status             text CHECK (from_status IN ('new', 'contacted', 'qualified', 'nurturing',
                                                      'appointment_set', 'converted', 'lost')),
  to_status               text NOT NULL
                          CHECK (to_status IN ('new', 'contacted', 'qualified', 'nurturing',
                                               'appointment_set', 'converted', 'lost')),
  changed_at              timestamptz NOT NULL DEFAULT now(),
  triggered_by            text NOT NULL DEFAULT 'api' CHECK (char_length(triggered_by) <= 50),
  changed_by              uuid,
  time_in_previous_status interval,
  metadata                jsonb,
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, lead_id) REFERENCES leads (organization_id, id)
    ON DELETE RESTRICT
);

CREATE INDEX lead_status_history_lead_idx
  ON lead_status_history (organization_id, lead_id, changed_at DESC);
-- Funnels: a time window of one organization, counted by status, without visiting the heap.
CREATE INDEX lead_status_history_funnel_idx
  ON lead_status_history (organization_id, changed_at, to_status) INCLUDE (lead_id);
SELECT app_setup_tenant_table('lead_status_history', true);

-- ---------------------------------------------------------------------------------------
-- dnc_list: the organization's Do-Not-Call entries. Removal sets removed_at (kept forever).
-- ---------------------------------------------------------------------------------------
CREATE TABLE dnc_list (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  phone           text NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  reason          text CHECK (char_length(reason) <= 1000),
  source          text NOT NULL DEFAULT 'manual'
                  CHECK (source IN ('manual', 'sms_stop', 'ai_opt_out', 'import', 'complaint',
                                    'api', 'national', 'other')),
  added_by        uuid,
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz,
  removed_at      timestamptz,
  removed_by      uuid,
  removal_reason  text CHECK (char_length(removal_reason) <= 1000),
  PRIMARY KEY (organization_id, id)
);

-- At most one entry per number that has not been removed (an expired one still counts).
CREATE UNIQUE INDEX dnc_list_phone_key ON dnc_list (organization_id, phone)
  WHERE removed_at IS NULL;
CREATE INDEX dnc_list_created_idx ON dnc_list (organization_id, created_at DESC, id DESC);
SELECT app_setup_tenant_table('dnc_list');

-- True when the number is on the organization's list now (not removed, not expired).
-- Runs as the caller, under row-level security.
CREATE FUNCTION is_on_dnc_list(p_phone text, p_organization_id uuid) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT EXISTS (
    SELECT 1 FROM dnc_list d
    WHERE d.organization_id = p_organization_id
      AND d.phone = p_phone
      AND d.removed_at IS NULL
      AND (d.expires_at IS NULL OR d.expires_at > now()))
$$;

-- ---------------------------------------------------------------------------------------
-- lead_source_costs: what a lead source cost over a period (ROI).
-- ---------------------------------------------------------------------------------------
CREATE TABLE lead_source_costs (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  source          text NOT NULL CHECK (char_length(source) BETWEEN 1 AND 100),
  period_start    date NOT NULL,
  period_end      date NOT NULL,
  amount          numeric(14, 2) NOT NULL CHECK (amount >= 0),
  currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$') REFERENCES currencies (code),
  leads_purchased int CHECK (leads_purchased >= 0),
  notes           text,
  created_by      uuid,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  CONSTRAINT lead_source_costs_period_check CHECK (period_end >= period_start),
  CONSTRAINT lead_source_costs_period_key UNIQUE (organization_id, source, period_start, currency)
);

CREATE TRIGGER default_currency BEFORE INSERT ON lead_source_costs
  FOR EACH ROW WHEN (NEW.currency IS NULL) EXECUTE FUNCTION app_default_currency();
CREATE TRIGGER touch_updated_at BEFORE UPDATE ON lead_source_costs
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION app_touch_updated_at();
SELECT app_setup_tenant_table('lead_source_costs');

-- ---------------------------------------------------------------------------------------
-- nurture_sequences: automated multi-step follow-up definitions.
-- ---------------------------------------------------------------------------------------
CREATE TABLE nurture_sequences (
  organization_id    uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
  id                 uuid NOT NULL DEFAULT gen_random_uuid(),
  name               text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  description        text,
  steps              jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(steps) = 'array'),
  trigger_conditions jsonb NOT NULL DEFAULT '{}',
  channels           text[] NOT NULL DEFAULT '{}'
                     CHECK (channels <@ ARRAY['call', 'sms', 'email']::text[]),
  is_active          boolean NOT NULL DEFAULT true,
  created_by         uuid,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  version            int NOT NULL DEFAULT 1 CHECK (version >= 1),
  PRIMARY KEY (organization_id, id),
  CONSTRAINT nurture_sequences_name_key UNIQUE (organization_id, name)
);

CREATE TRIGGER touch_updated_at BEFORE UPDATE ON nurture_sequences
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
  EXECUTE FUNCTION app_touch_updated_at('version');
SELECT app_setup_tenant_table('nurture_sequences');

-- ---------------------------------------------------------------------------------------
-- lead_sequence_enrollments: a lead's progress through a sequence.
-- ---------------------------------------------------------------------------------------
CREATE TABLE lead_sequence_enrollments (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  lead_id         uuid NOT NULL,
  sequence_id     uuid NOT NULL,
  status          text NOT NULL DEFAULT 'active'
                  CHECK (status IN ('active', 'paused', 'completed', 'cancelled', 'failed')),
  current_step    int NOT NULL DEFAULT 0 CHECK (current_step >= 0),
  enrolled_at     timestamptz NOT NULL DEFAULT now(),
  next_step_at    timestamptz,
  completed_at    timestamptz,
  enrolled_by     uuid,
  execution_log   jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(execution_log) = 'array'),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, lead_id) REFERENCES leads (organization_id, id)
    ON DELETE RESTRICT,
  FOREIGN KEY (organization_id, sequence_id) REFERENCES nurture_sequences (organization_id, id)
    ON DELETE RESTRICT
);

-- A lead is in a given sequence at most once at a time (finished enrollments may repeat).
CREATE UNIQUE INDEX lead_sequence_enrollments_live_key
  ON lead_sequence_enrollments (organization_id, lead_id, sequence_id)
  WHERE status IN ('active', 'paused');
-- The job runner: due steps across organizations.
CREATE INDEX lead_sequence_enrollments_due_idx ON lead_sequence_enrollments (next_step_at)
  WHERE status = 'active';
CREATE INDEX lead_sequence_enrollments_lead_idx ON lead_sequence_enrollments (organization_id, lead_id);
CREATE INDEX lead_sequence_enrollments_sequence_idx
  ON lead_sequence_enrollments (organization_id, sequence_id, status);

CREATE TRIGGER touch_updated_at BEFORE UPDATE ON lead_sequence_enrollments
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION app_touch_updated_at();
SELECT app_setup_tenant_table('lead_sequence_enrollments');

-- ---------------------------------------------------------------------------------------
-- segments: saved lead filters.
-- ---------------------------------------------------------------------------------------
CREATE TABLE segments (
  organization_id   uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
  id                uuid NOT NULL DEFAULT gen_random_uuid(),
  name              text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  description       text,
  filter_criteria   jsonb NOT NULL CHECK (jsonb_typeof(filter_criteria) = 'object'),
  is_public         boolean NOT NULL DEFAULT false,
  created_by        uuid,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  cached_count      int CHECK (cached_count >= 0),
  last_evaluated_at timestamptz,
  PRIMARY KEY (organization_id, id)
);

CREATE INDEX segments_created_by_idx ON segments (organization_id, created_by);

CREATE TRIGGER touch_updated_at BEFORE UPDATE ON segments
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION app_touch_updated_at();
SELECT app_setup_tenant_table('segments');

-- ---------------------------------------------------------------------------------------
-- budget_transactions: the append-only money ledger, one running balance per organization
-- and currency. entry_no numbers the entries of that balance 1, 2, 3, ...; the UNIQUE on it
-- makes a forked balance impossible even for a writer that skipped the lock.
-- ---------------------------------------------------------------------------------------
CREATE TABLE budget_transactions (
  organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
  id               uuid NOT NULL DEFAULT gen_random_uuid(),
  entry_no         bigint NOT NULL CHECK (entry_no >= 1),
  transaction_type text NOT NULL
                   CHECK (transaction_type IN ('deposit', 'lead_purchase', 'refund', 'adjustment',
                                               'fee')),
  amount           numeric(14, 2) NOT NULL CHECK (amount <> 0),
  currency         char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$') REFERENCES currencies (code),
  balance_before   numeric(14, 2) NOT NULL,
  balance_after    numeric(14, 2) NOT NULL,
  lead_id          uuid,
  source           text CHECK (char_length(source) <= 100),
  description      text,
  reference        text CHECK (char_length(reference) <= 200),
  created_by       uuid,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  CONSTRAINT budget_transactions_balance_check CHECK (balance_after = balance_before + amount),
  -- Credits are positive, debits negative; an adjustment may go either way.
  CONSTRAINT budget_transactions_sign_check CHECK (
    (transaction_type IN ('deposit', 'refund') AND amount > 0) OR
    (transaction_type IN ('lead_purchase', 'fee') AND amount < 0) OR
    transaction_type = 'adjustment'),
  CONSTRAINT budget_transactions_entry_key UNIQUE (organization_id, currency, entry_no),
  FOREIGN KEY (organization_id, lead_id) REFERENCES leads (organization_id, id)
    ON DELETE RESTRICT
);

CREATE INDEX budget_transactions_created_idx
  ON budget_transactions (organization_id, currency, created_at DESC);
CREATE INDEX budget_transactions_lead_idx ON budget_transactions (organization_id, lead_id)
  WHERE lead_id IS NOT NULL;

-- BEFORE INSERT: numbers the entry and computes both balances from the latest entry of the
-- same organization and currency; values supplied by the caller are replaced. The advisory
-- lock (held to the end of the transaction) serialises writers of one balance.
CREATE FUNCTION budget_transactions_balance() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  v_last_no      bigint;
  v_last_balance numeric(14, 2);
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('budget_transactions'),
                                hashtext(NEW.organization_id::text || ':' || NEW.currency));
  SELECT b.entry_no, b.balance_after INTO v_last_no, v_last_balance
  FROM budget_transactions b
  WHERE b.organization_id = NEW.organization_id AND b.currency = NEW.currency
  ORDER BY b.entry_no DESC
  LIMIT 1;
  NEW.entry_no := coalesce(v_last_no, 0) + 1;
  NEW.balance_before := coalesce(v_last_balance, 0);
  NEW.balance_after := NEW.balance_before + NEW.amount;
  RETURN NEW;
END
$$;

-- Triggers of one event fire in name order: the currency is filled in before the balance.
CREATE TRIGGER default_currency BEFORE INSERT ON budget_transactions
  FOR EACH ROW WHEN (NEW.currency IS NULL) EXECUTE FUNCTION app_default_currency();
CREATE TRIGGER ledger_balance BEFORE INSERT ON budget_transactions
  FOR EACH ROW EXECUTE FUNCTION budget_transactions_balance();
SELECT app_setup_tenant_table('budget_transactions', true);

-- ---------------------------------------------------------------------------------------
-- lead_assignments: who owned a lead when, and why (append-only).
-- ---------------------------------------------------------------------------------------
CREATE TABLE lead_assignments (
  organization_id   uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
  id                uuid NOT NULL DEFAULT gen_random_uuid(),
  lead_id           uuid NOT NULL,
  assigned_to       uuid,
  previous_assignee uuid,
  assigned_by       uuid,
  strategy          text NOT NULL DEFAULT 'manual'
                    CHECK (strategy IN ('manual', 'round_robin', 'weighted', 'territory',
                                        'load_balanced', 'rule', 'import')),
  reason            text,
  context           jsonb NOT NULL DEFAULT '{}',
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, lead_id) REFERENCES leads (organization_id, id)
    ON DELETE RESTRICT,
  CONSTRAINT lead_assignments_assigned_to_fkey FOREIGN KEY (organization_id, assigned_to)
    REFERENCES users (organization_id, id) ON DELETE RESTRICT
);

CREATE INDEX lead_assignments_lead_idx ON lead_assignments (organization_id, lead_id, created_at DESC);
CREATE INDEX lead_assignments_assignee_idx
  ON lead_assignments (organization_id, assigned_to, created_at DESC);
SELECT app_setup_tenant_table('lead_assignments', true);

-- ---------------------------------------------------------------------------------------
-- lead_score_history: every lead_score change (written by the leads trigger).
-- ---------------------------------------------------------------------------------------
CREATE TABLE lead_score_history (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  lead_id         uuid NOT NULL,
  old_score       int CHECK (old_score BETWEEN 0 AND 100),
  new_score       int NOT NULL CHECK (new_score BETWEEN 0 AND 100),
  factors         jsonb,
  reason          text,
  changed_by      uuid,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, lead_id) REFERENCES leads (organization_id, id)
    ON DELETE RESTRICT
);

CREATE INDEX lead_score_history_lead_idx
  ON lead_score_history (organization_id, lead_id, created_at DESC);
SELECT app_setup_tenant_table('lead_score_history', true);

-- ---------------------------------------------------------------------------------------
-- system_config: per-organization settings, one JSON value per key.
-- ---------------------------------------------------------------------------------------
CREATE TABLE system_config (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
  key             text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 200),
  value           jsonb NOT NULL,
  description     text,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  updated_by      uuid,
  PRIMARY KEY (organization_id, key)
);

CREATE TRIGGER touch_updated_at BEFORE UPDATE ON system_config
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION app_touch_updated_at();
SELECT app_setup_tenant_table('system_config');

GRANT EXECUTE ON FUNCTION is_on_dnc_list(text, uuid) TO leadline_app;
