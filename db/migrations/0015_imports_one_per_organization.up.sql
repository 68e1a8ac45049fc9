-- 0015_imports_one_per_organization: one import runs at a time in an organization, across
-- every server and `leadline import`.
--
-- Two jobs of one organization running at once could each find no lead with a row's email
-- and each create one (a live lead's phone is unique in its organization, its email is not):
-- a file uploaded twice, or a file import beside a connector's sync, could duplicate the
-- leads that have an email and no phone. Whoever runs a job now also holds its
-- organization's import lock (a session-level advisory lock, gone with the connection): a
-- worker skips a job whose organization is importing and takes the next, and `leadline
-- import` waits for the lock.

-- The advisory lock keys: a job's (0005's expression) and its organization's.
CREATE FUNCTION app_import_job_key(p_job uuid) RETURNS bigint
LANGUAGE sql IMMUTABLE
AS $$ SELECT hashtextextended('import:' || p_job::text, 0) $$;
CREATE FUNCTION app_import_organization_key(p_org uuid) RETURNS bigint
LANGUAGE sql IMMUTABLE
AS $$ SELECT hashtextextended('import-organization:' || p_org::text, 0) $$;

-- The oldest queued or running job (p_job: that one) that no session runs and whose
-- organization no session is importing into; marked running, with both locks held by the
-- calling session until import_release_job.
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
    IF pg_try_advisory_lock(app_import_job_key(r.id)) THEN
      IF pg_try_advisory_lock(app_import_organization_key(r.organization_id)) THEN
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
        PERFORM pg_advisory_unlock(app_import_organization_key(r.organization_id));
      END IF;
      PERFORM pg_advisory_unlock(app_import_job_key(r.id));
    END IF;
  END LOOP;
END
$$;

-- For `leadline import`, which runs a job it creates itself: takes the organization's lock
-- (released by import_release_job) if no other session holds it, or waits for it.
CREATE FUNCTION import_try_lock_organization(p_org uuid) RETURNS boolean
LANGUAGE sql
AS $$ SELECT pg_try_advisory_lock(app_import_organization_key(p_org)) $$;
GRANT EXECUTE ON FUNCTION import_try_lock_organization(uuid) TO leadline_app;
CREATE FUNCTION import_lock_organization(p_org uuid) RETURNS void
LANGUAGE sql
AS $$ SELECT pg_advisory_lock(app_import_organization_key(p_org)) $$;
GRANT EXECUTE ON FUNCTION import_lock_organization(uuid) TO leadline_app;

-- Ends a run: the job's lock and its organization's.
DROP FUNCTION import_release_job(uuid);
CREATE FUNCTION import_release_job(p_job uuid, p_org uuid) RETURNS void
LANGUAGE sql
AS $$
  SELECT pg_advisory_unlock(app_import_job_key(p_job));
  SELECT pg_advisory_unlock(app_import_organization_key(p_org));
$$;
GRANT EXECUTE ON FUNCTION import_release_job(uuid, uuid) TO leadline_app;
