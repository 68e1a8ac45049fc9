-- POST /api/leads/bulk {"ids": [...], "operation": {"add_tags": [tag]}} as the server runs
-- it (LeadService::Bulk): lock the rows, name the audit action, then one UPDATE whose
-- statement triggers write the audit entries. psql variables: org, uid, tag, and ids_file:
-- a file holding the uuid array literal (too long for a command-line argument).
\set ids `cat :'ids_file'`
\timing on
BEGIN;
SELECT set_config('app.organization_id', :'org', true), set_config('app.user_id', :'uid', true),
       set_config('app.client_ip', '127.0.0.1', true), set_config('app.user_agent', 'psql', true),
       set_config('app.change_source', 'api', true), set_config('app.audit_action', '', true);
SELECT set_config('app.audit_action', 'bulk_update', true);
SELECT count(*) FROM (SELECT l.id, l.status, l.assigned_to, array_to_json(l.tags)::text
  FROM leads l WHERE l.organization_id = app_current_org() AND l.id = ANY (:'ids'::uuid[])
  AND l.deleted_at IS NULL ORDER BY l.id FOR UPDATE) locked;
UPDATE leads AS l SET tags = ARRAY(SELECT u.t FROM unnest(l.tags || ARRAY[:'tag']::text[])
  WITH ORDINALITY AS u(t, n) WHERE u.t <> ALL ('{}'::text[]) GROUP BY u.t ORDER BY min(u.n))
WHERE l.organization_id = app_current_org() AND l.id = ANY (:'ids'::uuid[])
  AND l.deleted_at IS NULL;
COMMIT;
