-- 0016_connector_schedules: a connector can sync on its own, every N minutes.
--
-- A scheduled sync is due when the connector has a schedule and credentials, no sync of it is
-- queued or running, and its latest sync (of any outcome, manual or scheduled) was queued at
-- least sync_every_minutes ago; a connector never synced is due at once. Counting from the
-- latest sync of any outcome means a failing connector is retried once per period, not in a
-- loop. The schedulers of every server look for due connectors (connector_due_syncs) and queue
-- each in its organization, re-checking under the connector's row lock
-- (connector_sync_is_due), so two servers never queue the same period twice.
ALTER TABLE crm_connectors
  ADD COLUMN sync_every_minutes integer
    CHECK (sync_every_minutes IS NULL OR sync_every_minutes BETWEEN 15 AND 10080);

CREATE INDEX crm_connectors_scheduled_idx ON crm_connectors (organization_id, id)
  WHERE sync_every_minutes IS NOT NULL AND disabled_at IS NULL;

-- When the connector's next scheduled sync is due (-infinity plus the period when it never
-- synced), or null when it is not due at all: no schedule, no credentials, deleted, or a sync
-- of it queued or running. The one definition of "due" for both functions below; runs as its
-- caller (row-level security applies unless the caller is the owner).
CREATE FUNCTION connector_sync_due_at(c crm_connectors) RETURNS timestamptz
LANGUAGE sql STABLE
SET search_path = public, pg_temp
AS $$
  SELECT CASE
    WHEN c.sync_every_minutes IS NULL OR c.disabled_at IS NOT NULL
         OR c.credentials_ciphertext IS NULL THEN NULL
    WHEN EXISTS (SELECT 1 FROM import_jobs j
                 WHERE j.organization_id = c.organization_id AND j.connector_id = c.id
                   AND j.status IN ('queued', 'running')) THEN NULL
    ELSE coalesce((SELECT max(j.created_at) FROM import_jobs j
                   WHERE j.organization_id = c.organization_id AND j.connector_id = c.id),
                  '-infinity'::timestamptz)
         + make_interval(mins => c.sync_every_minutes)
  END
$$;

-- Whether the caller's connector is due for a scheduled sync; locks its row (FOR UPDATE) so
-- that the check and the job queued after it in the same transaction are one step for every
-- other server doing the same.
CREATE FUNCTION connector_sync_is_due(p_connector uuid) RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = public, pg_temp
AS $$
DECLARE
  c crm_connectors;
BEGIN
  SELECT * INTO c FROM crm_connectors
  WHERE organization_id = app_current_org() AND id = p_connector
  FOR UPDATE;
  RETURN FOUND AND coalesce(connector_sync_due_at(c) <= now(), false);
END
$$;

-- The connectors of every organization whose scheduled sync is due, longest overdue first.
-- The scheduler needs to see past row-level security for this one query, like the import
-- worker's import_claim_job; it then queues each sync in the connector's own organization.
CREATE FUNCTION connector_due_syncs(p_limit integer)
RETURNS TABLE (organization_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
  SELECT d.organization_id, d.id
  FROM (SELECT c.organization_id, c.id, connector_sync_due_at(c) AS due_at
        FROM crm_connectors c
        WHERE c.sync_every_minutes IS NOT NULL AND c.disabled_at IS NULL) d
  WHERE d.due_at <= now()
  ORDER BY d.due_at, d.id
  LIMIT p_limit
$$;
REVOKE EXECUTE ON FUNCTION connector_due_syncs(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION connector_due_syncs(integer) TO leadline_app;
