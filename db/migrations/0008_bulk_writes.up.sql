-- 0008_bulk_writes: what a million-row import costs per lead, cut where it was spent without
-- losing a row of history. Measured per created lead (10,000-row statements): the two
-- foreign keys of each history table checked row by row (~18 µs a table), and the create
-- audit's per-row jsonb_each/jsonb_object_agg (~38 µs). See docs/schema.md ("Audit") and
-- docs/imports.md ("How an import runs").

-- ---------------------------------------------------------------------------------------
-- History rows are written only by the leads triggers, from the leads being written, so
-- their lead always exists; what the foreign keys added was that a lead (and through it its
-- organization) can never be hard-deleted while it has history, and every lead has. That
-- rule is now the leads table's own, stated once instead of checked per history row.
-- ---------------------------------------------------------------------------------------
ALTER TABLE lead_audit_log
  DROP CONSTRAINT lead_audit_log_organization_id_lead_id_fkey,
  DROP CONSTRAINT lead_audit_log_organization_id_fkey;
ALTER TABLE lead_status_history
  DROP CONSTRAINT lead_status_history_organization_id_lead_id_fkey,
  DROP CONSTRAINT lead_status_history_organization_id_fkey;

-- Leads are soft-deleted (deleted_at); their rows, and so their history, stay for good.
-- SQLSTATE 23503, as the foreign keys answered before.
CREATE FUNCTION leads_reject_delete() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  RAISE EXCEPTION 'leads are never deleted: set deleted_at (soft delete) instead'
    USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA,
          CONSTRAINT = 'leads_keep_history';
END
$$;
CREATE TRIGGER reject_delete BEFORE DELETE ON leads
  FOR EACH ROW EXECUTE FUNCTION leads_reject_delete();
CREATE TRIGGER reject_truncate BEFORE TRUNCATE ON leads
  FOR EACH STATEMENT EXECUTE FUNCTION leads_reject_delete();

-- ---------------------------------------------------------------------------------------
-- The create audit entry keeps the lead's columns as written (created_values: one
-- to_jsonb per row, ~10 µs) and is read as field-level changes by lead_audit_changes:
-- {"field": {"old": null, "new": value}} for every column set (NULL and empty {} / []
-- left out), exactly what the trigger used to store in `changes`. Entries written before
-- this migration keep their `changes` and read the same.
-- ---------------------------------------------------------------------------------------
ALTER TABLE lead_audit_log
  ADD COLUMN created_values jsonb CHECK (jsonb_typeof(created_values) = 'object');

CREATE FUNCTION lead_audit_changes(p_changes jsonb, p_created_values jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE WHEN p_created_values IS NULL THEN p_changes ELSE
    coalesce((SELECT jsonb_object_agg(f.key, jsonb_build_object('old', NULL, 'new', f.value))
              FROM jsonb_each(p_created_values) f
              WHERE f.value NOT IN ('null', '{}', '[]')), '{}') END
$$;

CREATE OR REPLACE FUNCTION leads_after_insert() RETURNS trigger
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
    (organization_id, lead_id, action, changes, created_values, actor_id, client_ip,
     user_agent, occurred_at)
  SELECT n.organization_id, n.id, v_action, '{}', to_jsonb(n) - v_skip, v_actor, v_ip, v_agent,
         clock_timestamp()
  FROM new_rows n;
  RETURN NULL;
END
$$;

-- ---------------------------------------------------------------------------------------
-- Imports. Rows are now read and applied in one pass, batch by batch (docs/imports.md);
-- import_rows keeps the rows that did not create a lead (failed, skipped, updated), and a
-- later batch finds the phones and emails of earlier ones through the two indexes below.
-- ---------------------------------------------------------------------------------------
-- Matching a row by email takes the oldest live lead with it; with created_at and id in the
-- index that is its first entry, and no plan can walk the whole organization in created_at
-- order instead (what a planner without statistics chose during a first import: ~6 ms a row
-- at 20,000 leads, growing with them).
DROP INDEX leads_email_idx;
CREATE INDEX leads_email_idx ON leads (organization_id, email, created_at, id)
  WHERE deleted_at IS NULL AND email IS NOT NULL;

CREATE INDEX import_rows_phone_idx ON import_rows (organization_id, import_id, phone)
  WHERE error IS NULL AND phone IS NOT NULL;
CREATE INDEX import_rows_email_idx ON import_rows (organization_id, import_id, email)
  WHERE error IS NULL AND email IS NOT NULL;

-- The planner's statistics of the tables an import reads while it writes them. Autovacuum
-- refreshes them within a minute or so, but an import into a new database or organization
-- outgrows them in seconds: with none yet, the per-row lead lookup by phone was planned
-- through leads_source_idx (every lead of the organization filtered by phone, 8 ms a row at
-- 20,000 leads) instead of leads_phone_key. The import calls this after every batch; it
-- analyses a table only once it has changed by more than it held when last analysed, so a
-- million-row import pays for a handful of ANALYZEs. The server role may not ANALYZE tables
-- it does not own, hence SECURITY DEFINER; it takes no argument and touches no data.
CREATE FUNCTION import_refresh_statistics() RETURNS int
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
  r record;
  v_analysed int := 0;
BEGIN
  FOR r IN SELECT c.relname, c.reltuples, s.n_mod_since_analyze
           FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid
           WHERE c.oid IN ('leads'::regclass, 'import_rows'::regclass)
  LOOP
    IF r.n_mod_since_analyze > greatest(r.reltuples, 1000) THEN
      EXECUTE format('ANALYZE %I', r.relname);
      v_analysed := v_analysed + 1;
    END IF;
  END LOOP;
  RETURN v_analysed;
END
$$;
REVOKE EXECUTE ON FUNCTION import_refresh_statistics() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION import_refresh_statistics() TO leadline_app;

-- A job interrupted half-way under the old two-pass layout cannot resume in the new one.
UPDATE import_jobs
SET status = 'failed', finished_at = now(),
    error = 'interrupted by a Leadline upgrade before it finished; undo it and import again'
WHERE status = 'running' AND total_rows > 0;
