-- Reverts 0008_bulk_writes: the history foreign keys come back, create audits written since
-- keep their values in created_values until this column goes (they are folded into
-- `changes` first, so no entry loses its content).

DROP FUNCTION import_refresh_statistics();
DROP INDEX import_rows_email_idx;
DROP INDEX import_rows_phone_idx;
DROP INDEX leads_email_idx;
CREATE INDEX leads_email_idx ON leads (organization_id, email)
  WHERE deleted_at IS NULL AND email IS NOT NULL;

ALTER TABLE lead_audit_log DISABLE TRIGGER append_only;
UPDATE lead_audit_log SET changes = lead_audit_changes(changes, created_values)
WHERE created_values IS NOT NULL;
ALTER TABLE lead_audit_log ENABLE TRIGGER append_only;

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

DROP FUNCTION lead_audit_changes(jsonb, jsonb);
ALTER TABLE lead_audit_log DROP COLUMN created_values;

DROP TRIGGER reject_truncate ON leads;
DROP TRIGGER reject_delete ON leads;
DROP FUNCTION leads_reject_delete();

ALTER TABLE lead_status_history
  ADD FOREIGN KEY (organization_id) REFERENCES organizations (id) ON DELETE RESTRICT,
  ADD FOREIGN KEY (organization_id, lead_id) REFERENCES leads (organization_id, id)
    ON DELETE RESTRICT;
ALTER TABLE lead_audit_log
  ADD FOREIGN KEY (organization_id) REFERENCES organizations (id) ON DELETE RESTRICT,
  ADD FOREIGN KEY (organization_id, lead_id) REFERENCES leads (organization_id, id)
    ON DELETE RESTRICT;
