-- 0010_import_statistics_checks: the statistics refresh of 0009 as one plain check per table;
-- the DNC list checked once when an import starts instead of after every batch; dry runs
-- refreshed too; and a refresh that cannot get its table at once leaves it for the next batch.
--
-- An import never writes dnc_list, so the list's statistics cannot go stale during a job;
-- what can be stale is the organization's entries added since the last ANALYZE, and the
-- match of the first batch is the one that needs them right. A dry run is one transaction
-- over the whole file, so its ANALYZE keeps the table's SHARE UPDATE EXCLUSIVE lock until it
-- ends: other imports' refreshes would queue behind it, hence the one-second lock timeout,
-- after which the refresh is skipped (and tried again after the caller's next batch).

-- Whether a table changed by more rows than it held when last analysed (0008's rule).
CREATE FUNCTION app_statistics_outgrown(p_table regclass) RETURNS boolean
LANGUAGE sql STABLE
SET search_path = public, pg_temp
AS $$
  SELECT coalesce((SELECT s.n_mod_since_analyze > greatest(c.reltuples, 1000)
                   FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid
                   WHERE c.oid = p_table), false)
$$;
REVOKE EXECUTE ON FUNCTION app_statistics_outgrown(regclass) FROM PUBLIC;

-- ANALYZE p_table unless another transaction holds a conflicting lock on it for a second
-- (an ANALYZE in a dry run, a VACUUM); returns whether it analysed.
CREATE FUNCTION app_try_analyze(p_table regclass) RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = public, pg_temp
SET lock_timeout = '1s'
AS $$
BEGIN
  EXECUTE format('ANALYZE %s', p_table);
  RETURN true;
EXCEPTION WHEN lock_not_available THEN
  RETURN false;
END
$$;
REVOKE EXECUTE ON FUNCTION app_try_analyze(regclass) FROM PUBLIC;

-- Called by an import after each batch, with its job id, for the caller's organization.
-- ANALYZEs leads when it outgrew its statistics or the planner expects under a quarter of the
-- leads the job has created in the organization, and import_rows likewise with the rows the
-- job has kept there (0009 explains the fourfold margin). Returns how many tables it analysed.
CREATE OR REPLACE FUNCTION import_refresh_statistics(p_import uuid) RETURNS int
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
  v_org uuid := app_current_org();
  v_created bigint;
  v_kept bigint;
  v_analysed int := 0;
BEGIN
  IF v_org IS NULL THEN
    RETURN 0;
  END IF;
  SELECT j.created, j.processed_rows - j.created INTO v_created, v_kept
  FROM import_jobs j WHERE j.organization_id = v_org AND j.id = p_import;
  IF NOT FOUND THEN
    RETURN 0;
  END IF;

  IF (app_statistics_outgrown('leads')
      OR (v_created >= 1000
          AND app_planner_rows('leads', format('organization_id = %L', v_org)) * 4 < v_created))
     AND app_try_analyze('leads') THEN
    v_analysed := v_analysed + 1;
  END IF;
  IF (app_statistics_outgrown('import_rows')
      OR (v_kept >= 1000
          AND app_planner_rows('import_rows', format('organization_id = %L AND import_id = %L',
                                                     v_org, p_import)) * 4 < v_kept))
     AND app_try_analyze('import_rows') THEN
    v_analysed := v_analysed + 1;
  END IF;
  RETURN v_analysed;
END
$$;

-- Called by an import once before its first batch (and again when it resumes), for the
-- caller's organization: ANALYZEs dnc_list when the organization has at least four times the
-- entries the planner expects plus 1,000, counted no further than that. Returns whether it
-- analysed.
CREATE FUNCTION import_refresh_dnc_statistics() RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
  v_org uuid := app_current_org();
  v_cap bigint;
BEGIN
  IF v_org IS NULL THEN
    RETURN false;
  END IF;
  v_cap := ceil(app_planner_rows('dnc_list', format('organization_id = %L', v_org))) * 4 + 1000;
  IF (SELECT count(*) FROM (SELECT 1 FROM dnc_list d
                            WHERE d.organization_id = v_org LIMIT v_cap) c) < v_cap THEN
    RETURN false;
  END IF;
  RETURN app_try_analyze('dnc_list');
END
$$;
REVOKE EXECUTE ON FUNCTION import_refresh_dnc_statistics() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION import_refresh_dnc_statistics() TO leadline_app;
