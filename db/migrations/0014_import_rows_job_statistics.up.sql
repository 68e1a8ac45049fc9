-- 0014_import_rows_job_statistics: the planner learns that an import id belongs to one
-- organization, and an import's statistics refresh analyses a table again only once the job
-- has doubled what it wrote there since the table was last analysed.
--
-- import_refresh_statistics (0010) re-analyses import_rows while the planner expects fewer
-- than a quarter of the rows the job has kept. The planner multiplied the selectivities of
-- organization_id and import_id as if independent, so an import of an organization holding a
-- share s of import_rows was estimated at s² of the table: below the threshold whatever
-- ANALYZE saw. Measured in a database of 13 imports (172,328 kept rows): an import of 200,000
-- rows keeping 13,256 was estimated at 1,025 right after an ANALYZE, and analysed import_rows
-- after every one of its ten batches (2.5 s of its 20 s). With the dependency below the
-- estimate is the import id's own (13,292). The second rule bounds the refresh whatever the
-- estimate: an ANALYZE per doubling of the job, a handful per million rows.
CREATE STATISTICS import_rows_job_dependency (dependencies) ON organization_id, import_id
  FROM import_rows;
ANALYZE import_rows;

-- Rows inserted, updated or deleted in p_table since it was last analysed (0 when unknown).
CREATE FUNCTION app_changed_since_analyze(p_table regclass) RETURNS bigint
LANGUAGE sql STABLE
SET search_path = public, pg_temp
AS $$
  SELECT coalesce((SELECT s.n_mod_since_analyze FROM pg_stat_user_tables s
                   WHERE s.relid = p_table), 0)
$$;
REVOKE EXECUTE ON FUNCTION app_changed_since_analyze(regclass) FROM PUBLIC;

-- 0010's refresh, where the planner's estimate for the job's organization (leads) or for the
-- job (import_rows) counts as stale only when the table also changed, since its last ANALYZE,
-- by at least half of what the job wrote there: an estimate that an ANALYZE could not
-- correct is not analysed again until the job has doubled.
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
          AND app_changed_since_analyze('leads') * 2 >= v_created
          AND app_planner_rows('leads', format('organization_id = %L', v_org)) * 4 < v_created))
     AND app_try_analyze('leads') THEN
    v_analysed := v_analysed + 1;
  END IF;
  IF (app_statistics_outgrown('import_rows')
      OR (v_kept >= 1000
          AND app_changed_since_analyze('import_rows') * 2 >= v_kept
          AND app_planner_rows('import_rows', format('organization_id = %L AND import_id = %L',
                                                     v_org, p_import)) * 4 < v_kept))
     AND app_try_analyze('import_rows') THEN
    v_analysed := v_analysed + 1;
  END IF;
  RETURN v_analysed;
END
$$;
