-- Reverts 0014_import_rows_job_statistics: 0010's refresh, without the dependency statistics.
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
ALTER TABLE import_jobs DROP COLUMN statistics_leads_at, DROP COLUMN statistics_rows_at;
DROP STATISTICS import_rows_job_dependency;
