-- Reverts 0015_imports_one_per_organization: jobs of one organization may run at once again.
DROP FUNCTION import_release_job(uuid, uuid);
CREATE FUNCTION import_release_job(p_job uuid) RETURNS void
LANGUAGE sql
AS $$
  SELECT pg_advisory_unlock(hashtextextended('import:' || p_job::text, 0));
$$;
GRANT EXECUTE ON FUNCTION import_release_job(uuid) TO leadline_app;
DROP FUNCTION import_try_lock_organization(uuid);
DROP FUNCTION import_lock_organization(uuid);
CREATE OR REPLACE FUNCTION import_claim_job(p_job uuid DEFAULT NULL)
RETURNS TABLE (organization_id uuid, id uuid, created_by uuid)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT j.organization_id, j.id, j.created_by FROM import_jobs j
           WHERE j.status IN ('queued', 'running') AND (p_job IS NULL OR j.id = p_job)
           ORDER BY j.created_at, j.id
  LOOP
    IF pg_try_advisory_lock(hashtextextended('import:' || r.id::text, 0)) THEN
      UPDATE import_jobs j SET status = 'running', attempts = j.attempts + 1,
                               started_at = coalesce(j.started_at, now()), heartbeat_at = now()
      WHERE j.organization_id = r.organization_id AND j.id = r.id
        AND j.status IN ('queued', 'running');
      IF FOUND THEN
        organization_id := r.organization_id;
        id := r.id;
        created_by := r.created_by;
        RETURN NEXT;
        RETURN;
      END IF;
      PERFORM pg_advisory_unlock(hashtextextended('import:' || r.id::text, 0));
    END IF;
  END LOOP;
END
$$;
DROP FUNCTION app_import_organization_key(uuid);
DROP FUNCTION app_import_job_key(uuid);
