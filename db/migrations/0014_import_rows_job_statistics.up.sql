-- 0014_import_rows_job_statistics: the planner learns that an import id belongs to one
-- organization, and an import's statistics refresh analyses a table for an underestimate
-- again only once the job has doubled what it wrote there since the last such ANALYZE.
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

-- The job's created leads (kept rows) when its refresh last analysed leads (import_rows)
-- because the planner underestimated them.
ALTER TABLE import_jobs
  ADD COLUMN statistics_leads_at bigint NOT NULL DEFAULT 0,
  ADD COLUMN statistics_rows_at bigint NOT NULL DEFAULT 0;

-- 0010's refresh, where an underestimate of the job's leads in the organization (of its rows
-- in import_rows) is analysed again only once the job has doubled them since its refresh last
-- did: an estimate that an ANALYZE could not correct costs one per doubling, not one per
-- batch. The job's own counts decide, not the table's change counter, which PostgreSQL
-- publishes up to a second late. The job row is written after the ANALYZEs, so the batches
-- committing meanwhile do not wait for them.
CREATE OR REPLACE FUNCTION import_refresh_statistics(p_import uuid) RETURNS int
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
  v_org uuid := app_current_org();
  v_created bigint;
  v_kept bigint;
  v_leads_at bigint;
  v_rows_at bigint;
  v_analysed int := 0;
  v_leads_low boolean;
  v_rows_low boolean;
BEGIN
  IF v_org IS NULL THEN
    RETURN 0;
  END IF;
  SELECT j.created, j.processed_rows - j.created, j.statistics_leads_at, j.statistics_rows_at
  INTO v_created, v_kept, v_leads_at, v_rows_at
  FROM import_jobs j WHERE j.organization_id = v_org AND j.id = p_import;
  IF NOT FOUND THEN
    RETURN 0;
  END IF;

  v_leads_low := v_created >= 1000 AND v_created >= 2 * v_leads_at
                 AND app_planner_rows('leads', format('organization_id = %L', v_org)) * 4
                     < v_created;
  IF (app_statistics_outgrown('leads') OR v_leads_low) AND app_try_analyze('leads') THEN
    v_analysed := v_analysed + 1;
  ELSE
    v_leads_low := false;
  END IF;
  v_rows_low := v_kept >= 1000 AND v_kept >= 2 * v_rows_at
                AND app_planner_rows('import_rows', format(
                      'organization_id = %L AND import_id = %L', v_org, p_import)) * 4 < v_kept;
  IF (app_statistics_outgrown('import_rows') OR v_rows_low) AND app_try_analyze('import_rows') THEN
    v_analysed := v_analysed + 1;
  ELSE
    v_rows_low := false;
  END IF;
  IF v_leads_low OR v_rows_low THEN
    UPDATE import_jobs j
    SET statistics_leads_at = CASE WHEN v_leads_low THEN v_created ELSE j.statistics_leads_at END,
        statistics_rows_at = CASE WHEN v_rows_low THEN v_kept ELSE j.statistics_rows_at END
    WHERE j.organization_id = v_org AND j.id = p_import;
  END IF;
  RETURN v_analysed;
END
$$;
