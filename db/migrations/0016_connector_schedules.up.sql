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

-- When the connector's next scheduled sync is due (now or earlier: due), or null when it has
-- no schedule. Runs as the caller (row-level security applies to both tables).
CREATE FUNCTION connector_next_sync_at(p_org uuid, p_connector uuid, p_every integer)
RETURNS timestamptz
LANGUAGE sql STABLE
SET search_path = public, pg_temp
AS $$
  SELECT CASE WHEN p_every IS NULL THEN NULL
         ELSE coalesce((SELECT max(j.created_at) FROM import_jobs j
                        WHERE j.organization_id = p_org AND j.connector_id = p_connector),
                       '-infinity'::timestamptz)
              + make_interval(mins => p_every) END
$$;

-- Whether the caller's connector is due for a scheduled sync; locks its row (FOR UPDATE) so
-- that the check and the job queued after it in the same transaction are one step for every
-- other server doing the same.
CREATE FUNCTION connector_sync_is_due(p_connector uuid) RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = public, pg_temp
AS $$
DECLARE
  c record;
BEGIN
  SELECT organization_id, id, sync_every_minutes INTO c FROM crm_connectors
  WHERE organization_id = app_current_org() AND id = p_connector AND disabled_at IS NULL
    AND sync_every_minutes IS NOT NULL AND credentials_ciphertext IS NOT NULL
  FOR UPDATE;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  IF EXISTS (SELECT 1 FROM import_jobs j
             WHERE j.organization_id = c.organization_id AND j.connector_id = c.id
               AND j.status IN ('queued', 'running')) THEN
    RETURN false;
  END IF;
  RETURN connector_next_sync_at(c.organization_id, c.id, c.sync_every_minutes) <= now();
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
  SELECT c.organization_id, c.id FROM crm_connectors c
  WHERE c.sync_every_minutes IS NOT NULL AND c.disabled_at IS NULL
    AND c.credentials_ciphertext IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM import_jobs j
                    WHERE j.organization_id = c.organization_id AND j.connector_id = c.id
                      AND j.status IN ('queued', 'running'))
    AND connector_next_sync_at(c.organization_id, c.id, c.sync_every_minutes) <= now()
  ORDER BY connector_next_sync_at(c.organization_id, c.id, c.sync_every_minutes), c.id
  LIMIT p_limit
$$;
REVOKE EXECUTE ON FUNCTION connector_due_syncs(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION connector_due_syncs(integer) TO leadline_app;
